# Running in the window: the terminal panel on a real pty, the Run dialog, the host check dialog.
stagecraft_add_test(tst_terminalpanel
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_terminalpanel.cpp
  LIBS stagecraft_ui
  GUI LABELS ui TIMEOUT 120)
stagecraft_add_test(tst_rundialog
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_rundialog.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
stagecraft_add_test(tst_hostcheckdialog
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_hostcheckdialog.cpp
  LIBS stagecraft_ui
  GUI LABELS ui)
