#!/usr/bin/env python3
"""Conformance runner: pith against the ONNX backend test cases.

Runs every case of a directory of ONNX backend tests (`<case>/model.onnx`
plus `test_data_set_*/`), by default the node tests of the installed `onnx`
package (generated into the build tree on first use). Stage 1 imports each
model with pith-import-onnx; stage 2 (compiling, running and comparing
outputs) joins when pith generates code. Writes a per-op table to
docs/conformance.md and ends with "N passed, N failed, N skipped".

    test/onnx-backend/run.py [--cases DIR] [--build BUILD] [--output FILE]
                             [--expect TABLE]

It fails (exit 1) if the importer crashes on any case, or, with --expect,
if fewer cases pass than the given table records.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import os
import pathlib
import re
import subprocess
import sys

import onnx

ROOT = pathlib.Path(__file__).resolve().parents[2]

# Cases outside pith's scope, by design: non-tensor values and training.
NON_TENSOR = ("sequence_type", "map_type", "optional_type")
# Strings, complex numbers and floats narrower than 16 bits.
UNSUPPORTED_TYPES = {onnx.TensorProto.STRING, onnx.TensorProto.COMPLEX64,
                     onnx.TensorProto.COMPLEX128, 17, 18, 19, 20, 23, 24, 27, 28}

# Operands pith needs at compile time (shapes, axes, pads, ...), by op and
# input position. A case that feeds one from a graph input has it frozen
# to the value in its test data, as a user compiling for a shape would.
_REDUCE = {1}
STATIC_OPERANDS = {
    "Reshape": {1}, "Expand": {1}, "Tile": {1}, "ConstantOfShape": {0},
    "Range": {0, 1, 2}, "Slice": {1, 2, 3, 4}, "Pad": {1, 2, 3}, "Split": {1},
    "Squeeze": {1}, "Unsqueeze": {1}, "Trilu": {1}, "OneHot": {1},
    "Dropout": {1, 2}, "Resize": {1, 2, 3}, "Upsample": {1}, "TopK": {1},
    "CumSum": {1}, "ReduceSum": _REDUCE, "ReduceMean": _REDUCE,
    "ReduceMax": _REDUCE, "ReduceMin": _REDUCE, "ReduceProd": _REDUCE,
    "ReduceL1": _REDUCE, "ReduceL2": _REDUCE, "ReduceSumSquare": _REDUCE,
    "ReduceLogSum": _REDUCE, "ReduceLogSumExp": _REDUCE,
}


def generate_node_cases(directory: pathlib.Path) -> None:
    """Writes the onnx package's node tests as backend test directories."""
    from onnx import numpy_helper
    from onnx.backend.test.case.node import collect_testcases

    stamp = directory / "onnx-version"
    if stamp.exists() and stamp.read_text() == onnx.__version__:
        return
    print(f"generating the ONNX {onnx.__version__} node tests into {directory}")
    for case in collect_testcases(None):
        case_dir = directory / case.name
        data_dir = case_dir / "test_data_set_0"
        data_dir.mkdir(parents=True, exist_ok=True)
        (case_dir / "model.onnx").write_bytes(case.model.SerializeToString())
        inputs, outputs = case.data_sets[0]
        for kind, values in (("input", inputs), ("output", outputs)):
            for i, value in enumerate(values):
                if hasattr(value, "dtype"):
                    tensor = numpy_helper.from_array(value)
                    (data_dir / f"{kind}_{i}.pb").write_bytes(tensor.SerializeToString())
    stamp.write_text(onnx.__version__)


def skip_reason(model: onnx.ModelProto) -> str | None:
    """Why pith does not run a case at all, or None."""
    for value in list(model.graph.input) + list(model.graph.output):
        kind = value.type.WhichOneof("value")
        if kind in NON_TENSOR:
            return f"{kind.replace('_type', '')} values"
        if kind == "tensor_type" and value.type.tensor_type.elem_type in UNSUPPORTED_TYPES:
            return "string, complex or 4-, 6- or 8-bit float tensors"
    for node in model.graph.node:
        for attr in node.attribute:
            if attr.name in ("to", "output_dtype") and attr.i in UNSUPPORTED_TYPES:
                return "string, complex or 4-, 6- or 8-bit float tensors"
    for opset in model.opset_import:
        if opset.domain.startswith("ai.onnx.preview") or opset.domain == "ai.onnx.ml":
            return f"domain {opset.domain}"
    return None


def freeze_static_operands(case: pathlib.Path, model: onnx.ModelProto,
                           work: pathlib.Path) -> pathlib.Path:
    """The model with its static operands frozen from the test data."""
    positions = {value.name: i for i, value in enumerate(model.graph.input)}
    frozen = set()
    for node in model.graph.node:
        for i in STATIC_OPERANDS.get(node.op_type, ()):
            if i < len(node.input) and node.input[i] in positions:
                frozen.add(node.input[i])
    data = case / "test_data_set_0"
    if not frozen or not data.exists():
        return case / "model.onnx"
    model = onnx.ModelProto.FromString(model.SerializeToString())
    for name in sorted(frozen):
        tensor = onnx.TensorProto.FromString(
            (data / f"input_{positions[name]}.pb").read_bytes())
        tensor.name = name
        model.graph.initializer.append(tensor)
    kept = [value for value in model.graph.input if value.name not in frozen]
    del model.graph.input[:]
    model.graph.input.extend(kept)
    path = work / f"{case.name}.onnx"
    path.write_bytes(model.SerializeToString())
    return path


def op_of(name: str, model: onnx.ModelProto, ops_by_test: dict[str, str]) -> str:
    """The op a case tests: its single node's, or its unexpanded twin's."""
    base = re.sub(r"_expanded(_ver\d+)?$", "", name)
    if base != name and base in ops_by_test:
        return ops_by_test[base]
    nodes = model.graph.node
    return nodes[0].op_type if len(nodes) == 1 else "(models)"


def import_case(importer: pathlib.Path, model_path: pathlib.Path) -> tuple[bool, str]:
    result = subprocess.run([str(importer), str(model_path), "-o", os.devnull],
                            capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return True, ""
    if result.returncode < 0:
        return False, f"CRASH (signal {-result.returncode})"
    lines = result.stderr.splitlines()
    errors = [i for i, line in enumerate(lines) if "error" in line]
    if not errors:
        return False, result.stderr.strip() or f"exit code {result.returncode}"
    message = lines[errors[0]]
    if message.endswith(":") and errors[0] + 1 < len(lines):
        # A list follows (unsupported operators): give its first entry.
        message += " " + lines[errors[0] + 1].strip()
    return False, message.replace(str(model_path), "model.onnx")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=pathlib.Path,
                        help="directory of backend test cases (default: the onnx package's node tests)")
    parser.add_argument("--build", type=pathlib.Path, default=ROOT / "build")
    parser.add_argument("--output", type=pathlib.Path,
                        help="conformance table to write (default: docs/conformance.md for the node tests)")
    parser.add_argument("--filter", default="", help="regex on case names")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--verbose", action="store_true", help="print every failure")
    parser.add_argument("--expect", type=pathlib.Path,
                        help="a conformance table whose pass count must not drop")
    args = parser.parse_args()

    cases_dir = args.cases
    output = args.output
    if cases_dir is None:
        cases_dir = args.build / "onnx-backend" / "node"
        generate_node_cases(cases_dir)
        output = output or ROOT / "docs" / "conformance.md"
    importer = args.build / "bin" / "pith-import-onnx"
    if not importer.exists():
        print(f"error: {importer} does not exist; build pith first", file=sys.stderr)
        return 2

    cases = sorted(d for d in cases_dir.iterdir()
                   if (d / "model.onnx").exists() and re.search(args.filter, d.name))
    models = {case.name: onnx.load(str(case / "model.onnx"), load_external_data=False)
              for case in cases}
    ops_by_test = {name: m.graph.node[0].op_type for name, m in models.items()
                   if len(m.graph.node) == 1}

    work = args.build / "onnx-backend" / "frozen"
    work.mkdir(parents=True, exist_ok=True)
    results: dict[str, tuple[str, str, str]] = {}  # name -> (op, status, detail)
    to_run = []
    for case in cases:
        model = models[case.name]
        op = op_of(case.name, model, ops_by_test)
        reason = skip_reason(model)
        if reason:
            results[case.name] = (op, "skipped", reason)
        else:
            to_run.append((case, op, freeze_static_operands(case, model, work)))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(import_case, importer, path): (case, op)
                   for case, op, path in to_run}
        for future in concurrent.futures.as_completed(futures):
            case, op = futures[future]
            ok, detail = future.result()
            results[case.name] = (op, "passed" if ok else "failed", detail)

    counts = collections.Counter(status for _, status, _ in results.values())
    per_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    first_failure: dict[str, str] = {}
    for name, (op, status, detail) in sorted(results.items()):
        per_op[op][status] += 1
        if status == "failed":
            first_failure.setdefault(op, f"{name}: {detail}")
            if args.verbose:
                print(f"FAIL {name}: {detail}")
        if status == "skipped":
            first_failure.setdefault(op, f"skipped: {detail}")

    if output:
        write_table(output, cases_dir, per_op, first_failure, counts)
    crashes = sorted(name for name, (_, _, detail) in results.items()
                     if detail.startswith("CRASH"))
    for name in crashes:
        print(f"error: the importer crashed on {name}", file=sys.stderr)
    status = 1 if crashes else 0
    if args.expect:
        match = re.search(r"\*\*(\d+) passed", args.expect.read_text())
        expected = int(match.group(1)) if match else 0
        if counts["passed"] < expected:
            print(f"error: {counts['passed']} cases pass, {args.expect} records "
                  f"{expected}", file=sys.stderr)
            status = 1
    print(f"{counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped")
    return status


def write_table(path: pathlib.Path, cases_dir: pathlib.Path,
                per_op: dict[str, collections.Counter], notes: dict[str, str],
                counts: collections.Counter) -> None:
    lines = [
        "# ONNX conformance",
        "",
        "Generated by `test/onnx-backend/run.py` from the node tests of "
        f"`onnx` {onnx.__version__}; do not edit by hand.",
        "",
        "Stage 1 imports each test model with `pith-import-onnx`. Stage 2",
        "(compile, run, compare outputs) starts when pith generates code.",
        "Skipped cases use values pith does not support by design (sequences,",
        "maps, optionals, strings) or training-only domains. Operands pith",
        "needs at compile time (shapes, axes, pads, ...) that a case feeds",
        "from a graph input are frozen to the value in its test data.",
        "",
        f"**{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped** (of {sum(counts.values())} cases)",
        "",
        "| op | cases | import | compile | numerics | first problem |",
        "|---|---:|---:|---|---|---|",
    ]
    for op in sorted(per_op, key=str.lower):
        c = per_op[op]
        total = sum(c.values())
        run = c["passed"] + c["failed"]
        imported = f"{c['passed']}/{run}" if run else "skipped"
        note = notes.get(op, "").replace("|", "\\|")
        if len(note) > 110:
            note = note[:107] + "..."
        lines.append(f"| {op} | {total} | {imported} | – | – | {note} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
