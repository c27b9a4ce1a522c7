#!/usr/bin/env bash
#===- bench/gpu/run.sh - Check and time pith on the lent GPU machine -----===#
#
# Runs on the GPU machine, in the repository root, with the archive
# bench/gpu/prepare.py wrote here carried along (default
# build/gpu-bench.tar.gz): unpacks it, prints the device's name and driver,
# then runs bench/gpu/check.py (numerics of every package against its
# reference, then GEMV timings against torch fp16 and the copy bandwidth).
# Results go to $OUT/gpu-bench.json when OUT is set.
#
#   device: bash bench/gpu/run.sh [ARCHIVE]   (carry: build/gpu-bench.tar.gz)
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
archive=${1:-$root/build/gpu-bench.tar.gz}
if [ ! -f "$archive" ]; then
  echo "error: $archive is missing; run bench/gpu/prepare.py here first" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tar -xzf "$archive" -C "$work"
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
python3 "$root/bench/gpu/check.py" "$work/gpu-bench" ${OUT:+--json-dir "$OUT"}
