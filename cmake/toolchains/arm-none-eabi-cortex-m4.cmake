# Cross build for the STM32MP1 Cortex-M4 (arm-none-eabi-gcc from Debian's gcc-arm-none-eabi,
# C library from libnewlib-arm-none-eabi, newlib-nano).
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)
set(CMAKE_C_COMPILER arm-none-eabi-gcc)
set(CMAKE_AR arm-none-eabi-ar)
set(CMAKE_RANLIB arm-none-eabi-ranlib)
set(CMAKE_SIZE arm-none-eabi-size CACHE FILEPATH "size tool for the target")
set(CMAKE_NM arm-none-eabi-nm CACHE FILEPATH "nm tool for the target")
# Executables cannot run here; try_compile builds a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(AMP_M4_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16")
set(CMAKE_C_FLAGS_INIT "${AMP_M4_FLAGS} -ffunction-sections -fdata-sections")
set(CMAKE_C_FLAGS_MINSIZEREL_INIT "-Os -DNDEBUG")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${AMP_M4_FLAGS} -Wl,--gc-sections --specs=nano.specs --specs=nosys.specs")

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)

# Installed as <prefix>/share/ampsim/toolchains/ (docs/sdk.md): find_package(ampsim) looks in
# that prefix, as a bare-metal toolchain does not search the system prefixes (/usr, ...).
if(CMAKE_CURRENT_LIST_DIR MATCHES "/share/ampsim/toolchains$")
  get_filename_component(_amp_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
  list(APPEND CMAKE_PREFIX_PATH "${_amp_prefix}")
endif()
