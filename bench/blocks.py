"""A CNN block by block: pith beside ONNX Runtime on each of its parts.

Cuts a model (by default build/models/mobilenet-v2.onnx, from
scripts/export-models.sh --real) into consecutive parts with
onnx.utils.extract_model: one per prefix of its node names
("/features/features.3/..." is part 3; nodes without a number, such as
the classifier, are the head), each from the previous part's output to
its own last node's, so residual additions stay inside their part. Each
part is compiled by pith and loaded by ONNX Runtime, both run on the same
random input, alternating in rounds as bench/run.py runs engines, and
their medians and the ratio are printed per part and summed: where pith
is behind, and by how much.

    .venv/bin/python bench/blocks.py --threads 1
"""

import argparse
import json
import pathlib
import re
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from compression import ROOT, ort_engine, pith_engine  # noqa: E402
from run import THREADS, alternate, log  # noqa: E402

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnx.utils  # noqa: E402


def parts(model, pattern):
    """(name, last output) per part, in order: nodes grouped by the number
    `pattern` finds in their names, the rest after them as the head."""
    last = {}
    for node in model.graph.node:
        found = re.search(pattern, node.name)
        last[int(found.group(1)) if found else "head"] = node.output[0]
    return [(name, output) for name, output in last.items()]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=pathlib.Path,
                        default=ROOT / "build" / "models" / "mobilenet-v2.onnx")
    parser.add_argument("--pattern", default=r"/features/features\.(\d+)/",
                        help="regular expression whose group numbers a node's part")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2, help="time per batch")
    parser.add_argument("--output", type=pathlib.Path,
                        default=ROOT / "build" / "bench" / "blocks.json")
    args = parser.parse_args()
    if not args.model.exists():
        sys.exit(f"blocks: {args.model} does not exist (scripts/export-models.sh --real)")
    model = onnx.load(str(args.model))
    previous = model.graph.input[0].name
    final = model.graph.output[0].name
    rng = np.random.default_rng(0)
    rows, total = [], {"pith": 0.0, "ort": 0.0}
    with tempfile.TemporaryDirectory(prefix="pith-blocks-") as scratch:
        for name, output in parts(model, args.pattern):
            output = final if name == "head" else output
            path = pathlib.Path(scratch) / f"part-{name}.onnx"
            onnx.utils.extract_model(str(args.model), str(path), [previous], [output])
            part = onnx.load(str(path))
            shape = [d.dim_value for d in part.graph.input[0].type.tensor_type.shape.dim]
            feeds = {previous: rng.standard_normal(shape).astype(np.float32)}
            latency = alternate([pith_engine("pith", path, feeds), ort_engine("ort", path, feeds)],
                                args.rounds, args.seconds)
            rows.append({"part": name, "input": shape, "latency_us": latency})
            for engine in total:
                total[engine] += latency[engine]
            print(f"part {str(name):5s} {'x'.join(map(str, shape)):16s} pith "
                  f"{latency['pith']:8.1f} us  ort {latency['ort']:8.1f} us  "
                  f"pith/ort {latency['pith'] / latency['ort']:4.2f}", flush=True)
            previous = output
    print(f"sum {'':22s} pith {total['pith']:8.1f} us  ort {total['ort']:8.1f} us  "
          f"pith/ort {total['pith'] / total['ort']:4.2f}, {THREADS} thread(s)")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"model": str(args.model), "threads": THREADS,
                                       "parts": rows, "total_us": total}, indent=2) + "\n")
    log(f"blocks: wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
