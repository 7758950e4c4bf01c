# Shared target settings: C11, warnings, hidden visibility (host libraries: see amp_library).
# No global flags.

# The warning set every ampsim target is built with.
function(amp_target_defaults target)
  set_target_properties(${target} PROPERTIES
    C_STANDARD 11
    C_STANDARD_REQUIRED ON
    C_EXTENSIONS OFF
    C_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
    -Wpointer-arith -Wcast-align -Wformat=2 -Wundef -Wvla
    $<$<BOOL:${AMP_WERROR}>:-Werror>)
endfunction()

# A library whose public headers live in <dir>/include/amp/.
#   amp_library(NAME <target> [PORTABLE] SOURCES ... [DEPS ...])
# PORTABLE libraries must build freestanding for Cortex-M: the portability gate
# checks their sources (see tests/checks/).
function(amp_library)
  cmake_parse_arguments(A "PORTABLE" "NAME" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${A_NAME} STATIC ${A_SOURCES})
  amp_target_defaults(${A_NAME})
  # The host libraries are also linked into the shared libampsim, whose version script
  # (sim/libampsim.map) decides what it exports: their functions must stay visible to it.
  if(NOT CMAKE_CROSSCOMPILING)
    set_target_properties(${A_NAME} PROPERTIES C_VISIBILITY_PRESET default)
  endif()
  target_include_directories(${A_NAME} PUBLIC
    $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
    $<INSTALL_INTERFACE:${AMP_INSTALL_INCLUDEDIR}>)
  if(A_DEPS)
    target_link_libraries(${A_NAME} PUBLIC ${A_DEPS})
  endif()
  if(A_PRIVATE_DEPS)
    target_link_libraries(${A_NAME} PRIVATE ${A_PRIVATE_DEPS})
  endif()
  if(A_PORTABLE)
    set_property(GLOBAL APPEND PROPERTY AMP_PORTABLE_TARGETS ${A_NAME})
  endif()
endfunction()
