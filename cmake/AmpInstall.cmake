# The installed SDK (docs/sdk.md): headers, static libraries, CMake package files
# (find_package(ampsim) -> ampsim::<name>) and pkg-config files.
#
# Adding something to the SDK is one line beside the target:
#   amp_install(TARGETS amp_foo [HEADERS include] [NAME foo])
# installs the target into the export set as ampsim::foo (the "amp_"/"ampsim_" prefix is
# dropped) and every *.h under <current dir>/HEADERS/ into <prefix>/include/ (Cortex-M4:
# <prefix>/lib/ampsim/cortex-m4/include/). Private
# headers live beside their .c (not under include/), so they are never installed.
#
# A host build exports ampsimTargets.cmake with its libraries in lib/; a cross (Cortex-M4)
# build exports ampsimM4Targets.cmake with its libraries in lib/ampsim/cortex-m4/ (not
# "ampsimTargets-*": the host's targets file includes every ampsimTargets-*.cmake beside it).
# Both can be installed into the same prefix: ampsimConfig.cmake picks one by the consumer's
# toolchain.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The Cortex-M4 headers go beside its libraries, not in <prefix>/include: a cross compiler
# told -isystem /usr/include would take the host's C library headers.
if(CMAKE_CROSSCOMPILING)
  set(AMP_INSTALL_LIBDIR ${CMAKE_INSTALL_LIBDIR}/ampsim/cortex-m4)
  set(AMP_INSTALL_INCLUDEDIR ${AMP_INSTALL_LIBDIR}/include)
  set(AMP_EXPORT_SET ampsimM4Targets)
else()
  set(AMP_INSTALL_LIBDIR ${CMAKE_INSTALL_LIBDIR})
  set(AMP_INSTALL_INCLUDEDIR ${CMAKE_INSTALL_INCLUDEDIR})
  set(AMP_EXPORT_SET ampsimTargets)
endif()
set(AMP_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ampsim)
set(AMP_INSTALL_DATADIR ${CMAKE_INSTALL_DATADIR}/ampsim)

function(amp_install)
  cmake_parse_arguments(I "" "NAME" "TARGETS;HEADERS" ${ARGN})
  foreach(t IN LISTS I_TARGETS)
    string(REGEX REPLACE "^(amp_|ampsim_)" "" name ${t})
    if(I_NAME) # NAME: another name than the target's, for one target
      set(name ${I_NAME})
    endif()
    set_target_properties(${t} PROPERTIES EXPORT_NAME ${name})
    # In-tree users (add_subdirectory) get the same names as find_package users.
    add_library(ampsim::${name} ALIAS ${t})
    set_property(GLOBAL APPEND PROPERTY AMP_INSTALLED_TARGETS ${t})
  endforeach()
  install(TARGETS ${I_TARGETS} EXPORT ${AMP_EXPORT_SET}
    ARCHIVE DESTINATION ${AMP_INSTALL_LIBDIR}
    LIBRARY DESTINATION ${AMP_INSTALL_LIBDIR}
    OBJECTS DESTINATION ${AMP_INSTALL_LIBDIR}/objects
    INCLUDES DESTINATION ${AMP_INSTALL_INCLUDEDIR})
  foreach(d IN LISTS I_HEADERS)
    install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${d}/ DESTINATION ${AMP_INSTALL_INCLUDEDIR}
      FILES_MATCHING PATTERN "*.h")
  endforeach()
endfunction()

# The link line of a target for pkg-config: every library it needs, dependents before
# their dependencies (a shared library's private ones are inside it) (a reverse post-order of the link graph). Imported dependencies map to
# pkg-config modules (PkgConfig::GLIB) or flags (Threads::Threads).
function(_amp_pc_walk t)
  get_property(seen GLOBAL PROPERTY _AMP_PC_SEEN)
  if(t IN_LIST seen)
    return()
  endif()
  set_property(GLOBAL APPEND PROPERTY _AMP_PC_SEEN ${t})
  get_target_property(deps ${t} INTERFACE_LINK_LIBRARIES)
  foreach(d IN LISTS deps)
    string(REGEX REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1" d "${d}")
    if(d STREQUAL "PkgConfig::GLIB")
      set_property(GLOBAL APPEND PROPERTY _AMP_PC_REQUIRES glib-2.0 gio-unix-2.0)
    elseif(d STREQUAL "Threads::Threads")
      set_property(GLOBAL APPEND PROPERTY _AMP_PC_FLAGS -pthread)
    elseif(TARGET ${d})
      _amp_pc_walk(${d})
    endif()
  endforeach()
  get_target_property(type ${t} TYPE)
  if(type STREQUAL "STATIC_LIBRARY" OR type STREQUAL "SHARED_LIBRARY")
    get_property(order GLOBAL PROPERTY _AMP_PC_ORDER)
    set_property(GLOBAL PROPERTY _AMP_PC_ORDER ${t} ${order})
  endif()
endfunction()

# amp_pkgconfig(NAME ampsim-x TARGET t DESCRIPTION "...")
# Writes <prefix>/lib/pkgconfig/ampsim-x.pc for t (relocatable: paths from ${pcfiledir}).
function(amp_pkgconfig)
  cmake_parse_arguments(P "" "NAME;TARGET;DESCRIPTION" "" ${ARGN})
  foreach(p SEEN REQUIRES FLAGS ORDER)
    set_property(GLOBAL PROPERTY _AMP_PC_${p} "")
  endforeach()
  _amp_pc_walk(${P_TARGET})
  get_property(order GLOBAL PROPERTY _AMP_PC_ORDER)
  get_property(requires GLOBAL PROPERTY _AMP_PC_REQUIRES)
  get_property(flags GLOBAL PROPERTY _AMP_PC_FLAGS)
  list(REMOVE_DUPLICATES requires)
  list(REMOVE_DUPLICATES flags)
  set(libs "")
  foreach(t IN LISTS order)
    get_target_property(out ${t} OUTPUT_NAME)
    if(NOT out)
      set(out ${t})
    endif()
    string(APPEND libs " -l${out}")
  endforeach()
  list(JOIN requires " " requires)
  if(requires) # public: the headers include GLib's (and the static libraries need it)
    set(requires "Requires: ${requires}\n")
  endif()
  list(JOIN flags " " flags)
  file(RELATIVE_PATH up ${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/pkgconfig
    ${CMAKE_INSTALL_PREFIX})
  string(REGEX REPLACE "/$" "" up "${up}")
  set(pc ${PROJECT_BINARY_DIR}/pkgconfig/${P_NAME}.pc)
  file(WRITE ${pc} "prefix=\${pcfiledir}/${up}
includedir=\${prefix}/${AMP_INSTALL_INCLUDEDIR}
libdir=\${prefix}/${AMP_INSTALL_LIBDIR}

Name: ${P_NAME}
Description: ${P_DESCRIPTION}
Version: ${PROJECT_VERSION}
${requires}Cflags: -I\${includedir}
Libs: -L\${libdir}${libs} ${flags}
")
  install(FILES ${pc} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
endfunction()

# The package files, the toolchain file and the linker script; called once at the end of the
# top-level CMakeLists.txt, after every amp_install().
function(amp_install_package)
  install(EXPORT ${AMP_EXPORT_SET} NAMESPACE ampsim:: DESTINATION ${AMP_INSTALL_CMAKEDIR})
  configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ampsimConfig.cmake.in
    ${PROJECT_BINARY_DIR}/ampsimConfig.cmake INSTALL_DESTINATION ${AMP_INSTALL_CMAKEDIR})
  # Semantic versioning (docs/sdk.md): compatible within a major version, within a minor one
  # while the major is 0. Host and Cortex-M4 builds share one package, so the pointer size
  # is not part of the version check.
  if(PROJECT_VERSION_MAJOR EQUAL 0)
    set(compat SameMinorVersion)
  else()
    set(compat SameMajorVersion)
  endif()
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/ampsimConfigVersion.cmake
    COMPATIBILITY ${compat} ARCH_INDEPENDENT)
  install(FILES ${PROJECT_BINARY_DIR}/ampsimConfig.cmake
    ${PROJECT_BINARY_DIR}/ampsimConfigVersion.cmake DESTINATION ${AMP_INSTALL_CMAKEDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/cmake/toolchains/arm-none-eabi-cortex-m4.cmake
    DESTINATION ${AMP_INSTALL_DATADIR}/toolchains)
  # The template a user copies to start a firmware of their own.
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/out-of-tree/
    DESTINATION ${AMP_INSTALL_DATADIR}/examples/out-of-tree)
endfunction()

# Man pages (man1/ampsim.1, ampsim-<command>.1) and bash completion for the command @target,
# generated from its --help after each build of it (cmake/AmpHelpDocs.cmake), and installed.
# amp_help_docs(target [other executables its --help runs])
function(amp_help_docs target)
  set(out ${PROJECT_BINARY_DIR}/help-docs)
  add_custom_command(OUTPUT ${out}/stamp
    COMMAND ${CMAKE_COMMAND} -DAMPSIM=$<TARGET_FILE:${target}> -DOUT=${out}/gen
      -DVERSION=${PROJECT_VERSION} -P ${PROJECT_SOURCE_DIR}/cmake/AmpHelpDocs.cmake
    COMMAND ${CMAKE_COMMAND} -E touch ${out}/stamp
    DEPENDS ${target} ${ARGN} ${PROJECT_SOURCE_DIR}/cmake/AmpHelpDocs.cmake
    COMMENT "Man pages and bash completion from ${target} --help" VERBATIM)
  add_custom_target(${target}_help_docs ALL DEPENDS ${out}/stamp)
  set_property(GLOBAL PROPERTY AMP_HELP_DOCS_DIR ${out}/gen)
  install(DIRECTORY ${out}/gen/man1 DESTINATION ${CMAKE_INSTALL_MANDIR})
  install(FILES ${out}/gen/bash-completion/ampsim
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
endfunction()
