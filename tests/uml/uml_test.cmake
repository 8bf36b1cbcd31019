# uml_test.cmake - add_uml_test(): a CTest test whose command runs inside
# user-mode Linux through tests/uml/uml-run.sh (docs/testing-uml.md).
# Included by tests/CMakeLists.txt, so that every test directory can use it:
#
#   add_uml_test(NAME name [TIMEOUT seconds] [LABELS label...]
#                [ENVIRONMENT VAR=value...] COMMAND command [arg...])
#
# The command runs as root inside, in the test's working directory, with
# the test's environment (plus SRC, the source tree). Labels: "uml" and
# LABELS (add "noasan" when the command is a binary of this build: a
# sanitizer cannot run inside UML). TIMEOUT (default 120) is the runner's
# --timeout; CTest's own is 60 s longer, so that the runner, which kills
# every UML process, always stops first. Status 77 is a skip: UML cannot
# start on this machine.
set(FWP_UML_RUN ${CMAKE_CURRENT_LIST_DIR}/uml-run.sh)
set(FWP_UML_XSTATE ${PROJECT_BINARY_DIR}/tests/uml/uml_xstate.so)

function(add_uml_test)
	cmake_parse_arguments(U "" "NAME;TIMEOUT" "LABELS;ENVIRONMENT;COMMAND"
		${ARGN})
	if(NOT U_NAME OR NOT U_COMMAND)
		message(FATAL_ERROR "add_uml_test: NAME and COMMAND are required")
	endif()
	if(NOT U_TIMEOUT)
		set(U_TIMEOUT 120)
	endif()
	math(EXPR ctest_timeout "${U_TIMEOUT} + 60")
	set(labels uml ${U_LABELS})
	set(env "UML_XSTATE=${FWP_UML_XSTATE}" "SRC=${PROJECT_SOURCE_DIR}"
		${U_ENVIRONMENT})
	add_test(NAME ${U_NAME}
		COMMAND sh ${FWP_UML_RUN} --timeout ${U_TIMEOUT} -- ${U_COMMAND})
	set_tests_properties(${U_NAME} PROPERTIES LABELS "${labels}"
		TIMEOUT ${ctest_timeout} SKIP_RETURN_CODE 77
		ENVIRONMENT "${env}")
endfunction()
