# ctest's sdk/out-of-tree (tests/sdk/CMakeLists.txt) and scripts/test-deb: the template
# (examples/out-of-tree) against an installed ampsim. Fails at the first step that fails.
#   cmake -DMODE=host|cortex-m4 -DWORK_DIR=dir -DEXAMPLE_DIR=dir (-DBUILD_DIR=dir | -DPREFIX=dir)
#         [-DCOMPILER=cc -DC_FLAGS=... -DLINKER_FLAGS=... -DMAKE=make] -P out_of_tree.cmake
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sdk/out-of-tree: ${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "sdk/out-of-tree: ${what}: ok")
endfunction()

# PREFIX: an ampsim installed there already (the .deb: scripts/test-deb); otherwise this
# build is installed into WORK_DIR/prefix.
file(REMOVE_RECURSE ${WORK_DIR})
if(PREFIX)
  set(prefix ${PREFIX})
else()
  set(prefix ${WORK_DIR}/prefix)
  run("cmake --install into ${prefix}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})
endif()

# Only what is installed: the example must not see ampsim's source or build tree. A system
# prefix (PREFIX) is found without any hint, as a user's project would find it.
set(cfg_rest -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if(NOT PREFIX)
  list(APPEND cfg_rest -DCMAKE_PREFIX_PATH=${prefix})
endif()
set(cfg -S ${EXAMPLE_DIR} ${cfg_rest})
if(NOT COMPILER)
  set(COMPILER cc)
endif()
if(NOT MAKE)
  set(MAKE make)
endif()
if(MODE STREQUAL "cortex-m4")
  set(toolchain ${prefix}/share/ampsim/toolchains/arm-none-eabi-cortex-m4.cmake)
  run("configure for the Cortex-M4" ${CMAKE_COMMAND} ${cfg} -B ${WORK_DIR}/m4
    --toolchain ${toolchain})
  run("build for the Cortex-M4" ${CMAKE_COMMAND} --build ${WORK_DIR}/m4)
  # The template's own preset: the same, the toolchain found through AMPSIM_PREFIX (or in
  # /usr/local, /usr for a system install).
  if(NOT PREFIX)
    set(ENV{AMPSIM_PREFIX} ${prefix})
  endif()
  run("configure with the template's cortex-m4 preset" ${CMAKE_COMMAND} -S ${EXAMPLE_DIR}
    --preset cortex-m4 -B ${WORK_DIR}/m4-preset)
  run("build with the preset" ${CMAKE_COMMAND} --build ${WORK_DIR}/m4-preset)
  # A firmware's own linker script (the AMPSIM_LINKER_SCRIPT property): the installed one
  # with a marker symbol, which the image must then have.
  file(READ ${prefix}/share/ampsim/ld/stm32mp15_m4.ld ld)
  file(WRITE ${WORK_DIR}/own.ld "${ld}\nupper_own_linker_script = 0x600DF00D;\n")
  run("configure with the firmware's own linker script" ${CMAKE_COMMAND} ${cfg}
    -B ${WORK_DIR}/m4-own-ld --toolchain ${toolchain} -DUPPER_LINKER_SCRIPT=${WORK_DIR}/own.ld)
  run("build with it" ${CMAKE_COMMAND} --build ${WORK_DIR}/m4-own-ld)
  find_program(nm NAMES arm-none-eabi-nm REQUIRED)
  execute_process(COMMAND ${nm} ${WORK_DIR}/m4-own-ld/upper.elf OUTPUT_VARIABLE syms)
  if(NOT syms MATCHES "600df00d [A-Za-z] upper_own_linker_script")
    message(FATAL_ERROR "sdk/out-of-tree: upper.elf was not linked with ${WORK_DIR}/own.ld")
  endif()
  # Images the M4 boots: ARM ELFs with the resource table the host reads.
  find_program(readelf NAMES arm-none-eabi-readelf readelf REQUIRED)
  foreach(elf ${WORK_DIR}/m4/upper.elf ${WORK_DIR}/m4-preset/upper.elf)
    execute_process(COMMAND ${readelf} -hS ${elf} OUTPUT_VARIABLE hdr RESULT_VARIABLE rc)
    if(NOT rc EQUAL 0 OR NOT hdr MATCHES "Machine: +ARM" OR NOT hdr MATCHES "\\.resource_table")
      message(FATAL_ERROR "sdk/out-of-tree: ${elf} is not an ARM image with a "
        ".resource_table:\n${hdr}")
    endif()
  endforeach()
  return()
endif()

# The installed command says the package's version (VERSION: this build's project()).
if(VERSION)
  execute_process(COMMAND ${prefix}/bin/ampsim --version OUTPUT_VARIABLE v RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT v STREQUAL "ampsim ${VERSION}\n")
    message(FATAL_ERROR "sdk/out-of-tree: ampsim --version said '${v}', want 'ampsim ${VERSION}'")
  endif()
endif()

# The host install has the man pages and the bash completion.
foreach(f share/man/man1/ampsim.1 share/man/man1/ampsim-run.1
          share/bash-completion/completions/ampsim)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "sdk/out-of-tree: ${prefix}/${f} was not installed")
  endif()
endforeach()

# `ampsim new-firmware` starts a project from the installed template; that copy is what the
# rest builds. It refuses a directory that exists.
run("ampsim new-firmware" ${prefix}/bin/ampsim new-firmware ${WORK_DIR}/new/myfw)
execute_process(COMMAND ${prefix}/bin/ampsim new-firmware ${WORK_DIR}/new/myfw
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message(FATAL_ERROR "sdk/out-of-tree: ampsim new-firmware overwrote ${WORK_DIR}/new/myfw")
endif()
set(EXAMPLE_DIR ${WORK_DIR}/new/myfw)
set(cfg -S ${EXAMPLE_DIR} ${cfg_rest})

# The host: the same compiler and flags as this build (a sanitizer build's libraries need
# the sanitizer's runtime at link time).
set(flags -DCMAKE_C_COMPILER=${COMPILER} "-DCMAKE_C_FLAGS=${C_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
run("configure with find_package" ${CMAKE_COMMAND} ${cfg} -B ${WORK_DIR}/host ${flags})
run("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/host)
if(NOT PREFIX)
  set(ENV{AMPSIM_PREFIX} ${prefix})
endif()
run("configure with the template's host preset" ${CMAKE_COMMAND} -S ${EXAMPLE_DIR} --preset host
  -B ${WORK_DIR}/host-preset ${flags})
run("build with the preset" ${CMAKE_COMMAND} --build ${WORK_DIR}/host-preset)
run("the template's tests" ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/host
  --output-on-failure --timeout 120)

# pkg-config: the same firmware with the Makefile, checked by the template's client test.
if(NOT PREFIX)
  set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
endif()
run("make with pkg-config" ${MAKE} -C ${EXAMPLE_DIR} O=${WORK_DIR}/make CC=${COMPILER}
  "CFLAGS=-O1 -g ${C_FLAGS}" "LDFLAGS=${LINKER_FLAGS}")
run("the Makefile's firmware and client under ampsim run" sh
  ${EXAMPLE_DIR}/tests/client_test.sh ${prefix}/bin/ampsim ${WORK_DIR}/make/upper
  ${WORK_DIR}/make/upper-client)
# The shared libampsim: the template's libampsim test linked with it through pkg-config, run.
run("make check (the libampsim test with the shared library)" ${MAKE} -C ${EXAMPLE_DIR}
  O=${WORK_DIR}/make CC=${COMPILER} "CFLAGS=-O1 -g ${C_FLAGS}" "LDFLAGS=${LINKER_FLAGS}" check)
find_program(readelf NAMES readelf REQUIRED)
execute_process(COMMAND ${readelf} -d ${WORK_DIR}/make/test_upper OUTPUT_VARIABLE dyn)
if(NOT dyn MATCHES "NEEDED[^\n]*\\[libampsim\\.so\\.")
  message(FATAL_ERROR "sdk/out-of-tree: test_upper does not load libampsim.so:\n${dyn}")
endif()
