# core/analysis: layer indexes, merged file trees, wasted space (as dive counts it).
stagecraft_add_test(tst_layerindex SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_layerindex.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layerspec.h LIBS stagecraft_analysis)
stagecraft_add_test(tst_filetree SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_filetree.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layerspec.h LIBS stagecraft_analysis)
stagecraft_add_test(tst_imageanalysis SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_imageanalysis.cpp
  ${CMAKE_CURRENT_LIST_DIR}/layerspec.h LIBS stagecraft_analysis)
stagecraft_add_test(tst_imagesource SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_imagesource.cpp
  LIBS stagecraft_analysis stagecraft_store)
stagecraft_add_test(tst_packagesizes SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_packagesizes.cpp
  ${CMAKE_CURRENT_LIST_DIR}/synthimage.h LIBS stagecraft_analysis LibArchive::LibArchive)
# The same on the seeds' Go image (label slow: it needs STAGECRAFT_SEED_STORE and reads ~1 GB).
stagecraft_add_test(tst_packagesizes_seed SOURCES ${CMAKE_CURRENT_LIST_DIR}/tst_packagesizes_seed.cpp
  LIBS stagecraft_analysis stagecraft_store LABELS slow TIMEOUT 600)
