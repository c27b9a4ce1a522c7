#!/usr/bin/env bash
#===- scripts/test.sh - Build pith and run every test suite --------------===#
#
# Installs what is missing (scripts/setup.sh), configures once, builds
# incrementally and runs every suite (lit, GoogleTest, pytest) through
# ctest, ending with ctest's summary. Extra arguments go to ctest.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh"

# ccache may hit on sources compiled with the shared precompiled header.
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime

start=$SECONDS
if [ ! -f build/build.ninja ]; then
  cmake --preset default
fi
cmake --build --preset default
echo "test: build took $((SECONDS - start)) s"

start=$SECONDS
ctest --preset default "$@"
echo "test: tests took $((SECONDS - start)) s"
