# spattn_build_tree_libraries(<target> <lib-dir> [TARGETS <t>,...] [SANITIZED]
#                             <spec>...):
# compiles each spec with the build tree's spattn-compile --target=<t>,...
# (default cpu) into
# <lib-dir>/<name>/ at build time (again when the spec or the toolchain
# changes), all under the custom target <target>. Tests and benchmarks load
# the resulting lib<name>.so with dlopen. SANITIZED: the generated source
# and the support archives compiled with SPATTN_ASAN_FLAGS
# (cmake/SpattnSanitizedTwins.cmake), for executables made with
# spattn_asan_executable.
function(spattn_build_tree_libraries target lib_dir)
  cmake_parse_arguments(PARSE_ARGV 2 ARG "SANITIZED" "TARGETS" "")
  if(NOT ARG_TARGETS)
    set(ARG_TARGETS cpu)
  endif()
  set(libraries)
  string(REPLACE "," ";" backends "${ARG_TARGETS}")
  spattn_library_inputs(inputs ${backends})
  # A sanitizer build compiles its libraries with its own compiler and flags.
  set(environment)
  if(SPATTN_SANITIZER_FLAGS)
    set(environment ${CMAKE_COMMAND} -E env "SPATTN_CXXFLAGS=${SPATTN_SANITIZER_FLAGS}"
        "CXX=${CMAKE_CXX_COMPILER}" "ASAN_OPTIONS=detect_leaks=0")
  elseif(ARG_SANITIZED)
    list(JOIN SPATTN_ASAN_FLAGS " " flags)
    set(environment ${CMAKE_COMMAND} -E env "SPATTN_CXXFLAGS=${flags}"
        "CXX=${CMAKE_CXX_COMPILER}" SPATTN_ARCHIVE_VARIANT=asan)
    spattn_library_archives(archives ${backends})
    list(TRANSFORM archives APPEND _asan)
    list(APPEND inputs ${archives})
  endif()
  foreach(spec_file IN LISTS ARG_UNPARSED_ARGUMENTS)
    get_filename_component(name ${spec_file} NAME_WE)
    set(lib ${lib_dir}/${name}/lib${name}.so)
    add_custom_command(OUTPUT ${lib}
      COMMAND ${environment} $<TARGET_FILE:spattn-compile> ${spec_file} --target=${ARG_TARGETS} -o ${lib_dir}/${name}
      DEPENDS spattn-compile ${inputs} ${spec_file}
      COMMENT "spattn-compile --target=${ARG_TARGETS} ${name} (${target})")
    list(APPEND libraries ${lib})
  endforeach()
  add_custom_target(${target} ALL DEPENDS ${libraries})
endfunction()
