# core/context: .dockerignore rules, COPY source selection, content digests.
stagecraft_add_test(tst_dockerignore SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dockerignore.cpp LIBS stagecraft_context)
stagecraft_add_test(tst_buildcontext SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_buildcontext.cpp LIBS stagecraft_context)
