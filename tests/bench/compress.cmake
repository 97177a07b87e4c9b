# The compression benchmark: gzip through zlib and libdeflate, pigz and zstd on layer tars
# made from this machine's files. Run by hand (it prints figures, never fails on time),
# so it is not registered with ctest. Left out when libdeflate or libzstd's headers are
# missing (Debian: libdeflate-dev libzstd-dev; pigz is used when installed).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(BENCH_LIBDEFLATE QUIET IMPORTED_TARGET libdeflate)
  pkg_check_modules(BENCH_ZSTD QUIET IMPORTED_TARGET libzstd)
endif()
if(BENCH_LIBDEFLATE_FOUND AND BENCH_ZSTD_FOUND)
  find_package(ZLIB REQUIRED)
  add_executable(bench_compress ${CMAKE_CURRENT_LIST_DIR}/bench_compress.cpp)
  target_link_libraries(bench_compress PRIVATE Qt6::Core ZLIB::ZLIB PkgConfig::BENCH_LIBDEFLATE
                                               PkgConfig::BENCH_ZSTD stagecraft_options)
else()
  message(STATUS "bench_compress left out: libdeflate-dev and libzstd-dev are needed")
endif()
