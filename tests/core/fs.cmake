# core/fs: rooted file operations and the layered view, against hostile names.
stagecraft_add_test(tst_rootedfs SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_rootedfs.cpp LIBS stagecraft_fs)
