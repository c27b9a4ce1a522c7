#!/usr/bin/env python3
"""Builds what bench/gpu/run.sh needs on the GPU machine, which has CUDA,
python, numpy and torch but no LLVM: pith's runtime and tools, and GPU
packages with their inputs and reference outputs.

    .venv/bin/python bench/gpu/prepare.py [--target sm_90] [--output DIR]

For each end-to-end test model (python/tests/e2e_models.py, the bundled
example, a PyTorch export of a small BERT) and for the encoder block
compressed (w8, w4g32, w8a8), a package for the GPU, seeded inputs and the
reference outputs: ONNX Runtime's (CPU) for fp32 models, pith's own CPU
package's for compressed ones (the same compression, so the comparison
isolates the GPU code). For the GEMV benchmark, linear layers of LLaMA-7B's
shapes (4096x4096 and 4096x11008) with int4-g128 and int8 weights at M=1
and M=16, checked against pith's CPU package too. Everything goes into one
archive, OUT (default build/gpu-bench.tar.gz, a few MiB: the GEMV weights
repeat a random block), with manifest.json describing it; carry OUT, and
bench/gpu/run.sh unpacks it there.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import sys
import tarfile
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "python" / "tests"))
import e2e_models  # noqa: E402

import pith  # noqa: E402

# (name, M, K, N, scheme): weights in bytes fit the carry limit together.
GEMVS = [(f"llama-{k}x{n}", m, k, n, scheme)
         for k, n in ((4096, 4096), (4096, 11008))
         for scheme in ("w4g128", "w8")
         for m in (1, 16)]
# Compressed forms of the encoder block, compared with pith on the CPU.
COMPRESSED = ["w8", "w4g32", "w8a8"]
# As test_e2e.py: 1e-4 relative, with an absolute floor of 1e-4 of the
# output's largest magnitude.
TOLERANCE = 1e-4


def linear(m: int, k: int, n: int, seed: int) -> onnx.ModelProto:
    # A random 256x256 block tiled over the weight: timing does not depend
    # on the values, and the packages then compress to little to carry.
    rng = np.random.default_rng(seed)
    block = (rng.standard_normal((256, 256)) / np.sqrt(k)).astype(np.float32)
    weight = np.tile(block, (k // 256, -(-n // 256)))[:, :n]
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "w"], ["y"])], "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(weight, "w")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def inputs_for(model: pith.Model, seed: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    feeds = {}
    for info in model.inputs:
        if info.name == "input_ids":
            feeds[info.name] = rng.integers(1, 64, info.shape).astype(info.dtype)
        elif info.dtype.kind == "f":
            feeds[info.name] = rng.standard_normal(info.shape).astype(info.dtype)
        else:
            feeds[info.name] = rng.integers(0, 2, info.shape).astype(info.dtype)
    return feeds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--target", default="sm_90")
    parser.add_argument("--output", type=pathlib.Path,
                        default=ROOT / "build" / "gpu-bench.tar.gz")
    args = parser.parse_args()
    scratch = tempfile.TemporaryDirectory(prefix="pith-gpu-bench-")
    out = pathlib.Path(scratch.name) / "gpu-bench"
    for folder in ("bin", "lib", "models", "data"):
        (out / folder).mkdir(parents=True)
    build = ROOT / "build"
    for tool in ("pith-run", "pith-bench"):
        shutil.copy2(build / "bin" / tool, out / "bin" / tool)
    shutil.copy2(build / "lib" / "libpith_runtime.so", out / "lib" / "libpith_runtime.so")

    manifest: dict = {"target": args.target, "checks": [], "gemv": []}

    def add_check(name: str, model, shapes: dict, quantize: str = "") -> pathlib.Path:
        source = out / "models" / f"{name}.onnx"
        if isinstance(model, pathlib.Path):
            onnx_path = model
        else:
            source.write_bytes(model.SerializeToString())
            onnx_path = source
        package = out / f"{name}.pith"
        pith.compile(onnx_path, target=args.target, output=package, input_shapes=shapes,
                     quantize=quantize or None, load=False)
        cpu = pith.compile(onnx_path, input_shapes=shapes, quantize=quantize or None)
        feeds = inputs_for(cpu, seed=len(manifest["checks"]))
        if quantize:
            expected = cpu.run(feeds)
        else:
            session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
            names = [o.name for o in session.get_outputs()]
            expected = dict(zip(names, session.run(names, feeds)))
        entry = {"name": name, "package": package.name, "inputs": {}, "outputs": {},
                 "reference": "pith CPU" if quantize else "ONNX Runtime CPU",
                 "tolerance": TOLERANCE}
        for kind, arrays in (("inputs", feeds), ("outputs", expected)):
            for tensor, array in arrays.items():
                path = out / "data" / f"{name}.{kind}.{tensor}.npy"
                np.save(path, np.require(array, requirements="C"))
                entry[kind][tensor] = f"data/{path.name}"
        manifest["checks"].append(entry)
        if source.exists() and source.stat().st_size > (1 << 20):
            source.unlink()
        return package

    print("end-to-end models", flush=True)
    add_check("mlp", e2e_models.mlp(batch=4), {})
    add_check("cnn", e2e_models.cnn(), {})
    add_check("encoder-block", e2e_models.encoder_block(), {})
    add_check("example-mlp", ROOT / "examples" / "mlp" / "mlp.onnx", {})
    add_check("tiny-bert", ROOT / "test" / "import" / "models" / "tiny-bert-opset17.onnx",
              {"input_ids": [1, 16], "attention_mask": [1, 16]})
    for scheme in COMPRESSED:
        add_check(f"encoder-block-{scheme}", e2e_models.encoder_block(), {}, scheme)

    print("GEMV layers", flush=True)
    for shape, m, k, n, scheme in GEMVS:
        name = f"{shape}-m{m}-{scheme}"
        print(f"  {name}", flush=True)
        package = add_check(name, linear(m, k, n, seed=k + n), {}, scheme)
        # The bytes a run must read: packed weights and one f32 scale per
        # output and group.
        groups = k // 128 if "g128" in scheme else 1
        bits = 4 if scheme.startswith("w4") else 8
        manifest["gemv"].append({"name": name, "package": package.name, "m": m, "k": k,
                                 "n": n, "scheme": scheme,
                                 "weight_bytes": k * n * bits // 8 + groups * n * 4})

    (out / "manifest.json").write_text(json.dumps(manifest, indent=1))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(args.output, "w:gz") as archive:
        archive.add(out, arcname="gpu-bench")
    size = args.output.stat().st_size
    print(f"wrote {args.output} ({size / 2**20:.1f} MiB)")
    if size > 48 * 2**20:
        print("error: too much to carry beside the tree (the device tool takes 64 MiB)",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
