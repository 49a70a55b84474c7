# How targets and the archives of every library are declared, once:
#
#   spattn_add_target(<name> <sources>...)
#       a target of spattn-compile (targets/<name>/): the static library
#       SpAttnTarget_<name>, whose sources define register<Name>Target();
#       the generated registerAllTargets() calls it.
#   spattn_library_archive(<cmake-target> COMMON | BACKEND <name>)
#       a PIC archive whose members go into every library built for target
#       <name> (COMMON: for every target). The build-tree libraries, the
#       install test and the installed CMake package read these lists; the
#       generated LibraryToolchain.h lists the COMMON ones.
#   spattn_library_tool(<cmake-executable>)
#       a program a library build runs (installed to libexec/spattn/).
function(spattn_add_target name)
  add_library(SpAttnTarget_${name} STATIC ${ARGN})
  target_link_libraries(SpAttnTarget_${name} PUBLIC SpAttnTargetCommon)
  set_property(GLOBAL APPEND PROPERTY SPATTN_TARGETS ${name})
endfunction()

function(spattn_library_archive target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "COMMON" "BACKEND" "")
  if((ARG_COMMON AND ARG_BACKEND) OR (NOT ARG_COMMON AND NOT ARG_BACKEND))
    message(FATAL_ERROR "spattn_library_archive(${target}): COMMON or BACKEND <name>")
  endif()
  set_property(GLOBAL APPEND PROPERTY SPATTN_LIBRARY_ARCHIVES ${target})
  if(ARG_COMMON)
    set_property(GLOBAL APPEND PROPERTY SPATTN_COMMON_ARCHIVES ${target})
  else()
    set_property(GLOBAL APPEND PROPERTY SPATTN_${ARG_BACKEND}_ARCHIVES ${target})
  endif()
  install(TARGETS ${target} ARCHIVE DESTINATION lib/spattn)
  spattn_asan_archive(${target})
endfunction()

function(spattn_library_tool target)
  set_property(GLOBAL APPEND PROPERTY SPATTN_LIBRARY_TOOLS ${target})
  install(TARGETS ${target} RUNTIME DESTINATION libexec/spattn)
endfunction()

# The archives a library built for `backends` (a list of target names)
# links: the COMMON ones and those of each backend.
function(spattn_library_archives out)
  get_property(archives GLOBAL PROPERTY SPATTN_COMMON_ARCHIVES)
  foreach(backend IN LISTS ARGN)
    get_property(own GLOBAL PROPERTY SPATTN_${backend}_ARCHIVES)
    list(APPEND archives ${own})
  endforeach()
  set(${out} ${archives} PARENT_SCOPE)
endfunction()

# Every CMake target a library build for `backends` reads (for
# custom-command DEPENDS).
function(spattn_library_inputs out)
  spattn_library_archives(archives ${ARGN})
  get_property(tools GLOBAL PROPERTY SPATTN_LIBRARY_TOOLS)
  set(${out} ${archives} ${tools} PARENT_SCOPE)
endfunction()
