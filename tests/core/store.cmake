# Tests of core/store: the content-addressed image store.
stagecraft_add_test(tst_imagestore SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_imagestore.cpp LIBS stagecraft_store TIMEOUT 300)
