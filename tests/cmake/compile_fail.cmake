# Driver for the compile_fail tests (see tests/CMakeLists.txt). Run as
#   cmake -DMODE=twin|fail -DSOURCE=<file.cpp> -DFLAGS_FILE=<flags.cmake> -DOBJECT=<twin.o>
#         -P compile_fail.cmake
# twin: <file.cpp> must compile. fail: it must not compile with -DTAPELESS_SHOULD_FAIL, and
# the diagnostics must match the regex of its first `// expect: <regex>` line.
cmake_minimum_required(VERSION 3.25)

foreach(var MODE SOURCE FLAGS_FILE OBJECT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "compile_fail.cmake: -D${var}=... is required")
  endif()
endforeach()
include("${FLAGS_FILE}")

# The expected message: the first line of the form `// expect: <regex>` (read whole, so that
# brackets and semicolons in the regex survive).
file(READ "${SOURCE}" text)
string(REGEX MATCH "//[ \t]*expect:[^\n]*" expect "${text}")
string(REGEX REPLACE "^//[ \t]*expect:" "" expect "${expect}")
string(STRIP "${expect}" expect)
if(expect STREQUAL "")
  message(FATAL_ERROR "${SOURCE}: no `// expect: <regex>` line, or an empty regex")
endif()

# The same command line as a test target, so that the twin is held to the same warnings.
separate_arguments(cxx_flags UNIX_COMMAND "${CF_CXX_FLAGS}")
set(command "${CF_COMPILER}" ${cxx_flags} ${CF_STD_FLAG})
list(REMOVE_DUPLICATES CF_INCLUDE_DIRS)
foreach(dir IN LISTS CF_INCLUDE_DIRS)
  if(dir STREQUAL CF_OWN_INCLUDE_DIR)
    list(APPEND command "-I${dir}")
  elseif(NOT dir IN_LIST CF_IMPLICIT_INCLUDE_DIRS)
    list(APPEND command "-isystem" "${dir}")  # dependencies, as for imported targets
  endif()
endforeach()
foreach(def IN LISTS CF_DEFINITIONS)
  list(APPEND command "-D${def}")
endforeach()
list(APPEND command ${CF_OPTIONS})
# Plain diagnostics: no colours, and no echoed source lines (the regex must match a
# diagnostic, not the static_assert text quoted from the source).
if(CF_COMPILER_ID MATCHES "Clang")
  list(APPEND command -fno-color-diagnostics -fno-caret-diagnostics)
else()
  list(APPEND command -fdiagnostics-color=never -fno-diagnostics-show-caret)
endif()
# The twin is compiled to an object, so that it meets the optimizer's warnings too; the
# failing build stops after semantic analysis (static_assert and constexpr errors), which
# saves about a third of its time.
if(MODE STREQUAL "twin")
  list(APPEND command -c "${SOURCE}" -o "${OBJECT}")
elseif(MODE STREQUAL "fail")
  list(APPEND command -DTAPELESS_SHOULD_FAIL -fsyntax-only "${SOURCE}")
else()
  message(FATAL_ERROR "compile_fail.cmake: MODE must be twin or fail, not '${MODE}'")
endif()

if(MODE STREQUAL "twin")
  get_filename_component(object_dir "${OBJECT}" DIRECTORY)
  file(MAKE_DIRECTORY "${object_dir}")
  file(REMOVE "${OBJECT}")
endif()
set(ENV{LC_ALL} C)  # ASCII quotes in diagnostics
execute_process(COMMAND ${command} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
list(JOIN command " " command_line)

if(MODE STREQUAL "twin")
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "The twin of ${SOURCE} (without TAPELESS_SHOULD_FAIL) must compile, "
                        "but did not.\n${command_line}\n${out}")
  endif()
  message(STATUS "OK: the twin compiles.")
elseif(result EQUAL 0)
  message(FATAL_ERROR "${SOURCE} compiled with TAPELESS_SHOULD_FAIL but must not.\n"
                      "${command_line}\n${out}")
elseif(NOT out MATCHES "${expect}")
  message(FATAL_ERROR "${SOURCE} failed to compile as it should, but the diagnostics do not "
                      "match the expected regex\n  ${expect}\n${command_line}\n${out}")
else()
  string(REGEX MATCH "[^\n]*${expect}[^\n]*" line "${out}")
  message(STATUS "OK: compilation failed with the expected message:\n${line}")
endif()
