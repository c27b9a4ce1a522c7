"""ONNX import from python: shapes, warnings, errors naming the node."""

import pathlib

import pytest

import pith

ROOT = pathlib.Path(__file__).resolve().parents[2]
MLP = ROOT / "examples" / "mlp" / "mlp.onnx"


def test_import_with_input_shapes():
    text = pith.import_onnx(str(MLP), input_shapes={"x": [4, 64]})
    assert 'tensor<4x64xf32> {pith.name = "x"}' in text
    assert 'tensor<4x10xf32> {pith.name = "probabilities"}' in text
    assert "dense_resource<fc1.weight>" in text


def test_symbolic_batch_warns():
    with pytest.warns(UserWarning, match="input 'x' dimension 0 .'batch'. is taken as 1"):
        text = pith.import_onnx(str(MLP))
    assert "tensor<1x64xf32>" in text


def test_import_then_fuse():
    fused = pith.run_pipeline(pith.import_onnx(str(MLP), input_shapes={"x": [1, 64]}),
                              "pith-fuse-linear,canonicalize")
    assert fused.count("pith.linear") == 2


def test_text_models(tmp_path):
    model = tmp_path / "relu.onnxtxt"
    model.write_text('<ir_version: 8, opset_import: ["" : 17]>\n'
                     "g (float[3] x) => (float[3] y) { y = Relu(x) }\n")
    assert "pith.relu" in pith.import_onnx(str(model), text=True)


def test_errors_name_the_node(tmp_path):
    model = tmp_path / "bad.onnxtxt"
    model.write_text('<ir_version: 8, opset_import: ["" : 17]>\n'
                     "g (float[3] x, float[4] z) => (float[3] y) { y = Add(x, z) }\n")
    with pytest.raises(pith.CompileError) as info:
        pith.import_onnx(str(model), text=True)
    assert "node 'Add#0': error: operand types" in str(info.value)


def test_missing_file():
    with pytest.raises(pith.CompileError, match="cannot read the model"):
        pith.import_onnx("/nonexistent/model.onnx")
