# Tests of core/store: the content-addressed image store.
stagecraft_add_test(tst_imagestore SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_imagestore.cpp LIBS stagecraft_store TIMEOUT 300)
# The store shared by real `stagecraft` processes: builds, imports and gc at once, killed builds.
if(TARGET stagecraft)
  stagecraft_add_test(tst_storeconcurrency SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_storeconcurrency.cpp
    LIBS stagecraft_builder LibArchive::LibArchive TIMEOUT 600)
  target_compile_definitions(tst_storeconcurrency PRIVATE STAGECRAFT_BIN="$<TARGET_FILE:stagecraft>")
  add_dependencies(tst_storeconcurrency stagecraft)
endif()
