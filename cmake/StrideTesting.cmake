# stride_test(NAME SOURCES... [LIBS...] [PLUGIN target] [DEFINITIONS...]
#             [DEPENDS targets...] [TIMEOUT seconds] [RESOURCE_LOCK name] [TORCH]
#             [CASES_FROM_PLUGINS])
#
# Every GoogleTest binary of the tree is declared this way, beside the code it
# tests. The test knows where the stride binary, the sources and the plugins
# are (STRIDE_BINARY, STRIDE_SOURCE_DIR, STRIDE_TEST_PLUGIN_DIR,
# STRIDE_BUILTIN_PLUGIN_DIR), links stride::framework and sees its private headers and the
# CLI test runner. PLUGIN names a plugin library the test loads as stride
# does, from PLUGIN_LIBRARY. TORCH links the algorithms' common and testing
# libraries and reuses their precompiled <torch/torch.h>. CASES_FROM_PLUGINS:
# the test's cases are the built-in plugins it loads, so its tests are listed
# when ctest runs, once every plugin is built, rather than after its own link.
function(stride_test name)
  cmake_parse_arguments(ARG "TORCH;CASES_FROM_PLUGINS" "PLUGIN;TIMEOUT;RESOURCE_LOCK" "SOURCES;LIBS;DEFINITIONS;DEPENDS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE
    ${PROJECT_SOURCE_DIR}/framework/src ${PROJECT_SOURCE_DIR}/tests/framework)
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} stride::framework GTest::gmock GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    STRIDE_BINARY="$<TARGET_FILE:stride>"
    STRIDE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    STRIDE_TEST_PLUGIN_DIR="${CMAKE_BINARY_DIR}/test_plugins"
    STRIDE_BUILTIN_PLUGIN_DIR="${STRIDE_PLUGIN_OUTPUT_DIR}"
    ${ARG_DEFINITIONS})
  if(ARG_PLUGIN)
    target_compile_definitions(${name} PRIVATE PLUGIN_LIBRARY="$<TARGET_FILE:${ARG_PLUGIN}>")
    add_dependencies(${name} ${ARG_PLUGIN})
  endif()
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  set(discovery "")
  if(ARG_TORCH)
    target_link_libraries(${name} PRIVATE stride_algorithms_common stride_algorithms_testing)
    # the precompiled header was compiled with -fPIC and hidden visibility
    set_target_properties(${name} PROPERTIES
      POSITION_INDEPENDENT_CODE OFF
      CXX_VISIBILITY_PRESET hidden
      VISIBILITY_INLINES_HIDDEN ON)
    target_compile_options(${name} PRIVATE -fPIC)
    target_precompile_headers(${name} REUSE_FROM stride_algorithms_common)
    stride_algorithm_ccache(${name})
    target_compile_definitions(${name} PRIVATE
      STRIDE_ALGORITHMS_DIR="${PROJECT_SOURCE_DIR}/algorithms")
  endif()
  if(ARG_CASES_FROM_PLUGINS)
    list(APPEND discovery DISCOVERY_MODE PRE_TEST)
  endif()
  # a hang fails rather than waits; no inherited plugin directory loads extra plugins
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set(properties TIMEOUT ${ARG_TIMEOUT} ENVIRONMENT_MODIFICATION "STRIDE_PLUGIN_PATH=unset:")
  if(ARG_RESOURCE_LOCK)
    list(APPEND properties RESOURCE_LOCK ${ARG_RESOURCE_LOCK})
  endif()
  gtest_discover_tests(${name} ${discovery} DISCOVERY_TIMEOUT 60 PROPERTIES ${properties})
endfunction()
