# The Files view and drag-to-copy.
target_sources(stagecraft_ui PRIVATE
  filesview.cpp
  filetreemodel.cpp
  copydropcontroller.cpp
  copytostagedialog.cpp
)
