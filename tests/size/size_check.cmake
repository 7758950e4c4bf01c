# Size of the remote-role core on Cortex-M4: (full image) - (baseline image), both linked with
# --gc-sections. Prints text/data/bss; fails past MAX_FLASH / MAX_RAM when they are given.
#   cmake -DSIZE=arm-none-eabi-size -DFULL=<elf> -DBASE=<elf> [-DNM=nm -DLIB=<core.a> -DAPP=<o|o>]
#         [-DMAX_FLASH=n -DMAX_RAM=n] -P size_check.cmake
# With NM/LIB/APP the flash difference is split into the core's own functions and constants
# (symbols LIB defines), the C library code it pulls in (symbols nobody of LIB, APP, BASE
# defines: newlib-nano memcpy) and the rest (the image's calls into the core, padding).
# The limits apply to the whole difference.
cmake_policy(VERSION 3.25)

function(read_size elf prefix)
  execute_process(COMMAND ${SIZE} -B -d ${elf} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SIZE} -B ${elf} failed")
  endif()
  string(REGEX MATCH "\n[ \t]*([0-9]+)[ \t]+([0-9]+)[ \t]+([0-9]+)" m "${out}")
  set(${prefix}_text ${CMAKE_MATCH_1} PARENT_SCOPE)
  set(${prefix}_data ${CMAKE_MATCH_2} PARENT_SCOPE)
  set(${prefix}_bss ${CMAKE_MATCH_3} PARENT_SCOPE)
endfunction()

# Names defined in the given files (any symbol type).
function(defined_names var)
  set(names "")
  foreach(f IN LISTS ARGN)
    execute_process(COMMAND ${NM} --defined-only ${f} OUTPUT_VARIABLE out RESULT_VARIABLE rc
                    ERROR_QUIET)
    if(NOT rc EQUAL 0)
      message(FATAL_ERROR "${NM} ${f} failed")
    endif()
    string(REGEX MATCHALL "[0-9a-f]+ [A-Za-z] [^\n]+" lines "${out}")
    foreach(l IN LISTS lines)
      string(REGEX REPLACE "^[0-9a-f]+ [A-Za-z] " "" n "${l}")
      list(APPEND names "${n}")
    endforeach()
  endforeach()
  set(${var} "${names}" PARENT_SCOPE)
endfunction()

read_size(${FULL} full)
read_size(${BASE} base)
math(EXPR text "${full_text} - ${base_text}")
math(EXPR data "${full_data} - ${base_data}")
math(EXPR bss "${full_bss} - ${base_bss}")
math(EXPR flash "${text} + ${data}")
math(EXPR ram "${data} + ${bss}")
message("image    text=${full_text} data=${full_data} bss=${full_bss}")
message("baseline text=${base_text} data=${base_data} bss=${base_bss}")
message("remote-role core on Cortex-M4: flash ${flash} B (text ${text} + data ${data}), RAM ${ram} B (data ${data} + bss ${bss}; includes the device and endpoint the application provides)")

if(DEFINED NM AND DEFINED LIB)
  string(REPLACE "|" ";" app "${APP}")
  defined_names(core_names ${LIB})
  defined_names(other_names ${app} ${BASE})
  execute_process(COMMAND ${NM} -S -t d --defined-only ${FULL} OUTPUT_VARIABLE out)
  string(REGEX MATCHALL "[0-9]+ [0-9]+ [tTrRdD] [^\n]+" lines "${out}")
  set(core_flash 0)
  set(libc_flash 0)
  set(libc_names "")
  foreach(l IN LISTS lines)
    string(REGEX MATCH "^[0-9]+ ([0-9]+) [A-Za-z] (.+)$" m "${l}")
    set(sz ${CMAKE_MATCH_1})
    set(name ${CMAKE_MATCH_2})
    if(name IN_LIST core_names)
      math(EXPR core_flash "${core_flash} + ${sz}")
    elseif(NOT name IN_LIST other_names)
      math(EXPR libc_flash "${libc_flash} + ${sz}")
      list(APPEND libc_names ${name})
    endif()
  endforeach()
  math(EXPR rest "${flash} - ${core_flash} - ${libc_flash}")
  message("  flash = core's own code and constants ${core_flash} B"
          " + C library it pulls in (${libc_names}) ${libc_flash} B"
          " + calls into it and padding ${rest} B")
endif()
message("targets: <= 3072 B flash, <= 384 B RAM (RPMsg-Lite static: 2926 / 352; OpenAMP RPMsg: 5547 / 456)")
if(DEFINED MAX_FLASH AND flash GREATER MAX_FLASH)
  message(FATAL_ERROR "core flash ${flash} B exceeds ${MAX_FLASH} B")
endif()
if(DEFINED MAX_RAM AND ram GREATER MAX_RAM)
  message(FATAL_ERROR "core RAM ${ram} B exceeds ${MAX_RAM} B")
endif()
