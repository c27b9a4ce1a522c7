"""What compression costs in accuracy: each scheme's outputs against fp32.

For each model and each scheme, compiles the model with pith,
runs it on a fixed set of inputs (seeded), and compares every output with
ONNX Runtime's fp32 outputs of the uncompressed model: cosine similarity
(the least and the mean over the inputs) and the largest absolute
difference. Sizes come from the compression report: the bytes of the
compressed layers' weights before and after.

    .venv/bin/python bench/quality.py --model build/models/minilm-l6.onnx --schemes w8,w4g128,svd-params:0.5

A scheme is a --quantize scheme (w8, w4g128, w4g128-gptq, ...), svd-BUDGET for
--factorize=BUDGET (svd-params:0.5), sparse-SPEC for --sparsify=SPEC
(sparse-2:4, sparse-0.5), recipe:FILE for a JSON recipe (per-layer
schemes), or several joined by "+" (sparse-2:4+w8);
"f32" compiles without compression. Schemes with -gptq, -awq, -smoothquant,
-static or -sparsegpt (sparse-2:4-sparsegpt) calibrate on --calibration
input sets drawn like the compared
ones but from another seed, so that they are judged on inputs they did not
see.

--inputs-file NPZ compares on the input sets an .npz holds instead (one
array per input, the sets stacked on a first axis: build/models/
mobilenet-v2-images.npz, photographs for MobileNetV2; build/models/
minilm-l6-passages.npz, English passages for MiniLM), --calibration-file
NPZ calibrates on those of another (build/models/minilm-l6-
calibration.npz), or --calibration-split N on the first N sets of
--inputs-file, which are then not compared on, and --top1 OUTPUT counts
how often the compressed model's largest entry of OUTPUT (a classifier's
logits) is the reference's.

With --time, each scheme's latency is measured too, alternating in rounds
with ONNX Runtime on the fp32 model and on its dynamic int8 quantization
(quantize_dynamic, whose outputs are compared alike), on --threads threads.
"""

import argparse
import json
import pathlib
import sys
import tempfile
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from run import THREADS, alternate  # noqa: E402  (sets the thread variables)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

import pith  # noqa: E402


class Engine:
    def __init__(self, name, run):
        self.name, self.run = name, run

    def __call__(self):
        return self.run()


def fixed_inputs(model, shapes, count, seed):
    """`count` input sets: token ids in [1000, 30000) with the last quarter
    masked for int64 inputs named like ids and masks, Gaussian floats else."""
    rng = np.random.default_rng(seed)
    sets = []
    for _ in range(count):
        feeds = {}
        for value in model.graph.input:
            name = value.name
            shape = shapes.get(name) or [d.dim_value or 1 for d in value.type.tensor_type.shape.dim]
            if value.type.tensor_type.elem_type == onnx.TensorProto.INT64:
                if "mask" in name:
                    data = np.ones(shape, np.int64)
                    data[..., shape[-1] * 3 // 4:] = 0
                elif "type" in name:
                    data = np.zeros(shape, np.int64)
                else:
                    data = rng.integers(1000, 30000, shape).astype(np.int64)
            else:
                data = rng.standard_normal(shape).astype(np.float32)
            feeds[name] = data
        sets.append(feeds)
    return sets


def stored_inputs(path):
    """The input sets an .npz holds: one array per input, sets on the first axis."""
    stacked = np.load(path)
    count = len(stacked[stacked.files[0]])
    return [{name: stacked[name][i] for name in stacked.files} for i in range(count)]


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, type=pathlib.Path)
    parser.add_argument("--schemes", default="w8,w8-asym,w4g128,w4g32,q4_0,w4g128-asym")
    parser.add_argument("--skip", default="", help="comma-separated globs of layers left f32")
    parser.add_argument("--input-shape", action="append", default=[],
                        help="NAME=DxD..., e.g. input_ids=1x128 (repeatable)")
    parser.add_argument("--inputs", type=int, default=8, help="input sets to compare on")
    parser.add_argument("--inputs-file", type=pathlib.Path,
                        help=".npz of input sets to compare on (each input's sets stacked)")
    parser.add_argument("--top1", metavar="OUTPUT",
                        help="also report top-1 agreement of this output (class scores)")
    parser.add_argument("--calibration", type=int, default=16,
                        help="input sets GPTQ schemes calibrate on")
    parser.add_argument("--calibration-file", type=pathlib.Path,
                        help="calibrate on the input sets this .npz holds (as --inputs-file)")
    parser.add_argument("--calibration-split", type=int, metavar="N",
                        help="calibrate on the first N input sets of --inputs-file and "
                             "compare on the rest")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=pathlib.Path, help="write the results here too")
    parser.add_argument("--time", action="store_true",
                        help="measure latencies beside ONNX Runtime fp32 and dynamic int8")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    shapes = {}
    for spec in args.input_shape:
        name, dims = spec.split("=")
        shapes[name] = [int(d) for d in dims.split("x")]
    model = onnx.load(str(args.model), load_external_data=False)
    if args.inputs_file:
        sets = stored_inputs(args.inputs_file)
    else:
        sets = fixed_inputs(model, shapes, args.inputs, args.seed)
    held_back = []
    if args.calibration_split:
        if not args.inputs_file or not 0 < args.calibration_split < len(sets):
            parser.error(f"--calibration-split needs --inputs-file with more than "
                         f"{args.calibration_split} input sets")
        held_back, sets = sets[:args.calibration_split], sets[args.calibration_split:]
    session_options = ort.SessionOptions()
    session_options.intra_op_num_threads = THREADS
    session = ort.InferenceSession(str(args.model), session_options,
                                   providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    references = [dict(zip(names, session.run(names, feeds))) for feeds in sets]

    calibration_sets = (held_back or
                        (stored_inputs(args.calibration_file) if args.calibration_file else
                         fixed_inputs(model, shapes, args.calibration, args.seed + 1000)))
    calibration = {name: np.stack([feeds[name] for feeds in calibration_sets])
                   for name in calibration_sets[0]}

    skip = [glob for glob in args.skip.split(",") if glob]
    rows, engines = [], []
    for scheme in args.schemes.split(","):
        options = {"quantize": None, "factorize": None, "sparsify": None, "recipe": None}
        flags = scheme  # what says whether calibration is needed
        for part in scheme.split("+"):
            if part == "f32":
                continue
            if part.startswith("recipe:"):
                options["recipe"] = part[len("recipe:"):]
                flags += pathlib.Path(options["recipe"]).read_text()
            elif part.startswith("svd-"):
                options["factorize"] = part[len("svd-"):]
            elif part.startswith("sparse-"):
                options["sparsify"] = part[len("sparse-"):]
            else:
                options["quantize"] = part
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compiled = pith.compile(args.model, compress_skip=skip, input_shapes=shapes,
                                    calibrate=calibration if any(flag in flags for flag in ("gptq", "static", "awq", "smoothquant", "sparsegpt")) else None,
                                    **options)
        cosines, worst, agreeing, ranked = [], 0.0, 0, 0
        for feeds, reference in zip(sets, references):
            outputs = compiled.run(feeds)
            for name in names:
                cosines.append(cosine(outputs[name], reference[name]))
                worst = max(worst, float(np.abs(outputs[name] - reference[name]).max()))
            if args.top1:
                top = np.argmax(outputs[args.top1], axis=-1)
                agreeing += int(np.sum(top == np.argmax(reference[args.top1], axis=-1)))
                ranked += top.size
        # Each weight counted once: a factor's line refines its layer's.
        before = sum(line["bytes_before"] for line in compiled.report if not line["refines"])
        after = sum(line["bytes_after"] for line in compiled.report) - sum(
            line["bytes_before"] for line in compiled.report if line["refines"])
        layers = sum(1 for line in compiled.report if not line["refines"])
        rows.append({"scheme": scheme, "layers": layers,
                     "bytes_before": before, "bytes_after": after,
                     "cosine_min": min(cosines), "cosine_mean": float(np.mean(cosines)),
                     "max_abs_diff": worst})
        if args.top1:
            rows[-1]["top1_agreement"] = agreeing / ranked
        if args.time:
            engines.append(Engine(scheme, lambda compiled=compiled: compiled.run(sets[0])))
        row = rows[-1]
        print(f"{scheme:14s} layers {row['layers']:3d}  {before / 2**20:8.2f} MiB -> "
              f"{after / 2**20:7.2f} MiB ({before / max(after, 1):5.2f}x)  cosine min "
              f"{row['cosine_min']:.6f} mean {row['cosine_mean']:.6f}  max |diff| {worst:.4g}"
              + (f"  top-1 agreement {row['top1_agreement']:.1%}" if args.top1 else ""),
              flush=True)
    if args.time:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        with tempfile.TemporaryDirectory(prefix="pith-quality-") as scratch:
            dynamic = pathlib.Path(scratch) / "dynamic-int8.onnx"
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                quantize_dynamic(str(args.model), str(dynamic), weight_type=QuantType.QInt8)
            quantized = ort.InferenceSession(str(dynamic), session_options,
                                             providers=["CPUExecutionProvider"])
        runs = [dict(zip(names, quantized.run(names, feeds))) for feeds in sets]
        cosines = [cosine(run[name], reference[name])
                   for run, reference in zip(runs, references) for name in names]
        agreement = ""
        if args.top1:
            agreeing = [np.argmax(run[args.top1], -1) == np.argmax(reference[args.top1], -1)
                        for run, reference in zip(runs, references)]
            agreement = f"  top-1 agreement {np.mean(agreeing):.1%}"
        print(f"ort dynamic int8: cosine min {min(cosines):.6f} mean {np.mean(cosines):.6f}"
              + agreement, flush=True)
        engines.append(Engine("ort-f32", lambda: session.run(names, sets[0])))
        engines.append(Engine("ort-dynamic-int8", lambda: quantized.run(names, sets[0])))
        latency = alternate(engines, args.rounds, 0.3)
        for row in rows:
            row["latency_us"] = latency[row["scheme"]]
        print(f"latency, {THREADS} thread(s), median of {args.rounds} rounds:")
        for name, value in latency.items():
            print(f"  {name:32s} {value / 1000:8.2f} ms  "
                  f"({latency['ort-f32'] / value:5.2f}x ORT fp32)", flush=True)
    if args.json:
        args.json.write_text(json.dumps({"model": str(args.model), "inputs": args.inputs,
                                         "results": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
