"""Quantized linear layers: pith beside ONNX Runtime's quantized kernels.

One linear layer y = x W (an ONNX MatMul with a [K, N] initializer) per
shape, at M = 1 and M = 128 rows, run by:

  pith-f32      pith, the f32 layer
  pith-w8       pith --quantize=w8 (int8 weights, one scale per column)
  pith-w4g128   pith --quantize=w4g128 (int4 weights, groups of 128 along K)
  pith-w8a8     pith --quantize=w8a8 (int8 weights, activations quantized
                to int8 per token; int8 products with AVX-512 VNNI, else
                f32 on the rounded values)
  pith-w4a8     pith --quantize=w4g128a8 (int4 weights as pith-w4g128,
                activations as pith-w8a8: what MatMulNBits computes)
  pith-2:4      pith --sparsify=2:4 (kept values and their positions:
                2.25 bytes a weight)
  ort-f32       ONNX Runtime, the f32 layer
  ort-nbits4    ONNX Runtime's MatMulNBits, int4 in blocks of 128 (the
                same quantized weights as pith-w4g128), accuracy_level 4
                (its fastest: activations quantized to int8 on the fly)
  ort-dyn8      ONNX Runtime's dynamic quantization (quantize_dynamic:
                int8 weights, activations quantized per call)

All run from Python, alternating in rounds on the same input (medians of
the rounds), with --threads threads. The memory read bandwidth is measured
in the same run; at M = 1 each layer's weight bytes over its latency are
given as a fraction of it. Results go to build/bench/compression.json.
"""

import argparse
import json
import pathlib
import sys
import tempfile
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import THREADS, alternate, log, read_bandwidth  # noqa: E402  (sets the thread variables)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402

import pith  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
SHAPES = {"minilm-qkv": (384, 384), "minilm-ffn1": (384, 1536), "minilm-ffn2": (1536, 384),
          "llama-attn": (4096, 4096), "llama-mlp": (4096, 11008)}
BLOCK = 128


def matmul_model(weights, m):
    k, n = weights.shape
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="proj")], "linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(weights, "W")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def nbits_model(weights, m):
    """MatMulNBits over int4 blocks of 128 along K quantized as pith's w4g128
    does (the block's extreme maps to -8; stored unsigned with zero point 8)."""
    k, n = weights.shape
    blocks = weights.T.reshape(n, k // BLOCK, BLOCK)
    extreme = np.take_along_axis(blocks, np.abs(blocks).argmax(-1)[..., None], -1)
    scales = np.where(extreme == 0, 1.0, extreme / -8.0).astype(np.float32)
    q = np.clip(np.rint(blocks / scales), -8, 7).astype(np.int8) + 8
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    node = helper.make_node("MatMulNBits", ["x", "B", "scales"], ["y"], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=BLOCK, accuracy_level=4)
    graph = helper.make_graph(
        [node], "nbits",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(packed, "B"),
         numpy_helper.from_array(scales.reshape(-1), "scales")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                   helper.make_opsetid("com.microsoft", 1)])


class Engine:
    def __init__(self, name, run, weight_bytes):
        self.name, self.run, self.weight_bytes = name, run, weight_bytes

    def __call__(self):
        return self.run()


def ort_engine(name, path, feeds):
    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return Engine(name, lambda: session.run(None, feeds), path.stat().st_size)


def pith_engine(name, path, feeds, **compression):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = pith.compile(path, **compression)
    return Engine(name, lambda: model.run(feeds), model.weight_bytes)


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def layer_arguments(description, name):
    """The options bench/compression.py and bench/sparsity.py share; results
    go to build/bench/NAME.json by default."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--rows", default="1,128")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.2, help="time per batch")
    parser.add_argument("--output", type=pathlib.Path,
                        default=ROOT / "build" / "bench" / f"{name}.json")
    return parser.parse_args()


def layer_cases(args, scratch, name):
    """Each shape and row count of `args`: (shape name, k, n, m, weights,
    feeds, the f32 model's path in `scratch`), logged as it starts."""
    rng = np.random.default_rng(0)
    for shape_name in args.shapes.split(","):
        k, n = SHAPES[shape_name]
        weights = (rng.standard_normal((k, n)) * 0.02).astype(np.float32)
        for m in [int(r) for r in args.rows.split(",")]:
            log(f"{name}: {shape_name} {k}x{n}, M={m}")
            feeds = {"x": rng.standard_normal((m, k)).astype(np.float32)}
            f32 = scratch / f"{shape_name}-{m}.onnx"
            onnx.save(matmul_model(weights, m), f32)
            yield shape_name, k, n, m, weights, feeds, f32


def write_results(args, bandwidth, results, name):
    """The results, the threads and the bandwidth, to args.output."""
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"threads": THREADS, "read_bandwidth": bandwidth,
                                       "results": results}, indent=2) + "\n")
    log(f"{name}: wrote {args.output}")


def main():
    args = layer_arguments(__doc__.split("\n\n")[0], "compression")
    from onnxruntime.quantization import QuantType, quantize_dynamic

    bandwidth = read_bandwidth(args.rounds)
    log(f"compression: memory read bandwidth {bandwidth / 1e9:.1f} GB/s, {THREADS} thread(s)")
    results = []
    with tempfile.TemporaryDirectory(prefix="pith-bench-") as scratch:
        scratch = pathlib.Path(scratch)
        cases = layer_cases(args, scratch, "compression")
        for shape_name, k, n, m, weights, feeds, f32 in cases:
            nbits = scratch / f"{shape_name}-{m}-nbits.onnx"
            onnx.save(nbits_model(weights, m), nbits)
            dyn8 = scratch / f"{shape_name}-{m}-dyn8.onnx"
            quantize_dynamic(str(f32), str(dyn8), weight_type=QuantType.QInt8)
            engines = [pith_engine("pith-f32", f32, feeds),
                       pith_engine("pith-w8", f32, feeds, quantize="w8"),
                       pith_engine("pith-w4g128", f32, feeds, quantize="w4g128"),
                       pith_engine("pith-w8a8", f32, feeds, quantize="w8a8"),
                       pith_engine("pith-w4a8", f32, feeds, quantize="w4g128a8"),
                       pith_engine("pith-2:4", f32, feeds, sparsify="2:4"),
                       ort_engine("ort-f32", f32, feeds),
                       ort_engine("ort-nbits4", nbits, feeds),
                       ort_engine("ort-dyn8", dyn8, feeds)]
            reference = engines[6]()[0]
            agreement = {}
            for engine in engines:
                out = engine()
                out = out["y"] if isinstance(out, dict) else out[0]
                agreement[engine.name] = cosine(out, reference)
            latency = alternate(engines, args.rounds, args.seconds)
            row = {"shape": shape_name, "k": k, "n": n, "m": m, "latency_us": latency,
                   "cosine_to_f32": agreement}
            if m == 1:
                row["bandwidth_fraction"] = {
                    e.name: e.weight_bytes / (latency[e.name] * 1e-6) / bandwidth
                    for e in engines if e.name.startswith("pith")}
            results.append(row)
            print_row(row)
    write_results(args, bandwidth, results, "compression")


def print_row(row):
    t = row["latency_us"]
    fraction = row.get("bandwidth_fraction", {})
    print(f"{row['shape']:12s} M={row['m']:<4d} "
          f"pith f32 {t['pith-f32']:9.1f} us  w8 {t['pith-w8']:9.1f}  w4g128 {t['pith-w4g128']:9.1f}"
          f"  w8a8 {t['pith-w8a8']:9.1f}  w4a8 {t['pith-w4a8']:9.1f}  2:4 {t['pith-2:4']:9.1f}"
          f" | ort f32 {t['ort-f32']:9.1f}  nbits4 {t['ort-nbits4']:9.1f}  dyn8 {t['ort-dyn8']:9.1f}"
          f" | f32/w4 {t['pith-f32'] / t['pith-w4g128']:5.2f}x"
          f"  ort-nbits4/w4a8 {t['ort-nbits4'] / t['pith-w4a8']:5.2f}x"
          f"  ort-dyn8/w8a8 {t['ort-dyn8'] / t['pith-w8a8']:5.2f}x"
          f"  ort-f32/f32 {t['ort-f32'] / t['pith-f32']:5.2f}x"
          + (f"  w4 at {fraction['pith-w4g128'] * 100:4.0f}% of bandwidth" if fraction else ""),
          flush=True)


if __name__ == "__main__":
    main()
