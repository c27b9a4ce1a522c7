"""Every end-to-end model, plain and compressed, compiled for NVIDIA GPUs
(sm_80 and sm_90) into packages whose PTX ptxas assembles (where the CUDA
toolkit is installed), and run with the GPU's kernels on this CPU
(--target=gpu-emulator) and, on a machine with a GPU, on the GPU: compared
with ONNX Runtime at test_e2e's tolerance (1e-4 relative), compressed
models with pith's own CPU package of the same compression at the same
tolerance."""

import functools
import os
import pathlib
import subprocess

import numpy as np
import pytest

import e2e_models
import pith
from test_e2e import assert_matches, random_inputs

ROOT = pathlib.Path(__file__).resolve().parents[2]
TARGETS = ["sm_80", "sm_90"]


def _models():
    models = {
        "mlp": (e2e_models.mlp(batch=4), {}),
        "cnn": (e2e_models.cnn(), {}),
        "encoder-block": (e2e_models.encoder_block(), {}),
        "example-mlp": (ROOT / "examples" / "mlp" / "mlp.onnx", {}),
        "tiny-cnn": (ROOT / "test" / "import" / "models" / "tiny-cnn-opset17.onnx", {}),
    }
    for opset in (17, 18):
        models[f"tiny-bert-opset{opset}"] = (
            ROOT / "test" / "import" / "models" / f"tiny-bert-opset{opset}.onnx",
            {"input_ids": [1, 16], "attention_mask": [1, 16]})
    minilm = pathlib.Path(os.environ.get("PITH_BUILD_DIR", ROOT / "build")) / "models" / "minilm-l6.onnx"
    if minilm.exists():
        models["minilm-l6"] = (minilm, {"input_ids": [1, 128], "attention_mask": [1, 128]})
    return models


MODELS = _models()
# Compressed forms, on the encoder block (its linear layers are 64 wide):
# pith.compile's arguments. 2:4 weights are expanded on GPUs (at compile
# time, or at each run for int8 kept values).
COMPRESSIONS = {
    "w8": {"quantize": "w8"}, "w4g32": {"quantize": "w4g32"}, "w8a8": {"quantize": "w8a8"},
    "w4g32-asym": {"quantize": "w4g32-asym"}, "w8a8-rotate": {"quantize": "w8a8-rotate"},
    "2:4": {"sparsify": "2:4"},
    "2:4+w8": {"sparsify": "2:4", "quantize": "w8"},
}


def _compile(model, shapes, target, directory, **compression):
    package = directory / f"model-{target}.pith"
    pith.compile(model, target=target, output=package, input_shapes=shapes,
                 load=False, **compression)
    assert package.stat().st_size > 0
    return package


@functools.cache
def _gpu_target():
    """The architecture of this machine's GPU (sm_XY), or None without one:
    a tiny GPU package loads only where the driver finds a device."""
    import tempfile

    with tempfile.TemporaryDirectory() as scratch:
        package = _compile(e2e_models.mlp(batch=1), {}, "sm_80", pathlib.Path(scratch))
        try:
            pith.load(package)
        except pith.ModelError as error:
            if error.code == 5:  # PITH_UNSUPPORTED_TARGET: no driver or device
                return None
            raise
    # The device's own architecture where pith has it, so that the cubin
    # loads (its PTX, JIT-compiled, otherwise).
    try:
        capability = subprocess.run(
            ["nvidia-smi", "--query-gpu=compute_cap", "--format=csv,noheader"],
            capture_output=True, text=True, check=True).stdout.split()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "sm_80"
    target = "sm_" + capability.replace(".", "")
    return target if target in TARGETS + ["sm_86", "sm_89"] else "sm_80"


@pytest.mark.filterwarnings("ignore:.*is taken as 1")
@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("name", sorted(MODELS))
def test_compiles_for_gpu(name, target, tmp_path):
    model, shapes = MODELS[name]
    _compile(model, shapes, target, tmp_path)


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("scheme", sorted(COMPRESSIONS))
def test_compressed_compiles_for_gpu(scheme, target, tmp_path):
    _compile(e2e_models.encoder_block(), {}, target, tmp_path, **COMPRESSIONS[scheme])


def _run_target(where: str) -> str:
    if where == "emulator":
        return "gpu-emulator"
    target = _gpu_target()
    if target is None:
        pytest.skip("no CUDA driver or device")
    return target


@pytest.mark.filterwarnings("ignore:.*is taken as 1")
@pytest.mark.parametrize("where", ["emulator", "gpu"])
@pytest.mark.parametrize("name", sorted(MODELS))
def test_runs(name, where, tmp_path):
    target = _run_target(where)
    model, shapes = MODELS[name]
    compiled = pith.load(_compile(model, shapes, target, tmp_path))
    feeds = random_inputs(compiled)
    if "input_ids" in feeds:
        feeds["input_ids"] = np.random.default_rng(1).integers(1, 64, feeds["input_ids"].shape)
    assert_matches(compiled, model, feeds)


@pytest.mark.parametrize("where", ["emulator", "gpu"])
@pytest.mark.parametrize("scheme", sorted(COMPRESSIONS))
def test_compressed_runs(scheme, where, tmp_path):
    target = _run_target(where)
    model = e2e_models.encoder_block()
    gpu = pith.load(_compile(model, {}, target, tmp_path, **COMPRESSIONS[scheme]))
    cpu = pith.compile(model, **COMPRESSIONS[scheme])
    feeds = random_inputs(gpu)
    feeds["mask"][:, -5:] = 0
    want, got = cpu.run(feeds)["output"], gpu.run(feeds)["output"]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())


@pytest.mark.parametrize("where", ["emulator", "gpu"])
def test_quantized_cnn_runs(where, tmp_path):
    """Quantized convolutions (per output channel) on the GPU path."""
    target = _run_target(where)
    model = e2e_models.cnn()
    gpu = pith.load(_compile(model, {}, target, tmp_path, quantize="w4"))
    cpu = pith.compile(model, quantize="w4")
    feeds = random_inputs(gpu)
    want, got = cpu.run(feeds)["logits"], gpu.run(feeds)["logits"]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
