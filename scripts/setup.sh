#!/usr/bin/env bash
#===- scripts/setup.sh - Install what pith needs -------------------------===#
#
# Idempotent: installs the Debian packages pith builds against (only those
# missing) and a project-local Python venv (.venv) from the pinned
# requirements (only when they changed). A second run takes seconds.
#
#===----------------------------------------------------------------------===#
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

packages=(
  # Compiler infrastructure: LLVM/MLIR 22 with lit, FileCheck and tools.
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools clang-22 lld-22
  libclang-rt-22-dev
  libomp-22-dev
  # Build.
  cmake ninja-build ccache
  # ONNX (protobuf model format and its C++ library), FlatBuffers, tests.
  libonnx-dev libprotobuf-dev protobuf-compiler
  libflatbuffers-dev flatbuffers-compiler
  # .npz calibration inputs (deflated archives).
  zlib1g-dev
  libgtest-dev
  # Python venv.
  python3-venv python3-dev
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  if ! "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
    # Package lists may be stale or absent on a fresh machine.
    "${sudo[@]}" apt-get update -q
    "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
  fi
fi

# The venv is rebuilt only when the pinned requirements change.
requirements=(python/requirements.txt python/requirements-dev.txt)
want=$(cat "${requirements[@]}" | sha256sum | cut -d' ' -f1)
stamp=.venv/.requirements.sha256
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "setup: creating .venv from ${requirements[*]}"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r python/requirements-dev.txt
  echo "$want" >"$stamp"
fi

# The venv imports pith from the build tree (build/python/pith).
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
echo "$root/build/python" >"$site/pith-build.pth"

echo "setup: ready (LLVM $(/usr/lib/llvm-22/bin/llvm-config --version), $(.venv/bin/python --version))"
