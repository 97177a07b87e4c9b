# The parse+graph benchmark: an executable run by hand (it prints figures, never fails on
# time), so it is not registered with ctest.
add_executable(bench_parse_graph ${CMAKE_CURRENT_LIST_DIR}/bench_parse_graph.cpp)
target_link_libraries(bench_parse_graph PRIVATE stagecraft_checks stagecraft_options)
target_compile_definitions(bench_parse_graph PRIVATE STAGECRAFT_SOURCE_PATH="${PROJECT_SOURCE_DIR}")
