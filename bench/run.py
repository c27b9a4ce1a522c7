"""pith beside ONNX Runtime and IREE on the end-to-end models, in one run.

Each model is compiled by pith (pith.compile) and by IREE (iree-import-onnx,
then iree-compile for llvm-cpu on this CPU), and loaded by ONNX Runtime.
All three run on the same inputs and threads (--threads, default 1), from Python, alternating
in rounds; each round times a batch of runs of each engine in turn and the
medians of the rounds are compared. Native latencies (pith-bench,
iree-benchmark-module: no Python in the loop) are measured the same way.
The physical limits (memory read bandwidth, single-thread sgemm rate) are
measured in the same run, and each model's achieved GFLOP/s is given as a
fraction of that sgemm rate. Results go to a JSON file; a table is printed.
"""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time


def thread_count():
    """--threads, read before numpy's BLAS and libomp start their threads."""
    for index, argument in enumerate(sys.argv):
        if argument.startswith("--threads="):
            return int(argument.split("=", 1)[1])
        if argument == "--threads" and index + 1 < len(sys.argv):
            return int(sys.argv[index + 1])
    return 1


THREADS = thread_count()
SETTLE_SECONDS = 0.3
# The BLAS measuring the sgemm limit runs on one thread; pith's parallel
# loops (libomp) get the threads the engines are given.
for variable in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[variable] = "1"
os.environ["OMP_NUM_THREADS"] = str(THREADS)

import numpy as np  # noqa: E402
import onnx  # noqa: E402
import onnxruntime as ort  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "python" / "tests"))
import e2e_models  # noqa: E402

import pith  # noqa: E402


def log(message):
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- models


def models(build_dir, names):
    """(name, onnx path, input shapes for symbolic dims, feeds) per model."""
    scratch = build_dir / "bench" / "models"
    scratch.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    generated = {
        "mlp": e2e_models.mlp(batch=1),
        "cnn": e2e_models.cnn(),
        "encoder": e2e_models.encoder_block(),
        "encoder-384": e2e_models.encoder_block(sequence=128, hidden=384, heads=12),
    }
    for name, model in generated.items():
        if name not in names:
            continue
        path = scratch / f"{name}.onnx"
        onnx.save(model, path)
        feeds = {}
        for value in model.graph.input:
            shape = [d.dim_value for d in value.type.tensor_type.shape.dim]
            if value.type.tensor_type.elem_type == onnx.TensorProto.INT64:
                mask = np.ones(shape, np.int64)
                mask[..., shape[-1] * 3 // 4:] = 0
                feeds[value.name] = mask
            else:
                feeds[value.name] = rng.standard_normal(shape).astype(np.float32)
        yield name, path, {}, feeds
    minilm = build_dir / "models" / "minilm-l6.onnx"
    if "minilm" in names:
        if not minilm.exists():
            log(f"bench: {minilm} is absent (scripts/export-models.sh exports it); skipping minilm")
            return
        shapes = {"input_ids": [1, 128], "attention_mask": [1, 128]}
        mask = np.ones((1, 128), np.int64)
        mask[:, 100:] = 0
        feeds = {"input_ids": rng.integers(1000, 30000, (1, 128)), "attention_mask": mask}
        yield "minilm", minilm, shapes, feeds


def flops(path, feeds):
    """Multiply-adds x 2 of the MatMul, Gemm and Conv nodes, from the
    shapes their operands have when ONNX Runtime runs the model on `feeds`
    (exact where shape inference would stop at symbolic dimensions)."""
    model = onnx.load(path)
    kinds = ("MatMul", "Gemm", "Conv")
    nodes = [n for n in model.graph.node if n.op_type in kinds]
    initializers = {t.name: list(t.dims) for t in model.graph.initializer}
    present = {o.name for o in model.graph.output}
    watched = {name for n in nodes for name in (n.input[0], n.input[1], n.output[0])
               if name not in initializers}
    for name in sorted(watched - present):
        model.graph.output.append(onnx.ValueInfoProto(name=name))
    session = ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    shapes = dict(initializers)
    shapes.update({n: list(v.shape) for n, v in zip(names, session.run(names, feeds))})
    total = 0
    for node in nodes:
        out = int(np.prod(shapes[node.output[0]]))
        if node.op_type == "MatMul":
            reduce = shapes[node.input[0]][-1]
        elif node.op_type == "Gemm":
            trans_a = next((a.i for a in node.attribute if a.name == "transA"), 0)
            reduce = shapes[node.input[0]][0 if trans_a else 1]
        else:
            reduce = int(np.prod(shapes[node.input[1]][1:]))
        total += 2 * out * reduce
    return total


# --------------------------------------------------------------- engines


class Pith:
    name = "pith"

    def __init__(self, path, shapes, feeds, scratch, build_dir):
        self.bench_tool = build_dir / "bin" / "pith-bench"
        self.package = scratch / "model.pith"
        start = time.perf_counter()
        self.model = pith.compile(path, output=self.package, input_shapes=shapes)
        self.compile_s = time.perf_counter() - start
        self.feeds = feeds
        self.outputs = {o.name: np.empty(o.shape, o.dtype) for o in self.model.outputs}

    def __call__(self):
        self.model.run(self.feeds, outputs=self.outputs)
        return self.outputs

    def native_ms(self, scratch, seconds):
        inputs = []
        for name, value in self.feeds.items():
            np.save(scratch / f"pith-{name}.npy", value)
            inputs.append(f"--input={name}=@{scratch / f'pith-{name}.npy'}")
        report = subprocess.run(
            [str(self.bench_tool), str(self.package), "--json",
             "--min-time", str(seconds), *inputs],
            check=True, capture_output=True, text=True)
        return json.loads(report.stdout)["latency_ms"]["p50"]


class OnnxRuntime:
    name = "onnxruntime"

    def __init__(self, path, shapes, feeds, scratch, build_dir):
        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        start = time.perf_counter()
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.compile_s = time.perf_counter() - start
        self.names = [o.name for o in self.session.get_outputs()]
        self.feeds = feeds

    def __call__(self):
        return dict(zip(self.names, self.session.run(self.names, self.feeds)))


class Iree:
    name = "iree"

    def __init__(self, path, shapes, feeds, scratch, build_dir):
        import iree.runtime as rt

        graph = onnx.load(path, load_external_data=False).graph
        binaries = pathlib.Path(sys.executable).parent
        imported = scratch / "iree.mlir"
        self.module = scratch / "model.vmfb"
        start = time.perf_counter()
        source = path
        if shapes:
            # iree-import-onnx keeps symbolic dims; fix them as pith does.
            model = onnx.load(path)
            for value in model.graph.input:
                for index, dim in enumerate(value.type.tensor_type.shape.dim):
                    if value.name in shapes:
                        dim.ClearField("dim_param")
                        dim.dim_value = shapes[value.name][index]
            source = scratch / "fixed.onnx"
            onnx.save(model, source)
        for command in (
            [binaries / "iree-import-onnx", source, "-o", imported],
            [binaries / "iree-compile", imported, "--iree-hal-target-device=local",
             "--iree-hal-local-target-device-backends=llvm-cpu",
             "--iree-llvmcpu-target-cpu=host", "-o", self.module],
        ):
            result = subprocess.run([str(c) for c in command], capture_output=True, text=True)
            if result.returncode != 0:
                raise RuntimeError(f"{pathlib.Path(command[0]).name} failed: "
                                   + result.stderr.strip().splitlines()[-1][:300])
        self.compile_s = time.perf_counter() - start
        self.function_name = graph.name
        if THREADS > 1:
            rt.flags.parse_flags(f"--task_topology_group_count={THREADS}")
        config = rt.Config(self.device())
        context = rt.SystemContext(config=config)
        context.add_vm_module(rt.VmModule.mmap(config.vm_instance, str(self.module)))
        self.function = context.modules.module[self.function_name]
        # Inputs uploaded once, as the other engines take them in place.
        self.arguments = [rt.asdevicearray(config.device, feeds[i.name]) for i in graph.input]
        self.names = [o.name for o in graph.output]

    @staticmethod
    def device():
        return "local-sync" if THREADS == 1 else "local-task"

    def __call__(self):
        results = self.function(*self.arguments)
        if not isinstance(results, (tuple, list)):
            results = [results]
        return {n: np.asarray(r.to_host()) for n, r in zip(self.names, results)}

    def native_ms(self, scratch, seconds):
        inputs = []
        for index, argument in enumerate(self.arguments):
            file = scratch / f"iree-{index}.npy"
            np.save(file, np.asarray(argument.to_host()))
            inputs.append(f"--input=@{file}")
        binaries = pathlib.Path(sys.executable).parent
        report = subprocess.run(
            [str(binaries / "iree-benchmark-module"), f"--module={self.module}",
             f"--device={self.device()}", f"--task_topology_group_count={THREADS}",
             f"--function={self.function_name}", *inputs,
             "--benchmark_format=json", f"--benchmark_min_time={seconds}s"],
            check=True, capture_output=True, text=True)
        runs = [b for b in json.loads(report.stdout)["benchmarks"] if b["run_type"] == "iteration"]
        unit = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[runs[0]["time_unit"]]
        return runs[0]["real_time"] * unit


# ---------------------------------------------------------------- timing


def batch_us(run, count):
    start = time.perf_counter()
    for _ in range(count):
        run()
    return (time.perf_counter() - start) / count * 1e6


def runs_per_batch(run, seconds):
    """Runs that take about `seconds` (at least 1)."""
    once = batch_us(run, 3) * 1e-6
    return max(1, int(seconds / max(once, 1e-7)))


def alternate(engines, rounds, seconds):
    """Median latency (us) per engine over `rounds` rounds, each timing a
    batch of every engine in turn."""
    counts = {}
    for engine in engines:
        for _ in range(3):
            engine()  # warm-up
        counts[engine.name] = runs_per_batch(engine, seconds)
    samples = {engine.name: [] for engine in engines}
    for _ in range(rounds):
        for engine in engines:
            samples[engine.name].append(batch_us(engine, counts[engine.name]))
            if THREADS > 1:
                # Idle worker threads spin for a while (libomp, ONNX
                # Runtime's pool) and would take the next engine's cores.
                time.sleep(SETTLE_SECONDS)
    return {name: statistics.median(values) for name, values in samples.items()}


# ---------------------------------------------------------------- limits


def read_bandwidth(rounds):
    """Bytes/s of one pass over a 1 GiB float32 array, far larger than any
    cache (max: numpy's vectorized reduction that does least per byte)."""
    data = np.ones(1 << 28, np.float32)
    data.max()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        data.max()
        times.append(time.perf_counter() - start)
    return data.nbytes / statistics.median(times)


def sgemm_rate(rounds, size=1024):
    """FLOP/s of one-thread sgemm (numpy's BLAS) at size^3."""
    a = np.random.default_rng(0).standard_normal((size, size)).astype(np.float32)
    b = a.T.copy()
    a @ b
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times)


# ------------------------------------------------------------------ main


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=pathlib.Path, default=ROOT / "build")
    parser.add_argument("--output", type=pathlib.Path, help="JSON file (default BUILD/bench/latest.json)")
    parser.add_argument("--models", default="mlp,cnn,encoder,encoder-384,minilm")
    parser.add_argument("--engines", default="pith,onnxruntime,iree")
    parser.add_argument("--rounds", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1,
                        help="threads each engine may use (sgemm is measured on one)")
    parser.add_argument("--batch-seconds", type=float, default=0.05,
                        help="time of one engine's batch of runs in a round")
    args = parser.parse_args()
    output = args.output or args.build_dir / "bench" / "latest.json"
    classes = {c.name: c for c in (Pith, OnnxRuntime, Iree)}
    engine_names = args.engines.split(",")

    log("bench: measuring memory read bandwidth and one-thread sgemm")
    bandwidth = read_bandwidth(args.rounds)
    sgemm = sgemm_rate(args.rounds)
    import onnxruntime
    report = {
        "machine": {"cpu": platform.processor() or platform.machine(),
                    "threads": THREADS,
                    "read_bandwidth_gb_s": bandwidth / 1e9, "sgemm_gflop_s": sgemm / 1e9},
        "versions": {"onnxruntime": onnxruntime.__version__},
        "method": (f"from python, {args.rounds} alternating rounds of ~{args.batch_seconds}s "
                   "batches per engine, medians; native: pith-bench p50 and "
                   "iree-benchmark-module mean, alternating, median of 3"),
        "models": {},
    }
    try:
        import iree.compiler
        report["versions"]["iree"] = iree.compiler.version.VERSION
    except (ImportError, AttributeError):
        pass

    for name, path, shapes, feeds in models(args.build_dir, args.models.split(",")):
        log(f"bench: {name}: compiling")
        entry = {"flops": flops(path, feeds), "latency_us": {}, "native_us": {},
                 "compile_s": {}, "errors": {}}
        engines = []
        with tempfile.TemporaryDirectory(prefix=f"pith-bench-{name}-") as scratch_name:
            scratch = pathlib.Path(scratch_name)
            for engine_name in engine_names:
                directory = scratch / engine_name
                directory.mkdir()
                try:
                    engine = classes[engine_name](path, shapes, feeds, directory, args.build_dir)
                except Exception as error:  # recorded; the others still run
                    entry["errors"][engine_name] = str(error)
                    log(f"bench: {name}: {engine_name}: {error}")
                    continue
                entry["compile_s"][engine_name] = round(engine.compile_s, 2)
                engines.append(engine)
                if isinstance(engine, Pith):
                    report["machine"]["pith_cpu"] = engine.model.cpu

            # Every engine's outputs against ONNX Runtime's.
            reference = next((e for e in engines if e.name == "onnxruntime"), None)
            if reference is not None:
                want = reference()
                entry["max_relative_error"] = {}
                for engine in engines:
                    got = engine()
                    entry["max_relative_error"][engine.name] = max(
                        float(np.abs(got[k] - v).max() / max(np.abs(v).max(), 1e-30))
                        for k, v in want.items())

            log(f"bench: {name}: timing {', '.join(e.name for e in engines)}")
            entry["latency_us"] = alternate(engines, args.rounds, args.batch_seconds)
            native = [e for e in engines if hasattr(e, "native_ms")]
            samples = {e.name: [] for e in native}
            for _ in range(3):
                for engine in native:
                    samples[engine.name].append(engine.native_ms(scratch, 0.3) * 1e3)
            entry["native_us"] = {k: statistics.median(v) for k, v in samples.items()}

        latency = entry["latency_us"]
        if "pith" in latency:
            entry["ratios"] = {f"{other}/pith": latency[other] / latency["pith"]
                               for other in latency if other != "pith"}
            if "iree" in entry["native_us"]:
                entry["ratios"]["native iree/pith"] = (entry["native_us"]["iree"]
                                                       / entry["native_us"]["pith"])
            entry["pith_gflop_s"] = entry["flops"] / (entry["native_us"]["pith"] * 1e-6) / 1e9
            entry["pith_fraction_of_sgemm"] = entry["pith_gflop_s"] * 1e9 / (sgemm * THREADS)
        report["models"][name] = entry

    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(report, indent=2) + "\n")
    print_table(report)
    log(f"bench: wrote {output}")


def print_table(report):
    machine = report["machine"]
    print(f"{machine['threads']} thread(s) on {machine.get('pith_cpu', machine['cpu'])}; "
          f"one thread: memory read {machine['read_bandwidth_gb_s']:.1f} GB/s, "
          f"sgemm {machine['sgemm_gflop_s']:.1f} GFLOP/s")
    print(f"{'model':<12} {'MFLOP':>8} {'pith us':>9} {'ORT us':>9} {'IREE us':>9} "
          f"{'ORT/pith':>9} {'IREE/pith':>10} {'native pith':>12} {'native IREE':>12} {'of sgemm':>9}")
    for name, entry in report["models"].items():
        latency, native, ratios = entry["latency_us"], entry["native_us"], entry.get("ratios", {})

        def cell(value, width, form="{:.1f}"):
            return f"{form.format(value) if value is not None else '-':>{width}}"

        print(f"{name:<12} {entry['flops'] / 1e6:>8.2f} {cell(latency.get('pith'), 9)} "
              f"{cell(latency.get('onnxruntime'), 9)} {cell(latency.get('iree'), 9)} "
              f"{cell(ratios.get('onnxruntime/pith'), 9, '{:.2f}x')} "
              f"{cell(ratios.get('iree/pith'), 10, '{:.2f}x')} "
              f"{cell(native.get('pith'), 12)} {cell(native.get('iree'), 12)} "
              f"{cell(entry.get('pith_fraction_of_sgemm'), 9, '{:.0%}')}")
        for engine, error in entry["errors"].items():
            print(f"  {engine}: {error}")


if __name__ == "__main__":
    main()
