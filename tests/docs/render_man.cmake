# Renders the man page as man(1) does and fails on any warning or error.
execute_process(COMMAND ${GROFF} -man -Tutf8 -P-bou -wall ${PAGE}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR NOT err STREQUAL "")
  message(FATAL_ERROR "groff -man ${PAGE}: rc=${rc}\n${err}")
endif()
if(NOT out MATCHES "SKYPECONNECT\\(1\\)" OR NOT out MATCHES "JSON EVENTS")
  message(FATAL_ERROR "the rendered page lacks its header or sections:\n${out}")
endif()
message(STATUS "${PAGE}: rendered without warnings")
