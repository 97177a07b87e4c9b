# The build benchmark: Stagecraft's command line against Docker's (a private engine the
# bench starts when dockerd is installed and it runs as root) and buildah's, on the same
# Dockerfiles and base image bytes, cold and cached, with both images' sizes. Run by hand
# (it prints figures, never fails on time), so it is not registered with ctest. Needs the
# stagecraft executable (built with the UI).
if(TARGET stagecraft)
  add_executable(bench_build ${CMAKE_CURRENT_LIST_DIR}/bench_build.cpp)
  find_package(ZLIB REQUIRED)
  target_link_libraries(bench_build PRIVATE stagecraft_oci stagecraft_test_support stagecraft_options ZLIB::ZLIB)
  target_include_directories(bench_build PRIVATE ${PROJECT_SOURCE_DIR}/tests/core)
  target_compile_definitions(bench_build PRIVATE STAGECRAFT_SOURCE_PATH="${PROJECT_SOURCE_DIR}"
                                                 STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(bench_build stagecraft)
endif()
