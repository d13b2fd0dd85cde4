# stride_add_plugin(NAME SOURCES... [TORCH]): a MODULE library stride loads at run time.
# Only the manifest is exported; TORCH links LibTorch for plugins that need it (algorithms).
function(stride_add_plugin name)
  cmake_parse_arguments(ARG "TORCH" "" "" ${ARGN})
  add_library(${name} MODULE ${ARG_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE stride::framework)
  if(ARG_TORCH)
    target_link_libraries(${name} PRIVATE ${TORCH_LIBRARIES})
  endif()
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY "${STRIDE_PLUGIN_OUTPUT_DIR}")
  if(DEFINED STRIDE_INSTALL_PLUGINS AND STRIDE_INSTALL_PLUGINS)
    install(TARGETS ${name} LIBRARY DESTINATION ${STRIDE_PLUGIN_SUBDIR})
  endif()
endfunction()
