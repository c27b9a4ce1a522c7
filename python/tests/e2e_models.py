"""Generated ONNX models for the end-to-end tests: an MLP, a CNN and a
transformer encoder block, with seeded random weights."""

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


class Builder:
    """Collects nodes and initializers of one graph."""

    def __init__(self, seed):
        self.rng = np.random.default_rng(seed)
        self.nodes = []
        self.initializers = []
        self.count = 0

    def weight(self, *shape, scale=None):
        fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else shape[0]
        scale = scale if scale is not None else 1 / np.sqrt(fan_in)
        return self.constant(self.rng.standard_normal(shape) * scale)

    def constant(self, value, dtype=np.float32):
        name = f"c{len(self.initializers)}"
        self.initializers.append(numpy_helper.from_array(np.asarray(value, dtype), name))
        return name

    def op(self, op_type, *inputs, outputs=1, **attributes):
        self.count += 1
        names = [f"{op_type.lower()}{self.count}_{i}" for i in range(outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, **attributes))
        return names[0] if outputs == 1 else names

    def model(self, inputs, outputs, opset=17):
        # The last node's outputs become the graph's, renamed.
        graph = helper.make_graph(
            self.nodes,
            "g",
            [helper.make_tensor_value_info(n, t, s) for n, t, s in inputs],
            [helper.make_tensor_value_info(n, t, s) for n, t, s in outputs],
            self.initializers,
        )
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
        onnx.checker.check_model(model, full_check=True)
        return model

    def rename_last(self, name):
        self.nodes[-1].output[0] = name


def mlp(batch=4):
    b = Builder(1)
    h = b.op("Gemm", "x", b.weight(256, 64), b.weight(256, scale=0.1), transB=1)
    h = b.op("Relu", h)
    h = b.op("MatMul", h, b.weight(256, 128))
    h = b.op("Add", h, b.weight(128, scale=0.1))
    h = b.op("Tanh", h)
    h = b.op("MatMul", h, b.weight(128, 10))
    b.op("Softmax", h, axis=-1)
    b.rename_last("y")
    return b.model([("x", TensorProto.FLOAT, [batch, 64])], [("y", TensorProto.FLOAT, [batch, 10])])


def cnn():
    b = Builder(2)
    h = b.op("Conv", "image", b.weight(16, 3, 3, 3), b.weight(16, scale=0.1),
             pads=[1, 1, 1, 1], strides=[2, 2])
    h = b.op("BatchNormalization", h, b.constant(1 + 0.1 * b.rng.standard_normal(16)),
             b.weight(16, scale=0.1), b.weight(16, scale=0.1),
             b.constant(0.5 + b.rng.random(16)))
    h = b.op("Relu", h)
    h = b.op("MaxPool", h, kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    # A depthwise convolution (groups = channels), then a pointwise one.
    h = b.op("Conv", h, b.weight(16, 1, 3, 3), pads=[1, 1, 1, 1], group=16)
    h = b.op("Clip", h, b.constant(0.0), b.constant(6.0))
    h = b.op("Conv", h, b.weight(32, 16, 1, 1), b.weight(32, scale=0.1))
    h = b.op("Sigmoid", h)
    h = b.op("AveragePool", h, kernel_shape=[2, 2], strides=[2, 2])
    h = b.op("GlobalAveragePool", h)
    h = b.op("Flatten", h)
    h = b.op("Gemm", h, b.weight(10, 32), b.weight(10, scale=0.1), transB=1)
    b.op("LogSoftmax", h, axis=1)
    b.rename_last("logits")
    return b.model([("image", TensorProto.FLOAT, [1, 3, 32, 32])],
                   [("logits", TensorProto.FLOAT, [1, 10])])


def convolution(channels, filters, size, kernel, stride=1, seed=0):
    """One Conv x [1, C, size, size] -> y of an [F, C, K, K] initializer,
    padded by K // 2 each side (ResNet's convolutions, one at a time)."""
    b = Builder(seed)
    pad = kernel // 2
    b.op("Conv", "x", b.weight(filters, channels, kernel, kernel), pads=[pad] * 4,
         strides=[stride, stride])
    b.rename_last("y")
    out = (size + 2 * pad - kernel) // stride + 1
    return b.model([("x", TensorProto.FLOAT, [1, channels, size, size])],
                   [("y", TensorProto.FLOAT, [1, filters, out, out])])


def depthwise_cnn(batch=2):
    """Depthwise convolutions as MobileNets stack them, all multiplied in
    place: unit strides, dilated, strides of 2 (each row picked from a span
    of the input) with 3x3, 5x5 and 7x7 windows, strided and dilated at
    once, unequal strides, and a stride beyond the window (1x1 of stride
    2)."""
    b = Builder(4)
    channels = 16

    def depthwise(h, kernel, strides=(1, 1), dilation=1, bias=True):
        pad = (kernel - 1) * dilation // 2
        inputs = [h, b.weight(channels, 1, kernel, kernel)]
        if bias:
            inputs.append(b.weight(channels, scale=0.1))
        return b.op("Conv", *inputs, group=channels, pads=[pad] * 4, strides=list(strides),
                    dilations=[dilation, dilation])

    h = depthwise("image", 3)
    h = depthwise(h, 3, dilation=2, bias=False)
    h = depthwise(h, 3, strides=(2, 2), dilation=2)
    h = depthwise(h, 3, strides=(2, 2))
    h = b.op("Relu", h)
    h = depthwise(h, 5, strides=(2, 2))
    h = depthwise(h, 3, strides=(2, 1))
    h = depthwise(h, 7, strides=(2, 2), bias=False)
    h = depthwise(h, 1, strides=(2, 2))
    b.rename_last("features")
    return b.model([("image", TensorProto.FLOAT, [batch, channels, 29, 29])],
                   [("features", TensorProto.FLOAT, [batch, channels, 1, 1])])


def small_image_cnn(batch=2):
    """Convolutions late in a network, whose 14x14 and 7x7 outputs do not
    fill 16-lane vectors: pith multiplies them with the filters as lanes."""
    b = Builder(3)
    h = b.op("Conv", "image", b.weight(32, 16, 3, 3), b.weight(32, scale=0.1),
             pads=[1, 1, 1, 1])
    h = b.op("Relu", h)
    h = b.op("Conv", h, b.weight(48, 32, 3, 3), pads=[1, 1, 1, 1], strides=[2, 2])
    h = b.op("Conv", h, b.weight(64, 48, 1, 1), b.weight(64, scale=0.1))
    b.rename_last("features")
    return b.model([("image", TensorProto.FLOAT, [batch, 16, 14, 14])],
                   [("features", TensorProto.FLOAT, [batch, 64, 7, 7])])


def inverted_residual(size=56, channels=24, expansion=6):
    """MobileNetV2's block: a 1x1 convolution widening the channels, with
    its bias and ReLU6; a 3x3 depthwise one; a 1x1 one narrowing them
    back, with its bias and the residual addition."""
    b = Builder(5)
    wide = channels * expansion
    h = b.op("Conv", "image", b.weight(wide, channels, 1, 1), b.weight(wide, scale=0.1))
    h = b.op("Clip", h, b.constant(0.0), b.constant(6.0))
    h = b.op("Conv", h, b.weight(wide, 1, 3, 3), b.weight(wide, scale=0.1), group=wide,
             pads=[1, 1, 1, 1])
    h = b.op("Clip", h, b.constant(0.0), b.constant(6.0))
    h = b.op("Conv", h, b.weight(channels, wide, 1, 1), b.weight(channels, scale=0.1))
    b.op("Add", h, "image")
    b.rename_last("features")
    shape = [1, channels, size, size]
    return b.model([("image", TensorProto.FLOAT, shape)],
                   [("features", TensorProto.FLOAT, shape)])


def encoder_block(sequence=16, hidden=64, heads=4, boolean_mask=False):
    """Self-attention with a padding mask, then a GELU feed-forward layer,
    each with a residual connection and LayerNormalization (BERT's order).
    The mask is added as BERT computes it from integers or, with
    `boolean_mask`, chosen by Where from a boolean input (as recent
    exporters write it)."""
    b = Builder(3)
    head = hidden // heads

    def layer_norm(x):
        return b.op("LayerNormalization", x, b.constant(1 + 0.1 * b.rng.standard_normal(hidden)),
                    b.weight(hidden, scale=0.1), axis=-1, epsilon=1e-12)

    def heads_first(x):
        x = b.op("Reshape", x, b.constant([1, sequence, heads, head], np.int64))
        return b.op("Transpose", x, perm=[0, 2, 1, 3])

    x = "hidden"
    q = heads_first(b.op("Add", b.op("MatMul", x, b.weight(hidden, hidden)), b.weight(hidden, scale=0.1)))
    k = heads_first(b.op("Add", b.op("MatMul", x, b.weight(hidden, hidden)), b.weight(hidden, scale=0.1)))
    v = heads_first(b.op("Add", b.op("MatMul", x, b.weight(hidden, hidden)), b.weight(hidden, scale=0.1)))
    scores = b.op("MatMul", q, b.op("Transpose", k, perm=[0, 1, 3, 2]))
    scores = b.op("Div", scores, b.constant(np.sqrt(head)))
    # mask: 1 keeps a position, 0 hides it (-10000 added, as BERT does).
    if boolean_mask:
        mask = b.op("Where", b.op("Unsqueeze", "mask", b.constant([1, 2], np.int64)),
                    b.constant(0.0), b.constant(-10000.0))
    else:
        mask = b.op("Cast", "mask", to=TensorProto.FLOAT)
        mask = b.op("Mul", b.op("Sub", b.constant(1.0), mask), b.constant(-10000.0))
        mask = b.op("Unsqueeze", mask, b.constant([1, 2], np.int64))
    probabilities = b.op("Softmax", b.op("Add", scores, mask), axis=-1)
    context = b.op("Transpose", b.op("MatMul", probabilities, v), perm=[0, 2, 1, 3])
    context = b.op("Reshape", context, b.constant([1, sequence, hidden], np.int64))
    attention = b.op("Add", b.op("MatMul", context, b.weight(hidden, hidden)), b.weight(hidden, scale=0.1))
    x = layer_norm(b.op("Add", attention, x))
    # GELU written out with Erf, as exporters before opset 20 do.
    f = b.op("Add", b.op("MatMul", x, b.weight(hidden, 4 * hidden)), b.weight(4 * hidden, scale=0.1))
    gelu = b.op("Mul", b.op("Mul", f, b.constant(0.5)),
                b.op("Add", b.constant(1.0), b.op("Erf", b.op("Div", f, b.constant(np.sqrt(2.0))))))
    f = b.op("Add", b.op("MatMul", gelu, b.weight(4 * hidden, hidden)), b.weight(hidden, scale=0.1))
    layer_norm(b.op("Add", f, x))
    b.rename_last("output")
    return b.model(
        [("hidden", TensorProto.FLOAT, [1, sequence, hidden]),
         ("mask", TensorProto.BOOL if boolean_mask else TensorProto.INT64, [1, sequence])],
        [("output", TensorProto.FLOAT, [1, sequence, hidden])],
    )
