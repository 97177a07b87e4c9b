# `stagecraft packages IMAGE`: bytes per package on an image made in the test.
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_packages SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_packages.cpp
    LIBS stagecraft_oci LibArchive::LibArchive TIMEOUT 300)
  target_include_directories(tst_cli_packages PRIVATE ${CMAKE_CURRENT_LIST_DIR}/../core)
  target_compile_definitions(tst_cli_packages PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_packages stagecraft)
endif()
