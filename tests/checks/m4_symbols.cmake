cmake_minimum_required(VERSION 3.25)
# Portability gate, part 2: the Cortex-M4 objects of a portable target must not reference
# the heap or stdio (the core runs without malloc and without a console).
#   cmake -DNM=arm-none-eabi-nm -DFILE=<archive or object> -P m4_symbols.cmake
set(forbidden malloc free calloc realloc _malloc_r _free_r _calloc_r _realloc_r
    printf vprintf fprintf sprintf snprintf vsnprintf puts putchar fputs fwrite fopen
    _printf_r _vfprintf_r iprintf)
execute_process(COMMAND ${NM} -u ${FILE} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} -u ${FILE} failed (${rc})")
endif()
string(REPLACE "\n" ";" lines "${out}")
set(bad "")
foreach(l IN LISTS lines)
  if(l MATCHES "^[ \t]*U[ \t]+([A-Za-z0-9_.]+)$")
    if(CMAKE_MATCH_1 IN_LIST forbidden)
      list(APPEND bad ${CMAKE_MATCH_1})
    endif()
  endif()
endforeach()
if(bad)
  list(REMOVE_DUPLICATES bad)
  message(FATAL_ERROR "${FILE} references forbidden symbols: ${bad}")
endif()
message("${FILE}: no heap or stdio symbols referenced")
