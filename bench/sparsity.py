"""Sparse linear layers stored as their nonzeros, beside dense f32.

One linear layer y = x W (an ONNX MatMul with a [K, N] initializer) per
shape, at M = 1 and M = 128 rows, run by:

  pith-f32        pith, the f32 layer
  pith-0.5        pith --sparsify=0.5 (half the weights, unstructured: at
                  M = 1 the nonzeros and a 16-bit mask per 16 features and
                  input; at M = 128, from 64 rows on, the nonzeros with
                  their inputs' places, per 16 features and 32 inputs)
  pith-0.9        pith --sparsify=0.9 (unstructured, 90%)
  pith-b16x8-0.9  pith --sparsify=block16x8:0.9 (90% of the blocks of 16
                  features by 8 inputs: at M = 1 whole chunks of masks are
                  zero and skipped)
  ort-f32         ONNX Runtime, the f32 layer

Run as bench/compression.py runs (alternating rounds on one input, medians,
--threads threads, the read bandwidth measured in the same run). Results go
to build/bench/sparsity.json.
"""

import pathlib
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compression import (layer_arguments, layer_cases, ort_engine,  # noqa: E402
                         pith_engine, write_results)
from run import THREADS, alternate, log, read_bandwidth  # noqa: E402

SPARSITY = {"pith-0.5": "0.5", "pith-0.9": "0.9", "pith-b16x8-0.9": "block16x8:0.9"}


def main():
    args = layer_arguments(__doc__.split("\n\n")[0], "sparsity")
    bandwidth = read_bandwidth(args.rounds)
    log(f"sparsity: memory read bandwidth {bandwidth / 1e9:.1f} GB/s, {THREADS} thread(s)")
    results = []
    with tempfile.TemporaryDirectory(prefix="pith-bench-") as scratch:
        cases = layer_cases(args, pathlib.Path(scratch), "sparsity")
        for shape_name, k, n, m, _, feeds, f32 in cases:
            engines = [pith_engine("pith-f32", f32, feeds)]
            engines += [pith_engine(name, f32, feeds, sparsify=spec)
                        for name, spec in SPARSITY.items()]
            engines.append(ort_engine("ort-f32", f32, feeds))
            latency = alternate(engines, args.rounds, args.seconds)
            row = {"shape": shape_name, "k": k, "n": n, "m": m, "latency_us": latency,
                   "weight_bytes": {e.name: e.weight_bytes for e in engines}}
            results.append(row)
            print_row(row)
    write_results(args, bandwidth, results, "sparsity")


def print_row(row):
    t, size = row["latency_us"], row["weight_bytes"]
    cells = "  ".join(f"{name[5:]} {t[name]:9.1f} ({t['pith-f32'] / t[name]:4.2f}x,"
                      f" {size['pith-f32'] / size[name]:4.2f}x smaller)" for name in SPARSITY)
    print(f"{row['shape']:12s} M={row['m']:<4d} pith f32 {t['pith-f32']:9.1f} us  {cells}"
          f" | ort f32 {t['ort-f32']:9.1f}", flush=True)


if __name__ == "__main__":
    main()
