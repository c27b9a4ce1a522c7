#!/usr/bin/env bash
#===- bench/run.sh - pith beside ONNX Runtime and IREE, in one run -------===#
#
# Installs the engines pith is compared with (bench/requirements.txt) into
# the project venv, builds pith if needed, and runs bench/run.py, which
# writes build/bench/latest.json and prints a table. Arguments go to
# run.py (see --help).
#
#===----------------------------------------------------------------------===#
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh"
if ! .venv/bin/python -m pip install --quiet --disable-pip-version-check \
    -r bench/requirements.txt; then
  echo "bench: could not install bench/requirements.txt; IREE will be skipped" >&2
fi
if [ ! -f build/build.ninja ]; then
  cmake --preset default
fi
cmake --build --preset default
exec .venv/bin/python bench/run.py "$@"
