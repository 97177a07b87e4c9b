# The RUN benchmark (overlayfs against the copy fallback on a large root filesystem): an
# executable run by hand that prints figures, so it is not registered with ctest.
add_executable(bench_exec ${CMAKE_CURRENT_LIST_DIR}/bench_exec.cpp)
target_link_libraries(bench_exec PRIVATE stagecraft_exec stagecraft_options)
target_include_directories(bench_exec PRIVATE ${PROJECT_SOURCE_DIR}/tests/core)
