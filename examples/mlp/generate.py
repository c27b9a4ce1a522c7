"""Writes examples/mlp/mlp.onnx: a 2-layer MLP classifier, as an exporter
writes one (MatMul + Add layers with [K, N] weights, Gelu, Softmax), with
seeded random weights. Run from the repository root:
    .venv/bin/python examples/mlp/generate.py
"""

import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

rng = np.random.default_rng(seed=7)
SIZES = [("fc1", 64, 128), ("fc2", 128, 10)]

initializers = []
for name, k, n in SIZES:
    weight = (rng.standard_normal((k, n)) / np.sqrt(k)).astype(np.float32)
    bias = (rng.standard_normal(n) * 0.1).astype(np.float32)
    initializers += [numpy_helper.from_array(weight, f"{name}.weight"),
                     numpy_helper.from_array(bias, f"{name}.bias")]

nodes = [
    helper.make_node("MatMul", ["x", "fc1.weight"], ["h1"], name="fc1/MatMul"),
    helper.make_node("Add", ["h1", "fc1.bias"], ["a1"], name="fc1/Add"),
    helper.make_node("Gelu", ["a1"], ["g1"], name="gelu"),
    helper.make_node("MatMul", ["g1", "fc2.weight"], ["h2"], name="fc2/MatMul"),
    helper.make_node("Add", ["h2", "fc2.bias"], ["logits"], name="fc2/Add"),
    helper.make_node("Softmax", ["logits"], ["probabilities"], name="softmax", axis=-1),
]
graph = helper.make_graph(
    nodes, "mlp",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 10])],
    initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 20)],
                          producer_name="examples/mlp/generate.py")
onnx.checker.check_model(model)
pathlib.Path(__file__).with_name("mlp.onnx").write_bytes(model.SerializeToString())
