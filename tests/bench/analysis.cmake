# The analysis benchmark: an executable run by hand (it prints figures against
# `gzip -dc`, never fails on time), so it is not registered with ctest.
find_package(ZLIB REQUIRED)
add_executable(bench_analysis ${CMAKE_CURRENT_LIST_DIR}/bench_analysis.cpp)
target_link_libraries(bench_analysis PRIVATE stagecraft_analysis stagecraft_store stagecraft_options ZLIB::ZLIB)
