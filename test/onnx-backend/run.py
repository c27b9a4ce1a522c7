#!/usr/bin/env python3
"""Conformance runner: pith against the ONNX backend test cases.

Runs every case of a directory of ONNX backend tests (`<case>/model.onnx`
plus `test_data_set_*/`), by default the node tests of the installed `onnx`
package (generated into the build tree on first use). Stage 1 imports each
model with pith-import-onnx; stage 2 compiles each imported model for this
CPU with pith-compile, runs it with pith-run on the case's inputs and
compares the outputs with the expected ones (rtol 1e-3, atol 1e-7, as the
ONNX backend test runner does; integers and booleans exactly); stage 3
runs each case that passed with its kernels mapped for GPUs but run on this
CPU (--target=gpu-emulator), compared the same way, and compiles it for
GPUs (sm_80 and sm_90), with ptxas checking the PTX. Writes a per-op table to docs/conformance.md and ends with
each stage's "N passed, N failed, N skipped".

    test/onnx-backend/run.py [--cases DIR] [--build BUILD] [--output FILE]
                             [--expect TABLE] [--stage 1|2|3]

It fails (exit 1) if a tool crashes on any case, or, with --expect, if
fewer cases pass any stage than the given table records.
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

import numpy as np
import onnx
from onnx import numpy_helper

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


# Bumped when the generated files change, so that old trees are rewritten.
GENERATOR_VERSION = 2


def generate_node_cases(directory: pathlib.Path) -> None:
    """Writes the onnx package's node tests as backend test directories."""
    from onnx.backend.test.case.node import collect_testcases

    stamp = directory / "onnx-version"
    version = f"{onnx.__version__} (generator {GENERATOR_VERSION})"
    if stamp.exists() and stamp.read_text() == version:
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
                # Values are arrays, or TensorProtos for types numpy lacks.
                if isinstance(value, onnx.TensorProto):
                    tensor = value
                elif hasattr(value, "dtype"):
                    tensor = numpy_helper.from_array(value)
                else:
                    continue
                (data_dir / f"{kind}_{i}.pb").write_bytes(tensor.SerializeToString())
    stamp.write_text(version)


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


def failure(result: subprocess.CompletedProcess, tool: str,
            model_path: pathlib.Path) -> str:
    """The first error line of a failed tool run."""
    if result.returncode < 0:
        return f"CRASH of {tool} (signal {-result.returncode})"
    lines = result.stderr.splitlines()
    errors = [i for i, line in enumerate(lines) if "error" in line]
    if not errors:
        return False, result.stderr.strip() or f"exit code {result.returncode}"
    message = lines[errors[0]]
    if message.endswith(":") and errors[0] + 1 < len(lines):
        # A list follows (unsupported operators): give its first entry.
        message += " " + lines[errors[0] + 1].strip()
    # Paths relative to the repository: the table is committed.
    return message.replace(str(model_path), "model.onnx").replace(f"{ROOT}/", "")


def import_case(build: pathlib.Path, model_path: pathlib.Path) -> tuple[bool, str]:
    result = subprocess.run([str(build / "bin" / "pith-import-onnx"), str(model_path),
                             "-o", os.devnull], capture_output=True, text=True, timeout=120)
    if result.returncode == 0:
        return True, ""
    return False, failure(result, "pith-import-onnx", model_path)


def output_file_name(name: str) -> str:
    """The file pith-run writes an output to (as tools/pith-run does)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return ("_" + safe if not safe or safe.startswith(".") else safe) + ".npy"


def compare(name: str, expected: np.ndarray, actual: np.ndarray) -> str | None:
    """Why `actual` is not `expected`, or None."""
    if actual.shape != expected.shape:
        return f"output '{name}' has shape {actual.shape}, expected {expected.shape}"
    if actual.dtype != expected.dtype:
        return f"output '{name}' has type {actual.dtype}, expected {expected.dtype}"
    if expected.dtype.kind in "biu":
        wrong = np.flatnonzero(actual != expected)
        if wrong.size:
            i = wrong[0]
            return (f"output '{name}' differs at {wrong.size} of {expected.size} "
                    f"elements, first [{i}]: {actual.flat[i]} vs {expected.flat[i]}")
        return None
    with np.errstate(invalid="ignore"):
        close = np.isclose(actual, expected, rtol=1e-3, atol=1e-7, equal_nan=True)
    if close.all():
        return None
    i = np.flatnonzero(~close)[0]
    return (f"output '{name}' differs at {(~close).sum()} of {expected.size} elements, "
            f"first [{i}]: {actual.flat[i]:.6g} vs {expected.flat[i]:.6g}")


def run_case(build: pathlib.Path, case: pathlib.Path, model_path: pathlib.Path,
             work: pathlib.Path, target: str = "host") -> tuple[str, str]:
    """Stage 2 of one case, for `target`: ("compile" | "numerics" | "passed",
    detail)."""
    model = onnx.load(str(model_path), load_external_data=False)
    scratch = work / case.name / target
    scratch.mkdir(parents=True, exist_ok=True)
    package = scratch / "model.pith"
    result = subprocess.run([str(build / "bin" / "pith-compile"), str(model_path), "-o",
                             str(package), f"--target={target}", "--quiet"],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return "compile", failure(result, "pith-compile", model_path)

    # Inputs by their position in the original model, which the test data
    # files are numbered by.
    data = case / "test_data_set_0"
    original = onnx.load(str(case / "model.onnx"), load_external_data=False)
    positions = {value.name: i for i, value in enumerate(original.graph.input)}
    initializers = {tensor.name for tensor in model.graph.initializer}
    command = [str(build / "bin" / "pith-run"), str(package), "--quiet",
               "--output-dir", str(scratch)]
    for value in model.graph.input:
        if value.name in initializers:
            continue
        array = numpy_helper.to_array(onnx.TensorProto.FromString(
            (data / f"input_{positions[value.name]}.pb").read_bytes()))
        path = scratch / f"input_{positions[value.name]}.npy"
        # np.require keeps 0-d arrays 0-d (np.ascontiguousarray does not).
        np.save(path, np.require(array, requirements="C"))
        command += ["--input", f"{value.name}=@{path}"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        return "numerics", failure(result, "pith-run", model_path)
    for i, value in enumerate(model.graph.output):
        expected = numpy_helper.to_array(onnx.TensorProto.FromString(
            (data / f"output_{i}.pb").read_bytes()))
        actual = np.load(scratch / output_file_name(value.name))
        problem = compare(value.name, expected, actual)
        if problem:
            return "numerics", problem
    return "passed", ""


def compile_gpu_case(build: pathlib.Path, case: pathlib.Path, model_path: pathlib.Path,
                     work: pathlib.Path, targets: list[str]) -> tuple[str, str]:
    """Stage 3 of one case: ("passed" | "failed", detail)."""
    # The GPU mapping, run on this CPU, must give the expected outputs.
    stage, detail = run_case(build, case, model_path, work, "gpu-emulator")
    if stage != "passed":
        return "failed", f"gpu-emulator {stage}: {detail}"
    scratch = work / case.name
    scratch.mkdir(parents=True, exist_ok=True)
    for target in targets:
        result = subprocess.run([str(build / "bin" / "pith-compile"), str(model_path),
                                 f"--target={target}", "-o",
                                 str(scratch / f"model-{target}.pith"), "--quiet"],
                                capture_output=True, text=True, timeout=300)
        if result.returncode != 0:
            return "failed", f"{target}: " + failure(result, "pith-compile", model_path)
    return "passed", ""


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
                        help="a conformance table whose pass counts must not drop")
    parser.add_argument("--stage", type=int, choices=(1, 2, 3), default=3,
                        help="stop after import (1), after compiling and running (2), or "
                             "also compile what runs for GPUs (3, default)")
    parser.add_argument("--gpu-targets", default="sm_80,sm_90",
                        help="GPU targets of stage 3 (default: sm_80,sm_90)")
    args = parser.parse_args()

    cases_dir = args.cases
    output = args.output
    if cases_dir is None:
        cases_dir = args.build / "onnx-backend" / "node"
        generate_node_cases(cases_dir)
        output = output or ROOT / "docs" / "conformance.md"
    for tool in ("pith-import-onnx", "pith-compile", "pith-run"):
        if not (args.build / "bin" / tool).exists():
            print(f"error: {args.build / 'bin' / tool} does not exist; build pith first",
                  file=sys.stderr)
            return 2

    cases = sorted(d for d in cases_dir.iterdir()
                   if (d / "model.onnx").exists() and re.search(args.filter, d.name))
    models = {case.name: onnx.load(str(case / "model.onnx"), load_external_data=False)
              for case in cases}
    ops_by_test = {name: m.graph.node[0].op_type for name, m in models.items()
                   if len(m.graph.node) == 1}

    work = args.build / "onnx-backend" / "frozen"
    work.mkdir(parents=True, exist_ok=True)
    runs = args.build / "onnx-backend" / "runs"
    # name -> (op, import status, stage 2 status, detail); stage 2 status is
    # "passed", "compile" or "numerics" (where it failed), or "" if not run.
    results: dict[str, list[str]] = {}
    to_run = []
    for case in cases:
        model = models[case.name]
        op = op_of(case.name, model, ops_by_test)
        reason = skip_reason(model)
        if reason:
            results[case.name] = [op, "skipped", "", reason]
        else:
            to_run.append((case, op, freeze_static_operands(case, model, work)))
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futures = {pool.submit(import_case, args.build, path): (case, op, path)
                   for case, op, path in to_run}
        imported = []
        for future in concurrent.futures.as_completed(futures):
            case, op, path = futures[future]
            ok, detail = future.result()
            results[case.name] = [op, "passed" if ok else "failed", "", detail]
            if ok:
                imported.append((case, path))
        if args.stage >= 2:
            futures = {pool.submit(run_case, args.build, case, path, runs): case
                       for case, path in imported}
            for future in concurrent.futures.as_completed(futures):
                case = futures[future]
                try:
                    stage, detail = future.result()
                except subprocess.TimeoutExpired as timeout:
                    stage, detail = "numerics", f"timed out: {timeout.cmd[0]}"
                except (OSError, ValueError) as error:
                    # Test data this runner cannot read or write as .npy
                    # (missing files, bfloat16).
                    stage, detail = "numerics", f"test data: {error}"
                results[case.name][2:] = [stage, detail]
        # Stage 3: what runs on this CPU, compiled for GPUs; pith-compile
        # has ptxas (where the CUDA toolkit is) check the PTX.
        gpu_results: dict[str, tuple[str, str]] = {}
        if args.stage == 3:
            targets = args.gpu_targets.split(",")
            paths = dict(imported)
            futures = {pool.submit(compile_gpu_case, args.build, case, paths[case],
                                   runs, targets): case
                       for case in paths if results[case.name][2] == "passed"}
            for future in concurrent.futures.as_completed(futures):
                case = futures[future]
                try:
                    gpu_results[case.name] = future.result()
                except subprocess.TimeoutExpired as timeout:
                    gpu_results[case.name] = ("failed", f"timed out: {timeout.cmd[0]}")

    counts = collections.Counter(entry[1] for entry in results.values())
    run_counts = collections.Counter()
    gpu_counts = collections.Counter(status for status, _ in gpu_results.values())
    if args.stage >= 2:
        for _, imported_status, stage, _ in results.values():
            run_counts["skipped" if imported_status == "skipped" else
                       "passed" if stage == "passed" else "failed"] += 1
    per_op: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    first_failure: dict[str, str] = {}
    for name, (op, status, stage, detail) in sorted(results.items()):
        per_op[op][status] += 1
        if stage:
            per_op[op]["stage 2 " + stage] += 1
        if status == "failed" or stage in ("compile", "numerics"):
            first_failure.setdefault(op, f"{name}: {detail}")
            if args.verbose:
                print(f"FAIL {name}: {detail}")
        if status == "skipped":
            first_failure.setdefault(op, f"skipped: {detail}")
        if name in gpu_results:
            gpu_status, gpu_detail = gpu_results[name]
            per_op[op]["gpu " + gpu_status] += 1
            if gpu_status == "failed":
                first_failure.setdefault(op, f"{name}: {gpu_detail}")
                if args.verbose:
                    print(f"FAIL {name} (GPU): {gpu_detail}")

    if output:
        write_table(output, per_op, first_failure, counts, run_counts, gpu_counts,
                    args.gpu_targets)
    crashes = sorted(name for name, entry in results.items()
                     if entry[3].startswith("CRASH"))
    crashes += sorted(name for name, (_, detail) in gpu_results.items()
                      if "CRASH" in detail)
    for name in crashes:
        print(f"error: {results[name][3]} on {name}", file=sys.stderr)
    status = 1 if crashes else 0
    if args.expect:
        text = args.expect.read_text()
        for stage, pattern, got in (
                ("import", r"Stage 1, import: \*\*(\d+) passed", counts["passed"]),
                ("run", r"Stage 2, run: \*\*(\d+) passed", run_counts["passed"]),
                ("GPU", r"Stage 3, GPU: \*\*(\d+) passed",
                 gpu_counts["passed"])):
            if (stage == "run" and args.stage == 1) or (stage == "GPU"
                                                        and args.stage < 3):
                continue
            match = re.search(pattern, text)
            expected = int(match.group(1)) if match else 0
            if got < expected:
                print(f"error: {got} cases pass {stage}, {args.expect} records "
                      f"{expected}", file=sys.stderr)
                status = 1
    print(f"stage 1, import: {counts['passed']} passed, {counts['failed']} failed, "
          f"{counts['skipped']} skipped")
    if args.stage >= 2:
        print(f"stage 2, run: {run_counts['passed']} passed, {run_counts['failed']} failed, "
              f"{run_counts['skipped']} skipped")
    if args.stage == 3:
        print(f"stage 3, GPU (emulated, {args.gpu_targets}): {gpu_counts['passed']} passed, "
              f"{gpu_counts['failed']} failed")
    return status


def write_table(path: pathlib.Path, per_op: dict[str, collections.Counter],
                notes: dict[str, str], counts: collections.Counter,
                run_counts: collections.Counter, gpu_counts: collections.Counter,
                gpu_targets: str) -> None:
    total = sum(counts.values())
    lines = [
        "# ONNX conformance",
        "",
        "Generated by `test/onnx-backend/run.py` from the node tests of "
        f"`onnx` {onnx.__version__}; do not edit by hand.",
        "",
        "Stage 1 imports each test model with `pith-import-onnx`. Stage 2",
        "compiles each imported model for this CPU (`pith-compile`), runs it",
        "on the case's inputs (`pith-run`) and compares the outputs with the",
        "expected ones: floats within rtol 1e-3 and atol 1e-7, as the ONNX",
        "backend test runner does, integers and booleans exactly. Skipped",
        "cases use values pith does not support by design (sequences, maps,",
        "optionals, strings, floats under 16 bits) or training-only domains.",
        "Operands pith needs at compile time (shapes, axes, pads, ...) that a",
        "case feeds from a graph input are frozen to the value in its test",
        "data. Stage 3 takes each case that passes stage 2: its kernels, mapped",
        "for GPUs, run on this CPU (`--target=gpu-emulator`) and must give the",
        "expected outputs too; then it is compiled for NVIDIA GPUs",
        f"({gpu_targets.replace(',', ', ')}) into packages, whose PTX the CUDA toolkit's",
        "`ptxas` assembles; no GPU runs them here.",
        "",
        f"Stage 1, import: **{counts['passed']} passed, {counts['failed']} failed, "
        f"{counts['skipped']} skipped** (of {total} cases)",
        "",
    ]
    if run_counts:
        lines += [f"Stage 2, run: **{run_counts['passed']} passed, {run_counts['failed']} "
                  f"failed, {run_counts['skipped']} skipped** (of {total} cases)", ""]
    if gpu_counts:
        lines += [f"Stage 3, GPU: **{gpu_counts['passed']} passed, "
                  f"{gpu_counts['failed']} failed** (of the {run_counts['passed']} that "
                  "run)", ""]
    lines += [
        "| op | cases | import | compile | numerics | GPU | first problem |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for op in sorted(per_op, key=str.lower):
        c = per_op[op]
        cases = sum(c[s] for s in ("passed", "failed", "skipped"))
        tried = c["passed"] + c["failed"]
        imported = f"{c['passed']}/{tried}" if tried else "skipped"
        compiled = numerics = gpu = "–"
        if run_counts and c["passed"]:
            built = c["passed"] - c["stage 2 compile"]
            compiled = f"{built}/{c['passed']}"
            numerics = f"{c['stage 2 passed']}/{built}" if built else "–"
        if gpu_counts and c["stage 2 passed"]:
            gpu = f"{c['gpu passed']}/{c['stage 2 passed']}"
        note = notes.get(op, "").replace("|", "\\|")
        if len(note) > 110:
            note = note[:107] + "..."
        lines.append(f"| {op} | {cases} | {imported} | {compiled} | {numerics} | {gpu} "
                     f"| {note} |")
    path.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
