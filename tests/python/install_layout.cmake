# Installs into STAGE and imports skypeconnect from STAGE/PYDIR with a clean
# environment (the extension finds libskypeconnect through its RUNPATH).
file(REMOVE_RECURSE ${STAGE})
execute_process(COMMAND ${CMAKE_COMMAND} --install ${BUILD_DIR} --prefix ${STAGE}
  RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cmake --install failed: ${rc}")
endif()
if(NOT EXISTS ${STAGE}/${PYDIR}/skypeconnect/__init__.py OR NOT EXISTS ${STAGE}/${PYDIR}/skypeconnect/__init__.pyi)
  message(FATAL_ERROR "package not installed in ${STAGE}/${PYDIR}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env --unset=PYTHONPATH --unset=LD_LIBRARY_PATH
  ${PYTHON} -c "import sys; sys.path.insert(0, sys.argv[1]); import skypeconnect as sc; \
assert sc.__file__.startswith(sys.argv[1]), sc.__file__; \
assert sc.DialRule.prefix('00').check('0044123') == '0044123'; print('imported', sc.__version__, 'from', sc.__file__)"
  ${STAGE}/${PYDIR}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message(STATUS "${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "import from the installed layout failed:\n${err}")
endif()
# The Lua modules land where Debian's package.cpath looks (lib/<multiarch>/lua/<ver>/).
file(GLOB_RECURSE lua_mods ${STAGE}/*/lua/*/skypeconnect.so)
message(STATUS "Lua modules: ${lua_mods}")
