# ctest's sdk/out-of-tree (tests/sdk/CMakeLists.txt). Fails at the first step that fails.
function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "sdk/out-of-tree: ${what} failed (${rc}):\n${out}")
  endif()
  message(STATUS "sdk/out-of-tree: ${what}: ok")
endfunction()

set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
run("cmake --install into ${prefix}" ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${prefix})

# Only what is installed: the example must not see ampsim's source or build tree.
set(cfg -S ${EXAMPLE_DIR} -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if(MODE STREQUAL "cortex-m4")
  set(toolchain ${prefix}/share/ampsim/toolchains/arm-none-eabi-cortex-m4.cmake)
  run("configure for the Cortex-M4" ${CMAKE_COMMAND} ${cfg} -B ${WORK_DIR}/m4
    --toolchain ${toolchain})
  run("build for the Cortex-M4" ${CMAKE_COMMAND} --build ${WORK_DIR}/m4)
  # An image the M4 boots: an ARM ELF with the resource table the host reads.
  find_program(readelf NAMES arm-none-eabi-readelf readelf REQUIRED)
  execute_process(COMMAND ${readelf} -hS ${WORK_DIR}/m4/upper.elf OUTPUT_VARIABLE hdr
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0 OR NOT hdr MATCHES "Machine: +ARM" OR NOT hdr MATCHES "\\.resource_table")
    message(FATAL_ERROR "sdk/out-of-tree: upper.elf is not an ARM image with a "
      ".resource_table:\n${hdr}")
  endif()
  return()
endif()

# The host: the same compiler and flags as this build (a sanitizer build's libraries need
# the sanitizer's runtime at link time).
set(flags -DCMAKE_C_COMPILER=${COMPILER} "-DCMAKE_C_FLAGS=${C_FLAGS}"
  "-DCMAKE_EXE_LINKER_FLAGS=${LINKER_FLAGS}")
run("configure with find_package" ${CMAKE_COMMAND} ${cfg} -B ${WORK_DIR}/host ${flags})
run("build" ${CMAKE_COMMAND} --build ${WORK_DIR}/host)
run("the template's tests" ${CMAKE_CTEST_COMMAND} --test-dir ${WORK_DIR}/host
  --output-on-failure --timeout 120)

# pkg-config: the same firmware with the Makefile, checked by the template's client test.
if(NOT MAKE)
  message(FATAL_ERROR "sdk/out-of-tree: no make program (apt-get install make)")
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
run("make with pkg-config" ${MAKE} -C ${EXAMPLE_DIR} O=${WORK_DIR}/make CC=${COMPILER}
  "CFLAGS=-O1 -g ${C_FLAGS}" "LDFLAGS=${LINKER_FLAGS}")
run("the Makefile's firmware and client under ampsim run" sh
  ${EXAMPLE_DIR}/tests/client_test.sh ${prefix}/bin/ampsim ${WORK_DIR}/make/upper
  ${WORK_DIR}/make/upper-client)
