# core/exec: the bubblewrap sandbox and the filesystem change of a RUN.
stagecraft_add_test(tst_sandbox SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sandbox.cpp LIBS stagecraft_exec TIMEOUT 300)
stagecraft_add_test(tst_changeset SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_changeset.cpp LIBS stagecraft_exec stagecraft_oci TIMEOUT 600)
stagecraft_add_test(tst_usernetwork SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_usernetwork.cpp LIBS stagecraft_exec Qt6::Network TIMEOUT 120)
stagecraft_add_test(tst_sandboxhardening SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_sandboxhardening.cpp LIBS stagecraft_exec TIMEOUT 300)
