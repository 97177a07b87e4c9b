stagecraft_add_test(tst_parser
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_parser.cpp
  LIBS stagecraft_dockerfile
  LABELS dockerfile)
# `stagecraft parse --dump` is checked too when the executable is part of the build.
if(TARGET stagecraft)
  target_compile_definitions(tst_parser PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_parser stagecraft)
endif()
