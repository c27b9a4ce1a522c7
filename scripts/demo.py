"""The demo's measurements: a compiled package against ONNX Runtime on the
same inputs, in one process: the largest difference of the outputs, and
the latency of each, timed alternately (medians of batches of runs)."""

import statistics
import sys
import time

import numpy as np
import onnxruntime as ort

import pith

onnx_path, package_path = sys.argv[1], sys.argv[2]
model = pith.load(package_path)
options = ort.SessionOptions()
options.intra_op_num_threads = 1
session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])

rng = np.random.default_rng(0)
feeds = {i.name: rng.standard_normal(i.shape).astype(i.dtype) for i in model.inputs}
ours = model.run(feeds)
theirs = dict(zip([o.name for o in session.get_outputs()], session.run(None, feeds)))
for name, want in theirs.items():
    error = np.abs(ours[name] - want).max()
    relative = error / np.abs(want).max()
    print(f"  output '{name}' {list(want.shape)}: largest difference from ONNX Runtime "
          f"{error:.2e} ({relative:.1e} of its largest value)")

# Both run single-threaded on the same inputs, outputs preallocated for
# pith (as ONNX Runtime reuses its own), alternating in batches.
outputs = {o.name: np.empty(o.shape, o.dtype) for o in model.outputs}
names = [o.name for o in session.get_outputs()]


def batch(run, count=200):
    start = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - start) / count * 1e6


for _ in range(50):
    model.run(feeds, outputs=outputs)
    session.run(names, feeds)
pith_us, ort_us = [], []
for _ in range(15):
    pith_us.append(batch(lambda: model.run(feeds, outputs=outputs)))
    ort_us.append(batch(lambda: session.run(names, feeds)))
p, o = statistics.median(pith_us), statistics.median(ort_us)
print(f"  latency, median of 15 x 200 runs, 1 thread, from python: pith {p:.1f} us, "
      f"ONNX Runtime {o:.1f} us (pith takes {p / o:.2f}x ONNX Runtime's time)")
