"""Writes the binary ONNX models of files.test into the directory argv[1]."""

import pathlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = pathlib.Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def save(name, nodes, inputs, outputs, initializers=(), opset=17):
    graph = helper.make_graph(nodes, "g", inputs, outputs, list(initializers))
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    (out / name).write_bytes(model.SerializeToString())


def tensor_info(name, dtype, shape):
    return helper.make_tensor_value_info(name, dtype, shape)


def external(name, array, location, offset=0, length=None):
    """An initializer whose data lives in `location`, at `offset`."""
    tensor = numpy_helper.from_array(array, name)
    tensor.ClearField("raw_data")
    tensor.data_location = TensorProto.EXTERNAL
    entries = {"location": location, "offset": str(offset)}
    if length is not None:
        entries["length"] = str(length)
    for key, value in entries.items():
        tensor.external_data.add(key=key, value=value)
    return tensor


# A linear layer whose weight is in external data, after a 12-byte header
# (so the mapping is not page-aligned).
weight = np.arange(64 * 32, dtype=np.float32).reshape(64, 32) / 100
header = b"pith-header!"
(out / "weights.bin").write_bytes(header + weight.tobytes())
x = tensor_info("x", TensorProto.FLOAT, [1, 64])
y = tensor_info("y", TensorProto.FLOAT, [1, 32])
save("external.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [x], [y],
     [external("w", weight, "weights.bin", offset=len(header))])
save("external-escape.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [x], [y],
     [external("w", weight, "../weights.bin")])
save("external-short.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [x], [y],
     [external("w", weight, "weights.bin", offset=4096)])
save("external-missing.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [x], [y],
     [external("w", weight, "absent.bin")])

# The same layer with its weight inline, as raw data.
save("inline.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [x], [y],
     [numpy_helper.from_array(weight, "w")])

# Raw data of the wrong size.
bad = numpy_helper.from_array(weight, "w")
bad.raw_data = bad.raw_data[:-4]
save("raw-short.onnx", [helper.make_node("MatMul", ["x", "w"], ["y"])], [x], [y], [bad])

# A required input left out.
a = tensor_info("a", TensorProto.FLOAT, [4, 4])
save("missing-input.onnx", [helper.make_node("Gemm", ["a", ""], ["b"])], [a],
     [tensor_info("b", TensorProto.FLOAT, [4, 4])])

# Packed 4-bit initializers unpack, sign-extended for INT4.
packed = helper.make_tensor("q", TensorProto.INT4, [5], [-8, -1, 0, 7, 3])
save("int4.onnx", [helper.make_node("Identity", ["q"], ["y"])], [],
     [tensor_info("y", TensorProto.INT4, [5])], [packed], opset=21)

# Group-wise int4 weights, as quantizers export them: blocked
# DequantizeLinear (opset 21) of packed INT4 with INT4 zero points.
q4 = helper.make_tensor("q4", TensorProto.INT4, [2, 8], list(range(-8, 8)))
s4 = numpy_helper.from_array(np.array([[0.5, 0.25], [1.0, 2.0]], np.float32), "s4")
z4 = helper.make_tensor("z4", TensorProto.INT4, [2, 2], [0, 1, -1, 0])
save("int4-blocked.onnx",
     [helper.make_node("DequantizeLinear", ["q4", "s4", "z4"], ["w"], axis=1, block_size=4),
      helper.make_node("MatMul", ["x8", "w"], ["y8"])],
     [tensor_info("x8", TensorProto.FLOAT, [3, 2])],
     [tensor_info("y8", TensorProto.FLOAT, [3, 8])], [q4, s4, z4], opset=21)

# Symbolic dimensions for --input-shape.
ids = tensor_info("ids", TensorProto.INT64, ["batch", "seq"])
mask = tensor_info("mask", TensorProto.INT64, ["batch", "seq"])
save("symbolic.onnx", [helper.make_node("Add", ["ids", "mask"], ["y"])], [ids, mask],
     [tensor_info("y", TensorProto.INT64, ["batch", "seq"])])

# A sequence input.
seq = helper.make_tensor_sequence_value_info("s", TensorProto.FLOAT, [2])
save("sequence.onnx", [helper.make_node("SequenceLength", ["s"], ["n"])], [seq],
     [tensor_info("n", TensorProto.INT64, [])])
