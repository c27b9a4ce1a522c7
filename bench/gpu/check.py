#!/usr/bin/env python3
"""On the GPU machine: runs the packages bench/gpu/prepare.py built, checks
their outputs against the stored references, and times the GEMV layers
against torch's fp16 linear (cuBLAS) and the copy bandwidth measured in the
same run. Needs python3 with numpy (torch for the comparison); writes
DIR/gpu-bench.json, or OUT/gpu-bench.json with --json-dir OUT.

    python3 bench/gpu/check.py build/gpu-bench [--json-dir OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

import numpy as np


def output_file_name(name: str) -> str:
    """The file pith-run writes an output to (as tools/pith-run does)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", name)
    return ("_" + safe if not safe or safe.startswith(".") else safe) + ".npy"


def run_check(directory: pathlib.Path, entry: dict, env: dict) -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        command = [str(directory / "bin" / "pith-run"), str(directory / entry["package"]),
                   "--quiet", "--output-dir", scratch]
        for name, path in entry["inputs"].items():
            command += ["--input", f"{name}=@{directory / path}"]
        result = subprocess.run(command, capture_output=True, text=True, env=env)
        if result.returncode != 0:
            return {"name": entry["name"], "passed": False,
                    "error": (result.stderr or result.stdout).strip()}
        # As np.testing.assert_allclose(rtol=tol, atol=tol * max|want|):
        # the largest |got - want| / (atol + rtol |want|), at most 1 to pass.
        worst = 0.0
        tolerance = entry["tolerance"]
        for name, path in entry["outputs"].items():
            want = np.load(directory / path)
            got = np.load(pathlib.Path(scratch) / output_file_name(name))
            if got.shape != want.shape or got.dtype != want.dtype:
                return {"name": entry["name"], "passed": False,
                        "error": f"output '{name}' is {got.dtype}{list(got.shape)}"}
            if want.dtype.kind != "f":
                worst = max(worst, 0.0 if np.array_equal(got, want) else np.inf)
                continue
            bound = tolerance * float(np.abs(want).max()) + tolerance * np.abs(want)
            worst = max(worst, float(np.max(np.abs(got - want) / np.maximum(bound, 1e-30))))
        return {"name": entry["name"], "passed": worst <= 1, "error_over_tolerance": worst,
                "reference": entry["reference"]}


def pith_latency(directory: pathlib.Path, entry: dict, env: dict) -> float:
    """Median seconds of one run as pith-bench times it (from C++: the
    input copied in, the kernels, the output copied out, a synchronize)."""
    result = subprocess.run([str(directory / "bin" / "pith-bench"),
                             str(directory / entry["package"]), "--json", "--warmup", "20",
                             "--iterations", "200", "--min-time", "1"],
                            capture_output=True, text=True, env=env, check=True)
    report = json.loads(result.stdout)
    return report["latency_ms"]["p50"] / 1e3


def torch_timings(gemvs: list[dict]) -> dict:
    """torch fp16 linear per GEMV shape, and the device's copy bandwidth,
    each timed with CUDA events over a captured CUDA graph of many calls."""
    try:
        import torch
    except ImportError:
        return {"error": "no torch"}
    if not torch.cuda.is_available():
        return {"error": "torch sees no GPU"}

    def graph_seconds(step, calls=50, rounds=20) -> float:
        stream = torch.cuda.Stream()
        with torch.cuda.stream(stream):
            for _ in range(3):
                step()
        torch.cuda.synchronize()
        graph = torch.cuda.CUDAGraph()
        with torch.cuda.graph(graph):
            for _ in range(calls):
                step()
        times = []
        for _ in range(rounds):
            start, end = torch.cuda.Event(True), torch.cuda.Event(True)
            start.record()
            graph.replay()
            end.record()
            end.synchronize()
            times.append(start.elapsed_time(end) / 1e3 / calls)
        return float(np.median(times))

    # Copy bandwidth on 1 GiB, far past the 50 MB L2: bytes read + written.
    source = torch.empty(1 << 28, dtype=torch.float32, device="cuda")
    target = torch.empty_like(source)
    copy = graph_seconds(lambda: target.copy_(source), calls=5, rounds=10)
    results = {"copy_bandwidth": 2 * source.numel() * 4 / copy, "linear_fp16": {}}
    del source, target
    for entry in gemvs:
        key = f"{entry['m']}x{entry['k']}x{entry['n']}"
        if key in results["linear_fp16"]:
            continue
        # Enough weight copies to cycle through more than the L2 holds.
        copies = max(1, (200 << 20) // (entry["k"] * entry["n"] * 2))
        weights = [torch.randn(entry["n"], entry["k"], dtype=torch.float16, device="cuda")
                   for _ in range(copies)]
        x = torch.randn(entry["m"], entry["k"], dtype=torch.float16, device="cuda")
        state = {"i": 0}

        def step():
            torch.nn.functional.linear(x, weights[state["i"] % copies])
            state["i"] += 1

        results["linear_fp16"][key] = graph_seconds(step, calls=copies * 4)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=pathlib.Path)
    parser.add_argument("--json-dir", type=pathlib.Path)
    args = parser.parse_args()
    directory = args.directory.resolve()
    manifest = json.loads((directory / "manifest.json").read_text())
    env = dict(os.environ)
    env["LD_LIBRARY_PATH"] = f"{directory / 'lib'}:{env.get('LD_LIBRARY_PATH', '')}"

    report = {"target": manifest["target"], "checks": [], "gemv": []}
    for entry in manifest["checks"]:
        result = run_check(directory, entry, env)
        report["checks"].append(result)
        status = "ok  " if result["passed"] else "FAIL"
        detail = result.get("error") or (f"error {result['error_over_tolerance']:.3f} of "
                                          f"tolerance against {result['reference']}")
        print(f"{status} {entry['name']:<28} {detail}", flush=True)

    timings = torch_timings(manifest["gemv"])
    report["torch"] = timings
    bandwidth = timings.get("copy_bandwidth")
    if bandwidth:
        print(f"copy bandwidth (read + write): {bandwidth / 1e12:.2f} TB/s")
    print(f"{'layer':<34} {'pith us':>9} {'GB/s':>7} {'of copy':>8} {'fp16 us':>8} {'vs fp16':>8}")
    for entry in manifest["gemv"]:
        try:
            seconds = pith_latency(directory, entry, env)
        except (subprocess.CalledProcessError, KeyError, json.JSONDecodeError) as error:
            report["gemv"].append({"name": entry["name"], "error": str(error)})
            print(f"{entry['name']:<34} error: {error}")
            continue
        achieved = entry["weight_bytes"] / seconds
        fp16 = timings.get("linear_fp16", {}).get(f"{entry['m']}x{entry['k']}x{entry['n']}")
        row = {"name": entry["name"], "seconds": seconds, "bytes_per_second": achieved,
               "fraction_of_copy_bandwidth": achieved / bandwidth if bandwidth else None,
               "torch_fp16_seconds": fp16, "speedup_vs_fp16": fp16 / seconds if fp16 else None}
        report["gemv"].append(row)
        print(f"{entry['name']:<34} {seconds * 1e6:9.1f} {achieved / 1e9:7.0f} "
              f"{(row['fraction_of_copy_bandwidth'] or 0):8.1%} "
              f"{(fp16 or 0) * 1e6:8.1f} {(row['speedup_vs_fp16'] or 0):7.2f}x")

    json_dir = args.json_dir or directory
    json_dir.mkdir(parents=True, exist_ok=True)
    (json_dir / "gpu-bench.json").write_text(json.dumps(report, indent=1))
    return 0 if all(c["passed"] for c in report["checks"]) else 1


if __name__ == "__main__":
    sys.exit(main())
