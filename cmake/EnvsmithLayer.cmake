# One static library per layer. Its public headers live in include/envsmith/<layer>/, its
# private ones in src/. A layer sees only the include directories of the layers in DEPS, so a
# header from a layer above fails to compile; cmake/depcheck.cmake checks the same as a test.
function(envsmith_add_layer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(envsmith_${name} STATIC ${ARG_SOURCES})
  add_library(envsmith::${name} ALIAS envsmith_${name})
  target_include_directories(envsmith_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                              PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(envsmith_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  envsmith_set_warnings(envsmith_${name})
endfunction()

# One gtest binary per layer, envsmith_<layer>_tests. Its tests carry the one label
# `unit-<layer>`: ctest -L takes a regex, so `-L unit` selects every unit test and `-L specs`
# one layer's. (gtest_discover_tests splits a list of labels into separate properties.)
function(envsmith_add_tests name)
  if(NOT ENVSMITH_BUILD_TESTS)
    return()
  endif()
  add_executable(envsmith_${name}_tests ${ARGN})
  target_link_libraries(envsmith_${name}_tests PRIVATE envsmith::${name} envsmith_test_support
                        GTest::gtest GTest::gmock GTest::gtest_main fmt::fmt)
  envsmith_set_warnings(envsmith_${name}_tests)
  gtest_discover_tests(envsmith_${name}_tests
                       PROPERTIES LABELS "unit-${name}"
                       DISCOVERY_TIMEOUT 60)
endfunction()
