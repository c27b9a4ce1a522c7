"""pith.compile, pith.load and Model.run: signatures, zero-copy arrays,
threads, and a clear error for every misuse."""

import pathlib
import threading

import numpy as np
import pytest

import pith

ROOT = pathlib.Path(__file__).resolve().parents[2]
RELU = ROOT / "test" / "tools" / "Inputs" / "relu.mlir"
DYNAMIC = ROOT / "test" / "tools" / "Inputs" / "dynamic.onnxtxt"
X = np.array([[-1, 2, -3], [4, -5, 6]], np.float32)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    path = tmp_path_factory.mktemp("packages") / "relu.pith"
    pith.compile(RELU, output=path)
    return path


def test_signature(package):
    model = pith.load(package)
    assert model.inputs == [pith.TensorInfo("x", np.dtype(np.float32), (2, 3))]
    assert model.outputs == [pith.TensorInfo("y", np.dtype(np.float32), (2, 3))]
    assert model.target == "host" and model.producer == f"pith {pith.__version__}"
    assert model.path == str(package)
    assert "x: float32[2,3]" in repr(model)


def test_run_by_mapping_and_keyword(package):
    model = pith.load(package)
    expected = np.maximum(X, 0)
    np.testing.assert_array_equal(model.run({"x": X})["y"], expected)
    np.testing.assert_array_equal(model.run(x=X)["y"], expected)
    # Values that are not arrays are converted to the declared dtype.
    np.testing.assert_array_equal(model.run(x=X.tolist())["y"], expected)


def test_outputs_are_written_in_place(package):
    model = pith.load(package)
    out = np.full((2, 3), np.nan, np.float32)
    result = model.run({"x": X}, outputs={"y": out})
    assert result["y"] is out
    np.testing.assert_array_equal(out, np.maximum(X, 0))


def test_inputs_need_not_be_contiguous(package):
    model = pith.load(package)
    strided = np.ascontiguousarray(np.stack([X, X], axis=-1))[..., 0]
    assert not strided.flags.c_contiguous
    np.testing.assert_array_equal(model.run(x=strided)["y"], np.maximum(X, 0))
    read_only = X.copy()
    read_only.setflags(write=False)
    np.testing.assert_array_equal(model.run(x=read_only)["y"], np.maximum(X, 0))


def test_threads_share_a_model(package):
    model = pith.load(package)
    failures = []

    def work(seed):
        rng = np.random.default_rng(seed)
        for _ in range(100):
            x = rng.standard_normal((2, 3)).astype(np.float32)
            if not np.array_equal(model.run(x=x)["y"], np.maximum(x, 0)):
                failures.append(seed)

    threads = [threading.Thread(target=work, args=(seed,)) for seed in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda m: m.run(), "no value for input 'x'"),
        (lambda m: m.run(x=X, z=X), "the model has no input 'z'; its inputs are 'x'"),
        (lambda m: m.run({"x": X}, x=X), "input 'x' is given twice"),
        (lambda m: m.run(x=X.astype(np.float64)), r"input 'x' must be float32\[2,3\], got float64\[2,3\]"),
        (lambda m: m.run(x=X.T.copy()), r"input 'x' must be float32\[2,3\], got float32\[3,2\]"),
        (lambda m: m.run(x=[1.0, 2.0]), r"input 'x' must be float32\[2,3\], got shape \(2,\)"),
        (lambda m: m.run(x=X, outputs={"y": np.empty((2, 3), np.float64)}),
         r"output 'y' must be a writable C-contiguous float32\[2,3\] array"),
        (lambda m: m.run(x=X, outputs={"w": X}), "the model has no output 'w'"),
    ],
)
def test_run_errors(package, call, message):
    with pytest.raises(pith.ModelError, match=message):
        call(pith.load(package))


def test_load_errors(package, tmp_path):
    with pytest.raises(pith.ModelError, match="cannot open .*absent.pith") as info:
        pith.load(tmp_path / "absent.pith")
    assert info.value.code == 3  # PITH_IO_ERROR
    truncated = tmp_path / "truncated.pith"
    truncated.write_bytes(package.read_bytes()[:-100])
    with pytest.raises(pith.ModelError, match="not a valid pith package: .*truncated") as info:
        pith.load(truncated)
    assert info.value.code == 4  # PITH_INVALID_PACKAGE
    text = tmp_path / "text.pith"
    text.write_text("not a package")
    with pytest.raises(pith.ModelError, match="identifier 'PITH'"):
        pith.load(text)


def test_compile_errors(tmp_path):
    with pytest.raises(pith.CompileError, match="input 'x' dimension 1 .* is not known"):
        pith.compile(DYNAMIC)
    with pytest.raises(pith.CompileError, match="unknown target 'pentium'"):
        pith.compile(RELU, target="pentium")
    with pytest.raises(ValueError, match="cannot open recipe 'int8.json'"):
        pith.compile(RELU, recipe="int8.json")


def test_gpu_package_without_a_gpu(tmp_path):
    path = tmp_path / "relu-sm90.pith"
    try:
        pith.compile(RELU, target="sm_90", output=path)
    except pith.ModelError as error:
        # No driver or no device here (the driver is opened once per process,
        # so which one depends on the machine, not on this test).
        assert error.code == 5  # PITH_UNSUPPORTED_TARGET
        assert "runs on an NVIDIA GPU (sm_90), and " in str(error)
    assert path.stat().st_size > 0
    # Compiled without loading: what a machine without the GPU does.
    written = tmp_path / "relu-sm80.pith"
    assert pith.compile(RELU, target="sm_80", output=written, load=False) == str(written)
    assert written.stat().st_size > 0
    with pytest.raises(ValueError, match="give its output path"):
        pith.compile(RELU, target="sm_80", load=False)
    with pytest.raises(pith.CompileError, match="unknown GPU target 'sm_70'"):
        pith.compile(RELU, target="sm_70")


def test_compile_in_memory_model():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Sigmoid", ["a"], ["b"])], "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [3])],
        [helper.make_tensor_value_info("b", TensorProto.FLOAT, [3])])
    model = pith.compile(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert model.path is None
    a = np.array([-1, 0, 1], np.float32)
    np.testing.assert_allclose(model.run(a=a)["b"], 1 / (1 + np.exp(-a)), rtol=1e-6)


def test_scalar_inputs_stay_scalar():
    pytest.importorskip("onnx")
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Mul", ["a", "s"], ["b"])], "g",
        [helper.make_tensor_value_info("a", TensorProto.FLOAT, [3]),
         helper.make_tensor_value_info("s", TensorProto.FLOAT, [])],
        [helper.make_tensor_value_info("b", TensorProto.FLOAT, [3])])
    model = pith.compile(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]))
    assert model.inputs[1].shape == ()
    a = np.array([1, 2, 3], np.float32)
    np.testing.assert_array_equal(model.run(a=a, s=np.float32(2))["b"], 2 * a)
    np.testing.assert_array_equal(model.run(a=a, s=np.array(2, np.float32))["b"], 2 * a)
