#!/usr/bin/env bash
#===- scripts/demo.sh - pith's main job on the bundled example ----------===#
#
# Compiles the bundled example ONNX model for this machine, runs the
# package, and compares it with ONNX Runtime in the same run: the
# package's size, the largest difference of the outputs, and latency.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

"$root/scripts/setup.sh" >/dev/null
export CCACHE_SLOPPINESS=pch_defines,time_macros,include_file_mtime,include_file_ctime
if [ ! -f build/build.ninja ]; then
  cmake --preset default >/dev/null
fi
echo "demo: building pith (incremental)"
cmake --build --preset default >/dev/null

model=examples/mlp/mlp.onnx
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo
echo "demo: compiling $model ($(wc -c <"$model") bytes) for this CPU"
build/bin/pith-compile "$model" --input-shape x=1x64 -o "$out/mlp.pith" --progress 2>&1 |
  sed -n '1p;/lower-to-linalg/p;/outline-weights/p;/export-entry/p;$p' | sed 's/^/  /'
echo "  package: $(wc -c <"$out/mlp.pith") bytes (weights mapped in place, code loaded from memory)"

echo
echo "demo: running it (pith-run, random input)"
build/bin/pith-run "$out/mlp.pith" --random-inputs --output-dir "$out" | sed 's/^/  /'

echo
echo "demo: against ONNX Runtime, same inputs, same process"
PYTHONPATH="$root/build/python" .venv/bin/python scripts/demo.py "$model" "$out/mlp.pith"
