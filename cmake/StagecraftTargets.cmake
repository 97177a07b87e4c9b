# Warning flags and Qt defines for our own targets only (never directory-wide).
add_library(stagecraft_options INTERFACE)
target_compile_options(stagecraft_options INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Werror>)
target_compile_definitions(stagecraft_options INTERFACE
  QT_NO_CAST_FROM_ASCII
  QT_USE_QSTRINGBUILDER
  QT_NO_KEYWORDS
  QT_NO_URL_CAST_FROM_STRING
  QT_NO_NARROWING_CONVERSIONS_IN_CONNECT)

# stagecraft_add_core_module(NAME SOURCES... DEPENDS ...): one static library per
# pipeline folder of core/, so the layering in ARCHITECTURE.md is enforced by the linker.
function(stagecraft_add_core_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;PRIVATE_DEPENDS" ${ARGN})
  add_library(stagecraft_${name} STATIC ${ARG_SOURCES})
  target_include_directories(stagecraft_${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(stagecraft_${name} PUBLIC Qt6::Core ${ARG_DEPENDS}
                        PRIVATE stagecraft_options ${ARG_PRIVATE_DEPENDS})
  set_target_properties(stagecraft_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
endfunction()

# stagecraft_add_test(NAME SOURCES... LIBS ... [LABELS ...] [GUI]): one QtTest executable per unit.
function(stagecraft_add_test name)
  cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test stagecraft_options ${ARG_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set(env "STAGECRAFT_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
  if(ARG_GUI)
    list(APPEND env "QT_QPA_PLATFORM=offscreen")
  endif()
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}"
    WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
  if(ARG_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}")
  endif()
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()
