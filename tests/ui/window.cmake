stagecraft_add_test(tst_mainwindow
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_mainwindow.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 120)
stagecraft_add_test(tst_dockerfileeditor
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_dockerfileeditor.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
stagecraft_add_test(tst_preferencesdialog
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_preferencesdialog.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
stagecraft_add_test(tst_quickfixmenu
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_quickfixmenu.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
# File → Import Classroom Kit: the dialog and its worker thread.
stagecraft_add_test(tst_kitimportdialog
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_kitimportdialog.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
target_include_directories(tst_kitimportdialog PRIVATE ${PROJECT_SOURCE_DIR}/tests/core)
# The window at 1024×768 and 1280×720 in English and German, and the drag from Files onto a node.
stagecraft_add_test(tst_windowlayout
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_windowlayout.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 120)
# View → Presentation at 1024×768 (English, German, light, dark), Files → Copy to Stage…
# from the keyboard, and the first problems a beginner meets.
stagecraft_add_test(tst_presentation
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_presentation.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 120)
# The shapes that tell build states apart without colour.
stagecraft_add_test(tst_statemark
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_statemark.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
# The window's engine picker: both engines, why docker cannot build, the choice remembered.
stagecraft_add_test(tst_enginepicker
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_enginepicker.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
