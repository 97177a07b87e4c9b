# The Layers view on the Docker-built reference images.
stagecraft_add_test(tst_layersview
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_layersview.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 120)
