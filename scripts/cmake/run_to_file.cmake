# Runs a program and writes its standard output to a file, replacing the file only when the
# text changed (so what depends on it is not rebuilt for nothing). A failing program fails the build.
# Usage: cmake -DEMULATOR=node -DPROGRAM=gen.js -DARGS="js" -DOUTPUT=out.js -P run_to_file.cmake
# EMULATOR may be empty (a native program).
execute_process(COMMAND ${EMULATOR} ${PROGRAM} ${ARGS}
                OUTPUT_FILE "${OUTPUT}.tmp"
                RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  file(REMOVE "${OUTPUT}.tmp")
  message(FATAL_ERROR "${PROGRAM} ${ARGS} failed: ${result}")
endif()
file(COPY_FILE "${OUTPUT}.tmp" "${OUTPUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUTPUT}.tmp")
