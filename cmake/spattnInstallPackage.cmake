# The CMake package of an installed spattn: <prefix>/lib/cmake/spattn/
# {spattnConfig,spattnConfigVersion}.cmake, so that users can
#   find_package(spattn REQUIRED)
#   spattn_add_library(<name> SPEC <file> [TARGETS cpu] [OUTPUT_DIR <dir>])
# (see spattnConfig.cmake.in). Included once, where spattn-compile is
# installed. Paths are fixed (not GNUInstallDirs): spattn-compile looks for
# its toolchain at <prefix>/lib/spattn, <prefix>/libexec/spattn and
# <prefix>/include (findToolchain in targets/common/LibraryBuild.cpp).
include(CMakePackageConfigHelpers)

if(PROJECT_VERSION)
  set(SPATTN_PACKAGE_VERSION ${PROJECT_VERSION})
else()
  set(SPATTN_PACKAGE_VERSION 0.1.0)
endif()

# The registered targets, and the installed files a library is built from
# (spattn_library_archive and spattn_library_tool in SpattnTargets.cmake).
get_property(SPATTN_PACKAGE_TARGETS GLOBAL PROPERTY SPATTN_TARGETS)
get_property(archives GLOBAL PROPERTY SPATTN_LIBRARY_ARCHIVES)
get_property(tools GLOBAL PROPERTY SPATTN_LIBRARY_TOOLS)
set(SPATTN_PACKAGE_FILES)
foreach(archive IN LISTS archives)
  list(APPEND SPATTN_PACKAGE_FILES lib/spattn/lib${archive}.a)
endforeach()
foreach(tool IN LISTS tools)
  list(APPEND SPATTN_PACKAGE_FILES libexec/spattn/${tool})
endforeach()
# The CUDA toolkit (root folder, major version) that the installed
# spattn-compile runs nvcc from, for the package to find its static runtime.
cmake_path(GET CUDAToolkit_BIN_DIR PARENT_PATH SPATTN_PACKAGE_CUDA_ROOT)
set(SPATTN_PACKAGE_CUDA_VERSION ${CUDAToolkit_VERSION_MAJOR})
set(SPATTN_PACKAGE_DIR lib/cmake/spattn)
configure_package_config_file(
  ${CMAKE_CURRENT_LIST_DIR}/spattnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/spattnConfig.cmake
  INSTALL_DESTINATION ${SPATTN_PACKAGE_DIR})
write_basic_package_version_file(
  ${PROJECT_BINARY_DIR}/cmake/spattnConfigVersion.cmake
  VERSION ${SPATTN_PACKAGE_VERSION}
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/spattnConfig.cmake
              ${PROJECT_BINARY_DIR}/cmake/spattnConfigVersion.cmake
        DESTINATION ${SPATTN_PACKAGE_DIR})
