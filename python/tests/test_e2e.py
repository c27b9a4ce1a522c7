"""End to end: models compiled for this CPU give ONNX Runtime's numbers.

Tolerance, every test: each fp32 output element within 1e-4 relative of
ONNX Runtime's, or within 1e-4 of the output's largest magnitude for
elements near zero (np.testing.assert_allclose with rtol=1e-4 and
atol=1e-4 * max|expected|).
"""

import os
import pathlib

import numpy as np
import onnxruntime as ort
import pytest

import e2e_models
import pith

ROOT = pathlib.Path(__file__).resolve().parents[2]
RTOL = 1e-4


def reference(model, feeds):
    """ONNX Runtime's outputs, by name, on one thread."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    data = model if isinstance(model, (str, pathlib.Path)) else model.SerializeToString()
    session = ort.InferenceSession(str(data) if isinstance(data, pathlib.Path) else data,
                                   options, providers=["CPUExecutionProvider"])
    names = [output.name for output in session.get_outputs()]
    return dict(zip(names, session.run(names, feeds)))


def assert_matches(compiled, model, feeds):
    expected = reference(model, feeds)
    actual = compiled.run(feeds)
    assert actual.keys() == expected.keys()
    for name, want in expected.items():
        got = actual[name]
        assert got.dtype == want.dtype and got.shape == want.shape, name
        np.testing.assert_allclose(got, want, rtol=RTOL, atol=RTOL * np.abs(want).max(),
                                   err_msg=f"output '{name}'")


def random_inputs(compiled, seed=0):
    rng = np.random.default_rng(seed)
    feeds = {}
    for info in compiled.inputs:
        if info.dtype.kind == "f":
            feeds[info.name] = rng.standard_normal(info.shape).astype(info.dtype)
        else:
            feeds[info.name] = rng.integers(0, 2, info.shape).astype(info.dtype)
    return feeds


def test_generated_mlp():
    model = e2e_models.mlp(batch=4)
    compiled = pith.compile(model)
    assert [i.shape for i in compiled.inputs] == [(4, 64)]
    assert_matches(compiled, model, random_inputs(compiled))


def test_generated_cnn():
    model = e2e_models.cnn()
    compiled = pith.compile(model)
    assert_matches(compiled, model, random_inputs(compiled))


def test_generated_small_image_cnn():
    model = e2e_models.small_image_cnn()
    compiled = pith.compile(model)
    assert_matches(compiled, model, random_inputs(compiled))


def test_generated_depthwise_cnn():
    model = e2e_models.depthwise_cnn()
    compiled = pith.compile(model)
    assert_matches(compiled, model, random_inputs(compiled))


def test_generated_encoder_block():
    model = e2e_models.encoder_block()
    compiled = pith.compile(model)
    feeds = random_inputs(compiled)
    feeds["mask"][:, -5:] = 0  # padding at the end
    assert_matches(compiled, model, feeds)


# 23 tokens, a prime: every row count (tokens) and the attention scores'
# columns (tokens again) split into whole tiles and the rest.
@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
def test_encoder_block_of_a_prime_number_of_tokens(target):
    model = e2e_models.encoder_block(sequence=23)
    compiled = pith.compile(model, target=target)
    feeds = random_inputs(compiled)
    feeds["mask"][:, -3:] = 0
    assert_matches(compiled, model, feeds)


# Image rows of 13 and 17 positions, which no register tile of several
# rows divides: each convolution is multiplied as the positions full tiles
# cover and the rest of each row.
@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("size,kernel", [(13, 3), (17, 3), (11, 1)])
def test_convolutions_on_prime_image_rows(size, kernel, target):
    model = e2e_models.convolution(32, 48, size, kernel)
    compiled = pith.compile(model, target=target)
    assert_matches(compiled, model, random_inputs(compiled))


@pytest.mark.parametrize("size", [56, 32], ids=["flat-positions", "image-rows"])
def test_parallel_inverted_residual(size):
    """A MobileNetV2 block: each 1x1 convolution runs on OpenMP threads
    with its bias, ReLU6 or residual addition applied to its register
    tiles, its positions flat (56x56) or, where rows fill whole vectors
    (32x32), the image's rows stored straight into the depthwise
    convolution's padded input; the results are the serial code's, and
    ONNX Runtime's."""
    model = e2e_models.inverted_residual(size=size)
    compiled = pith.compile(model)
    feeds = random_inputs(compiled)
    assert_matches(compiled, model, feeds)
    serial = pith.compile(model, parallel=False).run(feeds)["features"]
    np.testing.assert_array_equal(compiled.run(feeds)["features"], serial)


@pytest.mark.parametrize("boolean_mask", [False, True], ids=["float-mask", "boolean-mask"])
def test_parallel_encoder_block(tmp_path, boolean_mask):
    """A BERT-base-sized block (MiniLM's: 128 tokens, 384 wide, 12 heads)
    has ops big enough to run on OpenMP threads; the threads' results are
    the serial code's, and ONNX Runtime's. A boolean mask is read a byte
    an element, where a vector of booleans would be packed bits."""
    model = e2e_models.encoder_block(sequence=128, hidden=384, heads=12,
                                     boolean_mask=boolean_mask)
    onnx_path = tmp_path / "encoder.onnx"
    onnx_path.write_bytes(model.SerializeToString())
    lowered = tmp_path / "encoder.mlir"
    pith._compiler.compile_file(str(onnx_path), str(lowered), emit="mlir")
    assert "omp.parallel" in lowered.read_text()
    compiled = pith.compile(model)
    feeds = random_inputs(compiled)
    feeds["mask"][:, 100:] = 0
    assert_matches(compiled, model, feeds)
    serial = pith.compile(model, parallel=False).run(feeds)["output"]
    np.testing.assert_array_equal(compiled.run(feeds)["output"], serial)


@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
def test_max_of_magnitudes_orders_special_values(target):
    """ReduceMax(Abs(x)), which pith reduces as the magnitudes' bits (as
    per-token int8 quantization does), gives what the values' maximum
    does: subnormals, -0, infinities, and NaN wherever a row has one."""
    from onnx import TensorProto, helper
    graph = helper.make_graph(
        [helper.make_node("Abs", ["x"], ["a"]),
         helper.make_node("ReduceMax", ["a"], ["y"], keepdims=0, axes=[1])],
        "max_of_magnitudes", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [6, 37])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [6])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    x = np.random.default_rng(3).standard_normal((6, 37)).astype(np.float32)
    x[1] = 0.0
    x[1, 5] = -0.0
    x[2] = np.float32(1e-40) * np.arange(37)  # subnormals
    x[2, 30] = -np.float32(3e-39)
    x[3, 20] = -np.inf
    x[4, 36] = np.nan
    x[5, 0], x[5, 1] = np.inf, np.nan
    compiled = pith.compile(model, target=target)
    got = compiled.run({"x": x})["y"]
    np.testing.assert_array_equal(got, np.abs(x).max(axis=1))
    assert np.signbit(got[1]) == np.False_


def test_bundled_example():
    model = ROOT / "examples" / "mlp" / "mlp.onnx"
    with pytest.warns(UserWarning, match="taken as 1"):
        compiled = pith.compile(model)
    assert_matches(compiled, model, random_inputs(compiled))


# Real PyTorch exports (torch.onnx, dynamo and TorchScript exporters) of a
# small BERT and a small CNN; see scripts/export_models.py.
@pytest.mark.filterwarnings("ignore:.*is taken as 1")
@pytest.mark.parametrize("name", ["tiny-bert-opset17", "tiny-bert-opset18", "tiny-cnn-opset17"])
def test_pytorch_export(name):
    model = ROOT / "test" / "import" / "models" / f"{name}.onnx"
    shapes = {"input_ids": [1, 16], "attention_mask": [1, 16]} if "bert" in name else {}
    compiled = pith.compile(model, input_shapes=shapes)
    feeds = random_inputs(compiled)
    if "input_ids" in feeds:
        feeds["input_ids"] = np.random.default_rng(1).integers(0, 64, (1, 16))
        feeds["attention_mask"] = np.ones((1, 16), np.int64)
        feeds["attention_mask"][:, 12:] = 0
    assert_matches(compiled, model, feeds)


def test_minilm():
    """all-MiniLM-L6-v2 with its trained weights, where
    scripts/export-models.sh has exported it (it is not in the repository)."""
    model = pathlib.Path(os.environ.get("PITH_BUILD_DIR", ROOT / "build")) / "models" / "minilm-l6.onnx"
    if not model.exists():
        pytest.skip(f"{model} is absent; scripts/export-models.sh exports it")
    compiled = pith.compile(model, input_shapes={"input_ids": [1, 128], "attention_mask": [1, 128]})
    rng = np.random.default_rng(2)
    feeds = {"input_ids": rng.integers(1000, 30000, (1, 128)), "attention_mask": np.ones((1, 128), np.int64)}
    feeds["attention_mask"][:, 100:] = 0
    assert_matches(compiled, model, feeds)
