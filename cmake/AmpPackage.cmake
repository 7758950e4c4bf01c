# `cpack -G DEB`: ampsim as a Debian 12 package (docs/sdk.md) with the command, the profiles
# and the SDK. Configure the build that makes it with the prefix it installs to, since the
# profile path is compiled in:
#   cmake -S . -B build/deb -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
#         -DCMAKE_INSTALL_LIBDIR=lib -DAMP_PROFILES_FROM_SOURCE=OFF \
#         -DAMP_DEB_M4_BUILD=$PWD/build/cortex-m4
# AMP_DEB_M4_BUILD (optional): a built cortex-m4 preset whose Cortex-M4 libraries, port and
# linker script go into the same package (ampsim::firmware with the cross toolchain).
set(AMP_DEB_M4_BUILD "" CACHE PATH "a built cortex-m4 build directory to package too")

set(CPACK_PACKAGE_NAME ampsim)
set(CPACK_PACKAGE_VENDOR "ampsim")
set(CPACK_PACKAGE_CONTACT "ampsim maintainers <ampsim@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "STM32MP1 RPMsg IPC simulator: run Cortex-M4 firmware against a simulated Linux side")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
# Run time (the ampsim command) and the SDK (host.h includes GLib's headers; find_package
# and the .pc files use pkg-config). The Cortex-M4 side needs the cross compiler.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
  "libc6 (>= 2.36), libglib2.0-0 (>= 2.74), libjson-glib-1.0-0 (>= 1.6), zlib1g (>= 1:1.2.9), libglib2.0-dev (>= 2.74), pkg-config")
if(AMP_WITH_WEB) # ampsim web (its page is inside the binary)
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libsoup-3.0-0 (>= 3.2)")
endif()
if(FUSE3_FOUND) # ampsim run --cuse
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS ", libfuse3-3 (>= 3.10)")
endif()
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cmake (>= 3.25), gcc, libcmocka-dev")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "gcc-arm-none-eabi, libnewlib-arm-none-eabi, gdb, gdbserver, valgrind")
# libampsim.so.*: a shlibs file for packages built against it, and dpkg's ldconfig trigger.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
if(AMP_DEB_M4_BUILD)
  set(CPACK_INSTALL_CMAKE_PROJECTS
    "${PROJECT_BINARY_DIR};ampsim;ALL;/" "${AMP_DEB_M4_BUILD};ampsim;ALL;/")
endif()
include(CPack)
