# The "COPY --from" text edit behind drag-to-copy in the window.
stagecraft_add_test(tst_copyinsertion
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_copyinsertion.cpp
  LIBS stagecraft_dockerfile
  LABELS dockerfile)
