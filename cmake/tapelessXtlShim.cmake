# Debian 12's xsimd 8.1 package links its `xsimd` target to `xtl` but neither finds xtl nor
# depends on it (xtl is only used with XSIMD_ENABLE_XTL_COMPLEX, which tapeless does not
# set). Left alone, the bare name becomes `-lxtl` and every link fails. Use xtl's own package
# when it is installed, and an empty stand-in target otherwise.
if(TARGET xsimd AND NOT TARGET xtl)
  get_target_property(_tapeless_xsimd_deps xsimd INTERFACE_LINK_LIBRARIES)
  if("xtl" IN_LIST _tapeless_xsimd_deps)
    find_package(xtl QUIET CONFIG)
    if(NOT TARGET xtl)
      add_library(xtl INTERFACE IMPORTED GLOBAL)
    endif()
  endif()
  unset(_tapeless_xsimd_deps)
endif()
