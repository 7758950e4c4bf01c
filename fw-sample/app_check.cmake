cmake_minimum_required(VERSION 3.25)
# Gate for "the apps use only the OpenAMP-compatible API and contain no #ifdef for the
# simulator" (DESIGN 2, issue 7): every sample source (app, resource table, protocol logic)
#   - has no preprocessor conditional other than a header's include guard,
#   - includes only the OpenAMP API, the platform interface, the sample helpers, the
#     rpmsg-sdb codec (<amp/sdb_proto.h>, a protocol both sides share) and freestanding C
#     headers,
#   - calls no function of the core's own amp_ API (rpmsg_* only; amp_fw_* helpers are fine).
#   cmake -DFILES=a.c,b.h -P app_check.cmake
string(REPLACE "," ";" files "${FILES}")
set(allowed_sys "^(openamp/[a-z_]+\\.h|amp/(fw_platform|fw_memory_map|fw_crc32|rsc_declare|error|sdb_proto)\\.h|std(int|def|bool)\\.h|string\\.h)$")
set(bad "")
foreach(f IN LISTS files)
  # One list element per line: neutralise the characters CMake lists treat specially.
  file(READ ${f} text)
  string(REPLACE ";" "<semicolon>" text "${text}")
  string(REPLACE "[" "<lb>" text "${text}")
  string(REPLACE "]" "<rb>" text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  set(n 0)
  set(guard "")
  foreach(l IN LISTS lines)
    math(EXPR n "${n} + 1")
    if(l MATCHES "^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else)([ \t]|$)")
      # The one conditional a header may have: #ifndef X_H directly followed by #define X_H.
      if(f MATCHES "\\.h$" AND guard STREQUAL "" AND l MATCHES "^#ifndef ([A-Z0-9_]+_H)$")
        set(guard ${CMAKE_MATCH_1})
      else()
        list(APPEND bad "${f}:${n}: preprocessor conditional: ${l}")
      endif()
    elseif(l MATCHES "^[ \t]*#[ \t]*include[ \t]*<([^>]+)>")
      set(inc "${CMAKE_MATCH_1}")
      if(NOT inc MATCHES "${allowed_sys}")
        list(APPEND bad "${f}:${n}: include outside the app API: <${inc}>")
      endif()
    elseif(l MATCHES "(^|[^A-Za-z0-9_])amp_(rpmsg|vq|vring|port|ipcc|soc|rsc_parse|rproc)[a-z_]*[ \t]*\\(")
      list(APPEND bad "${f}:${n}: core API call instead of the OpenAMP one: ${l}")
    endif()
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n  " bad "${bad}")
  message(FATAL_ERROR "fw-sample app API check failed:\n  ${bad}")
endif()
list(LENGTH files count)
message("fw-sample app API check: ${count} files, no simulator conditionals, OpenAMP API only")
