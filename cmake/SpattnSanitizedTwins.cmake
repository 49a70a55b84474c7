# ASan+UBSan twins inside a regular build: the part of the sanitizer lane
# that CI affords (docs/reliability.md). The code a serving process runs
# (the support archives, the generated library source, the harness) is
# compiled again with SPATTN_ASAN_FLAGS; the compiler that builds the
# libraries stays uninstrumented, so nothing MLIR-sized is built twice.
#
#   spattn_asan_archive(<archive-target>)
#       <archive-target>_asan, output lib<archive>-asan.a beside the
#       original (what SPATTN_ARCHIVE_VARIANT=asan links, see
#       targets/common/LibraryBuild.h); built only when something needs it.
#   spattn_asan_executable(<twin> <original>)
#       <twin>: the sources, definitions, includes and libraries of the
#       executable <original>, compiled and linked with SPATTN_ASAN_FLAGS.
#   spattn_build_tree_libraries(... SANITIZED ...) (SpattnBuildTreeLibraries)
#       builds libraries from the generated source up with the same flags.
# A build that is sanitized as a whole (SPATTN_SANITIZER_FLAGS) needs no
# twins: there the functions alias the originals.
set(SPATTN_ASAN_FLAGS
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)

# The sources of `target`, as absolute paths.
function(spattn_absolute_sources out target)
  get_target_property(dir ${target} SOURCE_DIR)
  get_target_property(sources ${target} SOURCES)
  set(absolute)
  foreach(source IN LISTS sources)
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${dir})
    list(APPEND absolute ${source})
  endforeach()
  set(${out} ${absolute} PARENT_SCOPE)
endfunction()

# Gives `twin` the includes, definitions and libraries of `original`.
function(spattn_copy_usage twin original)
  foreach(property INCLUDE_DIRECTORIES COMPILE_DEFINITIONS LINK_LIBRARIES)
    get_target_property(value ${original} ${property})
    if(value)
      set_property(TARGET ${twin} PROPERTY ${property} "${value}")
    endif()
  endforeach()
endfunction()

function(spattn_asan_archive target)
  if(SPATTN_SANITIZER_FLAGS)
    return()
  endif()
  spattn_absolute_sources(sources ${target})
  add_library(${target}_asan STATIC EXCLUDE_FROM_ALL ${sources})
  spattn_copy_usage(${target}_asan ${target})
  target_compile_options(${target}_asan PRIVATE ${SPATTN_ASAN_FLAGS})
  set_target_properties(${target}_asan PROPERTIES POSITION_INDEPENDENT_CODE ON
                        OUTPUT_NAME ${target}-asan
                        ARCHIVE_OUTPUT_DIRECTORY $<TARGET_FILE_DIR:${target}>)
endfunction()

function(spattn_asan_executable twin original)
  spattn_absolute_sources(sources ${original})
  add_executable(${twin} ${sources})
  spattn_copy_usage(${twin} ${original})
  if(NOT SPATTN_SANITIZER_FLAGS)
    target_compile_options(${twin} PRIVATE ${SPATTN_ASAN_FLAGS})
    target_link_options(${twin} PRIVATE ${SPATTN_ASAN_FLAGS})
  endif()
endfunction()
