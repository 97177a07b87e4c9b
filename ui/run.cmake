# Running images and shells in the window: the Run dialog, the terminal panel, the host check.
target_sources(stagecraft_ui PRIVATE
  terminaltranscript.cpp
  terminalpanel.cpp
  runchoices.cpp
  rundialog.cpp
  hostcheckdialog.cpp
  runpanel.cpp
)
