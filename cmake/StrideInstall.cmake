# The SDK: `cmake --install` lays it out the way the build tree already is, so
# either can be a CMAKE_PREFIX_PATH for find_package(stride):
#
#   bin/stride
#   lib/libstride.so
#   lib/libstride_mujoco.a                   the base of MuJoCo environments
#   lib/stride/plugins/*.so                  the built-in plugins
#   include/stride/*.h                       the public headers and build_info.h
#   lib/cmake/stride/strideConfig.cmake      stride::framework, stride::mujoco, stride::stride,
#                    strideConfigVersion.cmake  stride_add_plugin() and
#                    strideTargets.cmake        stride_embed_text()
#                    StridePlugin.cmake
include(CMakePackageConfigHelpers)
set(config_dir "${PROJECT_BINARY_DIR}/${STRIDE_INSTALL_CMAKEDIR}")

install(TARGETS stride_framework stride_mujoco stride EXPORT strideTargets
  RUNTIME DESTINATION ${STRIDE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${STRIDE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${STRIDE_INSTALL_LIBDIR})
install(DIRECTORY framework/include/stride DESTINATION ${STRIDE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/framework/include/stride/build_info.h
  DESTINATION ${STRIDE_INSTALL_INCLUDEDIR}/stride)

# the package files, in the build tree (its targets name the source headers)
# and installed (the installed headers)
export(EXPORT strideTargets NAMESPACE stride:: FILE ${config_dir}/strideTargets.cmake)
install(EXPORT strideTargets NAMESPACE stride:: DESTINATION ${STRIDE_INSTALL_CMAKEDIR})
configure_package_config_file(cmake/strideConfig.cmake.in ${config_dir}/strideConfig.cmake
  INSTALL_DESTINATION ${STRIDE_INSTALL_CMAKEDIR}
  PATH_VARS STRIDE_PLUGIN_SUBDIR)
# a plugin must be built against exactly the stride that loads it (the build
# fingerprint), so only the same version is compatible
write_basic_package_version_file(${config_dir}/strideConfigVersion.cmake
  COMPATIBILITY ExactVersion)
configure_file(cmake/StridePlugin.cmake ${config_dir}/StridePlugin.cmake COPYONLY)
install(FILES
  ${config_dir}/strideConfig.cmake
  ${config_dir}/strideConfigVersion.cmake
  ${config_dir}/StridePlugin.cmake
  DESTINATION ${STRIDE_INSTALL_CMAKEDIR})
