"""Writes the fuzzer's seed models into corpus/ (run from test/fuzz)."""

import pathlib

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = pathlib.Path(__file__).with_name("corpus")
out.mkdir(exist_ok=True)


def save(name, nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, name, inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    (out / f"{name}.onnx").write_bytes(model.SerializeToString())


def info(name, shape, dtype=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, dtype, shape)


rng = np.random.default_rng(0)
w = numpy_helper.from_array(rng.standard_normal((8, 4)).astype(np.float32), "w")
b = numpy_helper.from_array(np.zeros(4, np.float32), "b")
shape = numpy_helper.from_array(np.array([-1, 4], np.int64), "shape")
save("mlp", [helper.make_node("MatMul", ["x", "w"], ["h"]),
             helper.make_node("Add", ["h", "b"], ["a"]),
             helper.make_node("Relu", ["a"], ["r"]),
             helper.make_node("Reshape", ["r", "shape"], ["y"])],
     [info("x", ["N", 8])], [info("y", ["N", 4])], [w, b, shape])

k = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), "k")
save("cnn", [helper.make_node("Conv", ["x", "k"], ["c"], pads=[1, 1, 1, 1]),
             helper.make_node("MaxPool", ["c"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
             helper.make_node("GlobalAveragePool", ["p"], ["g"]),
             helper.make_node("Flatten", ["g"], ["y"])],
     [info("x", [1, 3, 8, 8])], [info("y", [1, 4])], [k])

axes = numpy_helper.from_array(np.array([1], np.int64), "axes")
save("shapes", [helper.make_node("Shape", ["x"], ["s"]),
                helper.make_node("Gather", ["s", "i"], ["d"], axis=0),
                helper.make_node("Unsqueeze", ["d", "axes"], ["u"]),
                helper.make_node("Concat", ["u", "u"], ["c"], axis=0),
                helper.make_node("Slice", ["x", "zero", "c", "axes"], ["y"])],
     [info("x", [2, 6])], [info("y", [2, 6])],
     [axes, numpy_helper.from_array(np.array(1, np.int64), "i"),
      numpy_helper.from_array(np.array([0], np.int64), "zero")])

scale = numpy_helper.from_array(np.array([0.5, 0.25], np.float32), "scale")
zp = numpy_helper.from_array(np.array([1, 2], np.uint8), "zp")
save("qdq", [helper.make_node("QuantizeLinear", ["x", "scale", "zp"], ["q"], axis=1),
             helper.make_node("DequantizeLinear", ["q", "scale", "zp"], ["y"], axis=1)],
     [info("x", [3, 2])], [info("y", [3, 2])], [scale, zp])

save("norms", [helper.make_node("LayerNormalization", ["x", "g", "beta"], ["l"], axis=-1),
               helper.make_node("Softmax", ["l"], ["s"]),
               helper.make_node("ReduceMean", ["s"], ["y"], axes=[1], keepdims=1)],
     [info("x", [2, 4])], [info("y", [2, 1])],
     [numpy_helper.from_array(np.ones(4, np.float32), "g"),
      numpy_helper.from_array(np.zeros(4, np.float32), "beta")], opset=17)
