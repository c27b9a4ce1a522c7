"""Convolutions at ResNet-50's shapes: pith beside ONNX Runtime.

One convolution (an ONNX Conv with an [F, C, K, K] initializer, "same"
padding, batch 1) per shape, run by:

  pith-f32   pith, the f32 convolution
  pith-w8    pith --quantize=w8 (int8 weights, one scale per filter)
  pith-w8a8  pith --quantize=w8a8 (int8 weights, and the input quantized
             to int8 per tensor at run time: integer dot products)
  ort-f32    ONNX Runtime, the f32 convolution
  ort-dyn8   ONNX Runtime's dynamic quantization (quantize_dynamic:
             ConvInteger of uint8 inputs and weights)

Run as bench/compression.py runs (alternating rounds on one input,
medians, --threads threads). One-thread sgemm (numpy's BLAS) is measured
in the same run: each convolution's FLOPs over pith's latency are given as
a fraction of sgemm x threads. Results go to build/bench/convolutions.json.
"""

import argparse
import json
import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compression import ROOT, ort_engine, pith_engine  # noqa: E402
from run import THREADS, alternate, log, sgemm_rate  # noqa: E402
import e2e_models  # noqa: E402  (run puts python/tests on the path)

import numpy as np  # noqa: E402
import onnx  # noqa: E402

# name: (channels, filters, image size, kernel, stride)
SHAPES = {"stem": (3, 64, 224, 7, 2), "res2-3x3": (64, 64, 56, 3, 1),
          "res2-1x1": (64, 256, 56, 1, 1), "res3-3x3": (128, 128, 28, 3, 1),
          "res4-3x3": (256, 256, 14, 3, 1), "res5-3x3": (512, 512, 7, 3, 1),
          "res5-1x1": (2048, 512, 7, 1, 1)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--shapes", default=",".join(SHAPES))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=0.2, help="time per batch")
    parser.add_argument("--output", type=pathlib.Path,
                        default=ROOT / "build" / "bench" / "convolutions.json")
    args = parser.parse_args()
    from onnxruntime.quantization import QuantType, quantize_dynamic

    sgemm = sgemm_rate(args.rounds)
    log(f"convolutions: one-thread sgemm {sgemm / 1e9:.1f} GFLOP/s, {THREADS} thread(s)")
    rng = np.random.default_rng(0)
    results = []
    with tempfile.TemporaryDirectory(prefix="pith-bench-") as scratch:
        for name in args.shapes.split(","):
            channels, filters, size, kernel, stride = SHAPES[name]
            model = e2e_models.convolution(channels, filters, size, kernel, stride)
            out = model.graph.output[0].type.tensor_type.shape.dim[2].dim_value
            path = pathlib.Path(scratch) / f"{name}.onnx"
            onnx.save(model, path)
            # ONNX Runtime's CPU ConvInteger takes uint8 weights.
            dyn8 = pathlib.Path(scratch) / f"{name}-dyn8.onnx"
            quantize_dynamic(str(path), str(dyn8), weight_type=QuantType.QUInt8)
            feeds = {"x": rng.standard_normal((1, channels, size, size)).astype(np.float32)}
            log(f"convolutions: {name} {channels}->{filters} {kernel}x{kernel}/{stride} "
                f"at {size}x{size}")
            engines = [pith_engine("pith-f32", path, feeds),
                       pith_engine("pith-w8", path, feeds, quantize="w8"),
                       pith_engine("pith-w8a8", path, feeds, quantize="w8a8"),
                       ort_engine("ort-f32", path, feeds),
                       ort_engine("ort-dyn8", dyn8, feeds)]
            latency = alternate(engines, args.rounds, args.seconds)
            flops = 2 * filters * channels * kernel * kernel * out * out
            row = {"shape": name, "channels": channels, "filters": filters, "size": size,
                   "kernel": kernel, "stride": stride, "flops": flops,
                   "latency_us": latency,
                   "pith_f32_sgemm_fraction":
                       flops / (latency["pith-f32"] * 1e-6) / (sgemm * THREADS)}
            results.append(row)
            print(f"{name:9s} pith f32 {latency['pith-f32']:8.1f} us  w8 {latency['pith-w8']:8.1f}"
                  f"  w8a8 {latency['pith-w8a8']:8.1f} | ort f32 {latency['ort-f32']:8.1f}"
                  f"  dyn8 {latency['ort-dyn8']:8.1f} | ort/pith f32 "
                  f"{latency['ort-f32'] / latency['pith-f32']:4.2f}x  int8 "
                  f"{latency['ort-dyn8'] / latency['pith-w8a8']:4.2f}x  pith f32 at "
                  f"{row['pith_f32_sgemm_fraction']:4.0%} of sgemm", flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"threads": THREADS, "sgemm_flops": sgemm,
                                       "results": results}, indent=2) + "\n")
    log(f"convolutions: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
