# The image-management commands (images, import, tag, export, rmi, store) run as a user
# runs them, against a temporary store. Needs the executable (not built with the UI off).
if(TARGET stagecraft)
  stagecraft_add_test(tst_cli_images SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_cli_images.cpp LIBS stagecraft_store TIMEOUT 300)
  target_compile_definitions(tst_cli_images PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_cli_images stagecraft)
endif()
