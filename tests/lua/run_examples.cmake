# Runs examples/lua/*.lua against the loopback trunk (LUA_CPATH from ctest).
function(run_ex expect)
  execute_process(COMMAND ${LUA} ${ARGN} WORKING_DIRECTORY ${DIR} OUTPUT_VARIABLE out ERROR_VARIABLE err
    RESULT_VARIABLE rc TIMEOUT 20)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "${expect}")
    message(FATAL_ERROR "${LUA} ${ARGN}: rc=${rc}\n${out}\n${err}\nexpected: ${expect}")
  endif()
  message(STATUS "${ARGN}: ok")
endfunction()
run_ex("REGED.*registered" register.lua)
run_ex("incoming call.*answered 1 call" answer.lua)
run_ex("call 1: answered" dial_out.lua 0044201234561)
run_ex("refused \\(emergency\\).*emergency" dial_out.lua 00999)
