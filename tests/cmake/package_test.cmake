# Driver for the package tests (see tests/CMakeLists.txt). Run as cmake -DMODE=... -P with
#   MODE=install           install the tapeless build tree TAPELESS_BINARY_DIR into PREFIX;
#   MODE=find_package      configure, build and run the consumer CONSUMER_DIR against PREFIX;
#   MODE=add_subdirectory  the same, with the consumer adding TAPELESS_SOURCE_DIR itself.
# The consumer is built with CXX_COMPILER, GENERATOR (+ MAKE_PROGRAM) and CONFIG.
cmake_minimum_required(VERSION 3.25)

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE out)
  list(JOIN ARGN " " command_line)
  if(NOT result EQUAL 0)
    message(FATAL_ERROR "package.${MODE}: ${what} failed (${result}).\n${command_line}\n${out}")
  endif()
  message(STATUS "package.${MODE}: ${what}: OK")
  set(run_output "${out}" PARENT_SCOPE)
endfunction()

if(MODE STREQUAL "install")
  file(REMOVE_RECURSE "${PREFIX}")
  run("cmake --install" "${CMAKE_COMMAND}" --install "${TAPELESS_BINARY_DIR}"
      --prefix "${PREFIX}" --config "${CONFIG}")
  foreach(file include/tapeless/tapeless.hpp share/cmake/tapeless/tapelessConfig.cmake
               share/cmake/tapeless/tapelessConfigVersion.cmake
               share/cmake/tapeless/tapelessTargets.cmake
               share/cmake/tapeless/tapelessXtlShim.cmake)
    if(NOT EXISTS "${PREFIX}/${file}")
      message(FATAL_ERROR "package.install: ${PREFIX}/${file} was not installed")
    endif()
  endforeach()
  return()
endif()

set(build_dir "${WORK_ROOT}/${MODE}")
file(REMOVE_RECURSE "${build_dir}")
set(configure "${CMAKE_COMMAND}" -S "${CONSUMER_DIR}" -B "${build_dir}" -G "${GENERATOR}"
    "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}" "-DCMAKE_BUILD_TYPE=${CONFIG}")
if(MAKE_PROGRAM)
  list(APPEND configure "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(MODE STREQUAL "find_package")
  list(APPEND configure "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DEXPECTED_PREFIX=${PREFIX}")
elseif(MODE STREQUAL "add_subdirectory")
  list(APPEND configure "-DTAPELESS_SOURCE_DIR=${TAPELESS_SOURCE_DIR}")
else()
  message(FATAL_ERROR "package_test.cmake: unknown MODE '${MODE}'")
endif()

run("configure" ${configure})
run("build" "${CMAKE_COMMAND}" --build "${build_dir}" --config "${CONFIG}")
run("run" "${build_dir}/consumer")
message(STATUS "consumer says: ${run_output}")
