cmake_minimum_required(VERSION 3.25)
# Portability gate, part 1: portable code may include only freestanding C headers and
# the project's own (<amp/...>, <openamp/...>, "local.h"). Anything else — GLib, POSIX,
# <stdio.h>, <stdlib.h> — fails the check with the file and line.
#   cmake -DLIST_FILE=<file with "file:PATH" and "dir:PATH" lines> -P portable_includes.cmake
set(allowed_std "stdint|stddef|stdbool|stdatomic|string|limits|stdalign|stdnoreturn|stdarg")
file(STRINGS ${LIST_FILE} entries)
set(files "")
foreach(e IN LISTS entries)
  if(e MATCHES "^file:(.*)$")
    list(APPEND files "${CMAKE_MATCH_1}")
  elseif(e MATCHES "^dir:(.*)$")
    file(GLOB_RECURSE hdrs "${CMAKE_MATCH_1}/*.h")
    list(APPEND files ${hdrs})
  endif()
endforeach()

set(bad 0)
foreach(f IN LISTS files)
  file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include")
  foreach(l IN LISTS lines)
    if(l MATCHES "<(${allowed_std})\\.h>" OR l MATCHES "<(amp|openamp)/[A-Za-z0-9_./-]+\\.h>"
       OR l MATCHES "\"[A-Za-z0-9_./-]+\\.h\"")
      continue()
    endif()
    message("${f}: not allowed in portable code: ${l}")
    math(EXPR bad "${bad} + 1")
  endforeach()
endforeach()
list(LENGTH files n)
if(bad GREATER 0)
  message(FATAL_ERROR "portability gate: ${bad} forbidden include(s) in ${n} portable files")
endif()
message("portability gate: ${n} portable files include only freestanding headers")
