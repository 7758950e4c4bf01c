# Where the third-party RPMsg stacks' sources come from (docs/real-stacks.md, "Sources").
#
# Neither stack is packaged by Debian and the project never copies their code: the build
# compiles the user's checkout into this build tree (out of source; the checkout may be
# read-only). For each stack, in order:
#   1. -DAMPSIM_<STACK>_DIR=<path> (the user's checkout); a path that does not hold the
#      stack is a configure error, not a silent skip;
#   2. <parent of the project checkout>/shared/third-party/<stack> (CI lays ../shared beside
#      the clone; a git worktree beside the main checkout finds the same folder), tried with
#      the project's path as given and with symlinks resolved;
#   3. otherwise the stack's ports, samples and tests are skipped, with one message.
# Sets AMPSIM_<STACK>_DIR (cache) and AMP_HAVE_<STACK> for each of OPENAMP, LIBMETAL,
# RPMSG_LITE. -DAMP_WITH_RPMSG_LITE=OFF / -DAMP_WITH_OPENAMP=OFF leave a port out even when
# its sources are there.
option(AMP_WITH_RPMSG_LITE "Build the RPMsg-Lite port, sample and tests when its sources are found" ON)
option(AMP_WITH_OPENAMP "Build the OpenAMP (+libmetal) port, samples and tests when their sources are found" ON)

set(AMPSIM_OPENAMP_DIR "" CACHE PATH "OpenAMP (open-amp) source checkout for the ampsim OpenAMP port")
set(AMPSIM_LIBMETAL_DIR "" CACHE PATH "libmetal source checkout for the ampsim OpenAMP port")
set(AMPSIM_RPMSG_LITE_DIR "" CACHE PATH "RPMsg-Lite source checkout for the ampsim RPMsg-Lite port")

# _amp_stack_dir(<STACK> <folder under shared/third-party> <file that proves the checkout>)
function(_amp_stack_dir stack folder marker)
  set(var AMPSIM_${stack}_DIR)
  if(${var})
    if(NOT EXISTS "${${var}}/${marker}")
      message(FATAL_ERROR "-D${var}=${${var}}: no ${marker} there; point it at the "
        "top of a ${folder} checkout, or leave it empty to use ../shared/third-party/${folder}")
    endif()
    set(AMP_HAVE_${stack} ON PARENT_SCOPE)
    return()
  endif()
  file(REAL_PATH "${PROJECT_SOURCE_DIR}/.." real_parent)
  foreach(parent IN ITEMS "${PROJECT_SOURCE_DIR}/.." "${real_parent}")
    set(cand "${parent}/shared/third-party/${folder}")
    if(EXISTS "${cand}/${marker}")
      file(REAL_PATH "${cand}" cand)
      set(${var} "${cand}" CACHE PATH "" FORCE)
      set(AMP_HAVE_${stack} ON PARENT_SCOPE)
      return()
    endif()
  endforeach()
  set(AMP_HAVE_${stack} OFF PARENT_SCOPE)
endfunction()

set(AMP_HAVE_OPENAMP OFF)
set(AMP_HAVE_LIBMETAL OFF)
set(AMP_HAVE_RPMSG_LITE OFF)
if(_amp_host AND AMP_WITH_SIM AND AMP_WITH_FW)
  set(_stacks "")
  if(AMP_WITH_RPMSG_LITE)
    _amp_stack_dir(RPMSG_LITE rpmsg-lite lib/rpmsg_lite/rpmsg_lite.c)
    list(APPEND _stacks RPMSG_LITE)
  endif()
  if(AMP_WITH_OPENAMP)
    _amp_stack_dir(OPENAMP open-amp lib/rpmsg/rpmsg.c)
    _amp_stack_dir(LIBMETAL libmetal lib/system/linux/init.c)
    list(APPEND _stacks OPENAMP LIBMETAL)
  endif()
  set(_missing "")
  foreach(s IN LISTS _stacks)
    if(AMP_HAVE_${s})
      message(STATUS "ampsim: ${s} sources: ${AMPSIM_${s}_DIR}")
    else()
      list(APPEND _missing ${s})
    endif()
  endforeach()
  if(_missing)
    list(JOIN _missing ", " _missing)
    message(STATUS "ampsim: no sources for ${_missing} (neither -DAMPSIM_<NAME>_DIR nor "
      "../shared/third-party/ beside the checkout): their ports, samples and interop tests "
      "are skipped (docs/real-stacks.md)")
  endif()
endif()
