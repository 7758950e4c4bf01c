# A test that runs a command and checks both its exit status and what it printed (ctest's
# PASS_REGULAR_EXPRESSION alone ignores the status, so a crash or a sanitizer's report at
# exit after the expected output would pass):
#   cmake -DREGEX=<regex> [-DFAILS=ON] -P AmpExpectOutput.cmake -- COMMAND [ARG...]
# The command must exit 0 (FAILS: non-zero) and its stdout + stderr must match REGEX.
set(cmd)
set(seen_dashes FALSE)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
  if(seen_dashes)
    list(APPEND cmd "${CMAKE_ARGV${i}}")
  elseif(CMAKE_ARGV${i} STREQUAL "--")
    set(seen_dashes TRUE)
  endif()
endforeach()
if(NOT cmd OR NOT DEFINED REGEX)
  message(FATAL_ERROR "usage: cmake -DREGEX=<regex> [-DFAILS=ON] -P AmpExpectOutput.cmake -- COMMAND [ARG...]")
endif()
execute_process(COMMAND ${cmd} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(FAILS AND rc EQUAL 0)
  message(FATAL_ERROR "expected a failure, but it exited 0")
elseif(NOT FAILS AND NOT rc EQUAL 0)
  message(FATAL_ERROR "exited ${rc}")
endif()
if(NOT "${out}${err}" MATCHES "${REGEX}")
  message(FATAL_ERROR "the output does not match: ${REGEX}")
endif()
