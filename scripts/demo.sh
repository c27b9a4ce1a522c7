#!/usr/bin/env bash
#===- scripts/demo.sh - pith's main job on the bundled example ----------===#
#
# Compiles the bundled example model as far as pith's pipeline goes today,
# shows what each stage did, and says where the pipeline stops.
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
count() { grep -c "$1" "$2" || true; }

echo
echo "demo: model $model ($(wc -c <"$model") bytes, ONNX opset 20)"
build/bin/pith-import-onnx "$model" --input-shape x=1x64 -o "$out/imported.mlir"
echo "  [ok] import: $(count 'pith\.' "$out/imported.mlir") pith ops," \
  "$(count 'pith.matmul' "$out/imported.mlir") matmul + $(count 'pith.add' "$out/imported.mlir") add," \
  "weights in dialect resources"

build/bin/pith-opt "$out/imported.mlir" --pith-fuse-linear --canonicalize \
  -o "$out/fused.mlir"
echo "  [ok] pith-fuse-linear, canonicalize: $(count 'pith.linear' "$out/fused.mlir")" \
  "linear layers, weights transposed to [N, K] at compile time"
echo
build/bin/pith-opt "$out/fused.mlir" --mlir-elide-resource-strings-if-larger=16 |
  sed -n '/func.func/,/^  }/p'
echo
echo "demo: the pipeline stops here. Not built yet: lowering, code generation"
echo "      and the .pith package (issue 4), compression passes (issue 5), the"
echo "      NVPTX target (issue 6)."
