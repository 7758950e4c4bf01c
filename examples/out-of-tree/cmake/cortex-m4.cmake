# The Cortex-M4 toolchain of the installed ampsim (for the cortex-m4 preset): in
# $AMPSIM_PREFIX, else /usr/local or /usr.
foreach(p "$ENV{AMPSIM_PREFIX}" /usr/local /usr)
  if(p AND EXISTS "${p}/share/ampsim/toolchains/arm-none-eabi-cortex-m4.cmake")
    include("${p}/share/ampsim/toolchains/arm-none-eabi-cortex-m4.cmake")
    return()
  endif()
endforeach()
message(FATAL_ERROR "no installed ampsim Cortex-M4 toolchain file: set AMPSIM_PREFIX to the "
  "prefix ampsim is installed in (<prefix>/share/ampsim/toolchains/)")
