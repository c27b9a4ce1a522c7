"""Compression end to end: quantized models against ONNX Runtime.

Two kinds of check:
- Models quantized elsewhere (QDQ: DequantizeLinear feeding MatMul) go
  through pith's quantized lowering (integers packed, unpacked in
  registers) and must give ONNX Runtime's numbers on the same model:
  rtol=1e-4, atol=1e-4 * max|expected|, as every e2e test. ONNX Runtime
  runs them without graph optimizations: its fusions would quantize the
  activations too (about 1% off the model's own arithmetic).
- Models pith quantizes (pith.compile(quantize=...)) are compared with the
  fp32 model: cosine similarity of the outputs at least the bound each
  scheme states, and the report's sizes.
"""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

import e2e_models
import pith
from test_e2e import reference

RNG = np.random.default_rng(7)


def qdq_linear_model(bits, k=96, n=40, m=5, block=None, zero_points=False):
    """x [m, k] @ DequantizeLinear(q [k, n]) + b: per-column scales, or
    blocks of `block` along K (opset 21 for int4 and blocks)."""
    storage = {8: (TensorProto.INT8, np.int8), 4: (TensorProto.INT4, np.int8)}[bits]
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    q = RNG.integers(low, high + 1, (k, n)).astype(np.int8)
    scale_shape = (k // block, n) if block else (n,)
    scale = (RNG.random(scale_shape) * 0.05 + 0.01).astype(np.float32)
    inputs = ["q", "scale"]
    initializers = [helper.make_tensor("q", storage[0], (k, n), q.flatten().tolist()),
                    numpy_helper.from_array(scale, "scale")]
    if zero_points:
        zp = RNG.integers(low // 2, high // 2 + 1, scale_shape).astype(np.int8)
        initializers.append(helper.make_tensor("zp", storage[0], scale_shape,
                                               zp.flatten().tolist()))
        inputs.append("zp")
    attrs = {"axis": 0, "block_size": block} if block else {"axis": 1}
    bias = RNG.standard_normal(n).astype(np.float32)
    initializers.append(numpy_helper.from_array(bias, "bias"))
    nodes = [helper.make_node("DequantizeLinear", inputs, ["w"], name="dq", **attrs),
             helper.make_node("MatMul", ["x", "w"], ["xw"], name="proj"),
             helper.make_node("Add", ["xw", "bias"], ["y"], name="bias_add")]
    graph = helper.make_graph(
        nodes, "qdq_linear",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])


def unoptimized_reference(model, feeds):
    options = ort.SessionOptions()
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options,
                                   providers=["CPUExecutionProvider"])
    return session.run(["y"], feeds)[0]


# 5 rows run as register tiles of rows; from 8 rows each panel of weights
# is dequantized once into a buffer first.
@pytest.mark.parametrize("rows", [5, 16])
@pytest.mark.parametrize("bits,block,zero_points", [
    (8, None, False), (8, None, True), (8, 32, False), (4, 32, False), (4, 16, True)])
def test_qdq_linear_matches_onnxruntime(bits, block, zero_points, rows):
    model = qdq_linear_model(bits, block=block, zero_points=zero_points, m=rows)
    compiled = pith.compile(model)
    feeds = {"x": RNG.standard_normal((rows, 96)).astype(np.float32)}
    want = unoptimized_reference(model, feeds)
    np.testing.assert_allclose(compiled.run(feeds)["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


@pytest.mark.parametrize("bits,size,zero_points", [(8, 7, False), (8, 7, True), (4, 7, False),
                                                   (8, 16, False)])
def test_qdq_conv_matches_onnxruntime(bits, size, zero_points):
    """A convolution of weights dequantized per filter (DequantizeLinear,
    axis 0): at 7x7 outputs the filters are the product's lanes and the
    product is a quantized linear layer over the columns (the integers
    unpacked in registers, 49 rows in tiles of 7), at 16x16 the positions
    are the lanes."""
    k, channels, filters = 3, 16, 32
    low = -(1 << (bits - 1))
    q = RNG.integers(low, -low, (filters, channels, k, k)).astype(np.int8)
    scale = (RNG.random(filters) * 0.01 + 0.001).astype(np.float32)
    storage = {8: TensorProto.INT8, 4: TensorProto.INT4}[bits]
    initializers = [helper.make_tensor("q", storage, q.shape, q.flatten().tolist()),
                    numpy_helper.from_array(scale, "scale")]
    inputs = ["q", "scale"]
    if zero_points:
        zp = RNG.integers(-8, 9, filters).astype(np.int8)
        initializers.append(numpy_helper.from_array(zp, "zp"))
        inputs.append("zp")
    nodes = [helper.make_node("DequantizeLinear", inputs, ["w"], name="dq", axis=0),
             helper.make_node("Conv", ["x", "w"], ["y"], name="conv", pads=[1, 1, 1, 1])]
    graph = helper.make_graph(
        nodes, "qdq_conv",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, channels, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, filters, size, size])],
        initializers)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 21)])
    compiled = pith.compile(model)
    feeds = {"x": RNG.standard_normal((1, channels, size, size)).astype(np.float32)}
    want = unoptimized_reference(model, feeds)
    np.testing.assert_allclose(compiled.run(feeds)["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


# With AVX-512 BF16 (znver4), 4-bit weights at 1 or 2 rows multiply by
# vdpbf16ps, x split in two bf16 parts (16 significant bits); 4 and 5 rows
# (tiles of 4 and 5 rows) stay on FMAs. K = 4096 is LLaMA's.
@pytest.mark.parametrize("rows", [1, 2, 4, 5])
@pytest.mark.parametrize("k,block,zero_points", [
    (96, 32, False), (96, 16, True), (4096, 128, False), (4096, 128, True)])
def test_qdq_int4_with_bf16_dot_products_matches_onnxruntime(k, block, zero_points, rows):
    if not all(_cpu_has(flag) for flag in ("avx512_bf16", "avx512vbmi")):
        pytest.skip("this CPU cannot run znver4 code")
    model = qdq_linear_model(4, k=k, n=48, block=block, zero_points=zero_points, m=rows)
    compiled = pith.compile(model, target="znver4")
    feeds = {"x": RNG.standard_normal((rows, k)).astype(np.float32)}
    want = unoptimized_reference(model, feeds)
    np.testing.assert_allclose(compiled.run(feeds)["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def test_qdq_linear_is_lowered_without_float_weights(tmp_path):
    """The quantized lowering reads the packed integers: no f32 weight of
    [96, 40] (or its transpose) appears in the module after lowering."""
    path = tmp_path / "qdq.onnx"
    onnx.save(qdq_linear_model(4, block=32), path)
    text = pith.run_pipeline(pith.import_onnx(str(path)),
                             "pith-fuse-linear,pith-lower-to-linalg,canonicalize")
    assert "pith.quantized_matmul" in text
    assert "tensor<96x40xf32>" not in text and "tensor<40x96xf32>" not in text


def cosine(a, b):
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


# Bounds measured on this MLP (whose softmax amplifies errors) with margin:
# output cosine to fp32, size ratio per layer, weight error per layer.
@pytest.mark.parametrize("scheme,least_cosine,ratio,most_error", [
    ("w8", 0.999, 3.7, 0.01), ("w8-asym", 0.999, 3.7, 0.01),
    ("w4g32", 0.93, 6.3, 0.1), ("q4_0", 0.93, 6.3, 0.1),
    ("w4g16-asym", 0.95, 5.1, 0.1), ("w2g16", 0.5, 7.9, 0.5)])
def test_quantized_mlp_close_to_fp32(scheme, least_cosine, ratio, most_error):
    model = e2e_models.mlp(batch=3)
    feeds = {"x": RNG.standard_normal((3, 64)).astype(np.float32)}
    want = reference(model, feeds)
    compiled = pith.compile(model, quantize=scheme)
    got = compiled.run(feeds)
    for name in want:
        assert cosine(got[name], want[name]) >= least_cosine, name
    report = compiled.report
    assert [line["layer"] for line in report] == ["Gemm#0", "MatMul#2", "MatMul#5"]
    for line in report:
        assert line["bytes_before"] / line["bytes_after"] >= ratio, line
        assert 0 < line["relative_error"] < most_error, line
        assert line["sqnr_db"] == pytest.approx(-20 * np.log10(line["relative_error"]))


def test_smaller_groups_quantize_more_precisely():
    model = e2e_models.mlp(batch=1)
    errors = {scheme: [line["relative_error"] for line in
                       pith.compile(model, quantize=scheme).report]
              for scheme in ("w4", "w4g32", "w4g16")}
    for per_channel, g32, g16 in zip(errors["w4"], errors["w4g32"], errors["w4g16"]):
        assert g16 < g32 < per_channel


def test_compress_skip_leaves_layers_in_fp32():
    model = e2e_models.mlp(batch=1)
    compiled = pith.compile(model, quantize="w8", compress_skip=["MatMul*"])
    assert [line["layer"] for line in compiled.report] == ["Gemm#0"]


def test_bad_scheme_names_the_problem():
    with pytest.raises(ValueError, match="'w5' is not a quantization scheme"):
        pith.compile(e2e_models.mlp(batch=1), quantize="w5")


def test_uncompressed_model_has_empty_report():
    assert pith.compile(e2e_models.mlp(batch=1)).report == []


def test_recipe_as_dict_applies_rules_in_order():
    recipe = {"quantize": [{"layers": ["MatMul*"], "scheme": "w8"},
                           {"scheme": "w4g32"}]}
    compiled = pith.compile(e2e_models.mlp(batch=1), recipe=recipe)
    assert {line["layer"]: line["method"] for line in compiled.report} == {
        "Gemm#0": "int4 g32", "MatMul#2": "int8 per-channel",
        "MatMul#5": "int8 per-channel"}


def test_recipe_rules_by_kind_of_layer():
    """The CNN's depthwise convolution takes the first rule; its other two
    convolutions and its Gemm the second."""
    recipe = {"quantize": [{"kinds": "depthwise", "scheme": "w8"},
                           {"kinds": ["conv", "linear"], "scheme": "w4"}]}
    report = pith.compile(e2e_models.cnn(), recipe=recipe).report
    methods = {line["layer"]: line["method"] for line in report}
    assert sorted(methods.values()) == ["int4 per-channel"] * 3 + ["int8 per-channel"], methods
    [depthwise] = [layer for layer, method in methods.items() if method.startswith("int8")]
    assert depthwise == "Conv#4", methods


def test_bad_recipe_names_the_field(tmp_path):
    path = tmp_path / "recipe.json"
    path.write_text('{"quantize": [{"scheme": "w8", "layer": "fc*"}]}')
    with pytest.raises(ValueError, match=r"quantize\[0\]\.layer: unknown field"):
        pith.compile(e2e_models.mlp(batch=1), recipe=path)


def low_rank_model(rank=8, k=64, n=48, m=4):
    """x [m, k] @ W + b with W [k, n] of rank `rank`."""
    w = (RNG.standard_normal((k, rank)) @ RNG.standard_normal((rank, n)) * 0.1)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["xw"], name="proj"),
         helper.make_node("Add", ["xw", "b"], ["y"], name="bias")], "low_rank",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w.astype(np.float32), "W"),
         numpy_helper.from_array(RNG.standard_normal(n).astype(np.float32), "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def test_factorized_low_rank_layer_matches_onnxruntime():
    """A rank-8 weight factorized at (almost) all its energy is rank 8 and
    computes what ONNX Runtime computes, within the e2e tolerance."""
    model = low_rank_model()
    compiled = pith.compile(model, factorize="energy:0.999999")
    [line] = compiled.report
    assert line["method"] == "svd rank 8" and line["layer"] == "proj"
    assert line["bytes_after"] == 8 * (64 + 48) * 4 and line["relative_error"] < 1e-3
    feeds = {"x": RNG.standard_normal((4, 64)).astype(np.float32)}
    want = reference(model, feeds)["y"]
    np.testing.assert_allclose(compiled.run(feeds)["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def test_factorize_then_quantize_counts_each_weight_once():
    compiled = pith.compile(e2e_models.mlp(batch=1), factorize="params:0.5",
                            quantize="w8")
    report = compiled.report
    svd = [line for line in report if line["method"].startswith("svd")]
    parts = [line for line in report if line["refines"]]
    assert svd and len(parts) == 2 * len(svd)
    for line in svd:
        assert line["bytes_after"] <= line["bytes_before"] / 2
        assert sorted(p["layer"] for p in parts if p["refines"] == line["layer"]) == [
            line["layer"] + "/svd_u", line["layer"] + "/svd_v"]


def test_bad_factorize_budget_names_the_problem():
    with pytest.raises(ValueError, match="'energy:2' is not a factorization budget"):
        pith.compile(low_rank_model(), factorize="energy:2")


def test_matmul_nbits_runs_on_the_quantized_path(tmp_path):
    """ONNX Runtime's MatMulNBits (int4 in blocks of 32 along K, stored
    unsigned with zero point 8, two to a byte) imports to the same form as
    pith-quantize's and matches ONNX Runtime's kernel at accuracy level 0
    (float arithmetic)."""
    k, n, block = 128, 40, 32
    q = RNG.integers(0, 16, (n, k // block, block)).astype(np.uint8)
    packed = (q[..., 0::2] | (q[..., 1::2] << 4)).astype(np.uint8)
    scales = (RNG.random(n * k // block) * 0.05 + 0.01).astype(np.float32)
    node = helper.make_node("MatMulNBits", ["x", "B", "scales"], ["y"], domain="com.microsoft",
                            K=k, N=n, bits=4, block_size=block, accuracy_level=0)
    graph = helper.make_graph(
        [node], "nbits", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [3, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [3, n])],
        [numpy_helper.from_array(packed, "B"), numpy_helper.from_array(scales, "scales")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17),
                                                    helper.make_opsetid("com.microsoft", 1)])
    feeds = {"x": RNG.standard_normal((3, k)).astype(np.float32)}
    want = unoptimized_reference(model, feeds)
    np.testing.assert_allclose(pith.compile(model).run(feeds)["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())
    onnx.save(model, tmp_path / "nbits.onnx")
    text = pith.run_pipeline(pith.import_onnx(str(tmp_path / "nbits.onnx")),
                             "pith-fuse-linear,pith-lower-to-linalg")
    assert "pith.quantized_matmul = {bits = 4 : i64, unsigned = true}" in text


@pytest.mark.parametrize("spec,zeroed", [("2:4", "50% 2:4"), ("0.75", "75% unstructured"),
                                         ("block8x8:0.5", "50% block 8x8")])
def test_sparsify_zeroes_what_the_pattern_says(spec, zeroed):
    compiled = pith.compile(e2e_models.mlp(batch=1), sparsify=spec, compress_skip=["MatMul#5"])
    assert [line["method"] for line in compiled.report] == [f"sparse {zeroed}"] * 2
    for line in compiled.report:
        if spec == "2:4":  # kept values (2 floats) and a byte of positions a group
            assert line["bytes_after"] * 32 == line["bytes_before"] * 18
        else:  # the nonzeros, and 2 bytes a 16 weights of masks (panels padded)
            kept = 1 - int(zeroed.split("%")[0]) / 100
            assert kept < line["bytes_after"] / line["bytes_before"] < kept + 0.1
        assert 0 < line["relative_error"] < 1


def linear_model(k, n, m):
    """x [m, k] @ w [k, n] + b, with random weights."""
    w = RNG.standard_normal((k, n)).astype(np.float32)
    b = RNG.standard_normal(n).astype(np.float32)
    nodes = [helper.make_node("MatMul", ["x", "w"], ["xw"], name="proj"),
             helper.make_node("Add", ["xw", "b"], ["y"], name="bias_add")]
    graph = helper.make_graph(
        nodes, "linear", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "w"), numpy_helper.from_array(b, "b")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), w, b


# 23 rows, a prime, which no register tile of several rows divides: the
# layer is multiplied as the rows that full tiles cover and the rest.
@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("quantize", [None, "w8", "w4g128", "w8a8", "w4g128a8"])
def test_prime_row_counts_multiply_as_one_row_at_a_time(quantize, target):
    model, w, b = linear_model(256, 40, 23)
    one_row = onnx.ModelProto()
    one_row.CopyFrom(model)
    for value in (one_row.graph.input[0], one_row.graph.output[0]):
        value.type.tensor_type.shape.dim[0].dim_value = 1
    options = {"quantize": quantize} if quantize else {}
    compiled = pith.compile(model, target=target, **options)
    by_row = pith.compile(one_row, target=target, **options)
    x = RNG.standard_normal((23, 256)).astype(np.float32)
    want = np.concatenate([by_row.run({"x": x[i:i + 1]})["y"] for i in range(23)])
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-5,
                               atol=1e-5 * np.abs(want).max())
    if not quantize:
        np.testing.assert_allclose(want, x @ w + b, rtol=1e-4, atol=1e-4 * np.abs(want).max())


def prune_n_of_m(w, n, m):
    """w [k, features] with the m - n smallest of every m consecutive
    weights of a feature zeroed (the first ones on ties), as pith-sparsify
    prunes."""
    groups = w.T.copy().reshape(w.shape[1], -1, m)
    order = np.argsort(np.abs(groups), axis=2, kind="stable")
    np.put_along_axis(groups, order[:, :, :m - n], 0, axis=2)
    return groups.reshape(w.shape[1], -1).T


# Rows: one (the gather and permute path for few rows), a few, and many
# (from 64 rows on, the kept values multiplied indexed as masked weights'
# nonzeros are: 64, 128, and 113, which no tile of several rows divides);
# features not a multiple of the 16-wide panels; patterns whose positions
# take 1, 2 and 4 bytes a group (8:16 stays a gather with AVX2).
@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("pattern,k,n,m", [("2:4", 96, 40, 1), ("2:4", 128, 33, 5),
                                           ("2:4", 64, 48, 48), ("1:4", 64, 16, 3),
                                           ("2:8", 64, 32, 2), ("4:8", 64, 40, 9),
                                           ("8:16", 64, 32, 2), ("2:4", 64, 48, 64),
                                           ("2:4", 384, 33, 128), ("4:8", 1536, 40, 128),
                                           ("2:4", 96, 40, 113), ("1:4", 100, 24, 64)])
def test_sparse_layers_multiply_the_kept_values(pattern, k, n, m, target):
    model, w, b = linear_model(k, n, m)
    compiled = pith.compile(model, sparsify=pattern, target=target)
    x = RNG.standard_normal((m, k)).astype(np.float32)
    kept, group = map(int, pattern.split(":"))
    want = x @ prune_n_of_m(w, kept, group) + b
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())
    [line] = compiled.report
    if m >= 64:  # the indexed form: each kept value with its input
        assert line["bytes_after"] == masked_bytes(n, k, n * k // group * kept, m)
    assert line["bytes_after"] < line["bytes_before"]


def masked_bytes(n, k, nonzeros, m):
    """What the CPU kernel stores for a masked [n, k] weight multiplied into
    m rows: below 64 rows a bitmap, a 16-bit mask per 16 features and
    input, a 4-byte start per 16 features, and the nonzeros; from 64 rows
    on indexed, each nonzero with its input's place in its chunk of 32 (a
    byte), and per 16 features and chunk a 4-byte start and a 1-byte count
    per feature."""
    panels = -(-n // 16)
    if m >= 64:
        return 5 * nonzeros + panels * -(-k // 32) * (4 + 16)
    return panels * (2 * k + 4) + 4 * nonzeros


# Weights zeroed beforehand, so that pruning to that sparsity keeps them
# as they are: scattered zeros (every chunk of 8 inputs has nonzeros) and
# zero blocks of 16 features by 8 inputs (whole chunks skipped). Inputs
# in chunks of 8, 4 and 1; features not a multiple of 16; one row, a few
# and many: from 64 rows on, the indexed kernel (x transposed in 16x16
# blocks, or by scalars where K is no multiple of 16; rows padded to
# vectors of 16, as many as 3 or 4 divides: 113 to 128, 200 to 240;
# inputs in chunks of 32, the last one partial where 32 does not divide
# K).
@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("blocks,k,n,m", [(False, 96, 40, 1), (False, 128, 33, 5),
                                          (False, 36, 20, 3), (False, 7, 16, 2),
                                          (False, 64, 48, 48), (True, 256, 64, 9),
                                          (True, 64, 32, 1), (False, 96, 40, 64),
                                          (False, 384, 33, 128), (True, 256, 64, 192),
                                          (False, 36, 20, 128), (False, 1536, 40, 128),
                                          (False, 1100, 24, 64), (False, 96, 40, 113),
                                          (True, 256, 48, 200)])
def test_unstructured_layers_multiply_their_nonzeros(blocks, k, n, m, target):
    model, w, b = linear_model(k, n, m)
    if blocks:
        keep = np.kron(RNG.random((k // 8, n // 16)) < 0.3, np.ones((8, 16)))
    else:
        keep = RNG.random((k, n)) < 0.3
    w *= keep
    model.graph.initializer[0].CopyFrom(numpy_helper.from_array(w, "w"))
    compiled = pith.compile(model, sparsify=f"{1 - keep.mean():.6f}", target=target)
    x = RNG.standard_normal((m, k)).astype(np.float32)
    want = x @ w + b
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())
    [line] = compiled.report
    assert line["bytes_after"] == masked_bytes(n, k, np.count_nonzero(w), m)


def sparsegpt_reference(w, hessian, n, m, damping=0.01):
    """SparseGPT as its paper states it for N:M, in numpy (float64): w [n_out,
    k]; at each group of m columns the m - n of least w^2 / U_jj^2 go
    (U = chol(H^-1)^T), and each pruned weight's value moves onto the
    row's later weights through U."""
    w, h = w.astype(np.float64).copy(), hessian.astype(np.float64).copy()
    h += damping * np.mean(np.diag(h)) * np.eye(len(h))
    upper = np.linalg.cholesky(np.linalg.inv(h)).T
    for start in range(0, w.shape[1], m):
        saliency = w[:, start:start + m] ** 2 / np.diag(upper)[start:start + m] ** 2
        going = np.zeros_like(saliency, dtype=bool)
        np.put_along_axis(going, np.argsort(saliency, axis=1, kind="stable")[:, :m - n], True, 1)
        for j in range(m):
            c = start + j
            kept = np.where(going[:, j], 0.0, w[:, c])
            error = (w[:, c] - kept) / upper[c, c]
            w[:, c] = kept
            w[:, c + 1:] -= np.outer(error, upper[c, c + 1:])
    return w


def test_sparsegpt_matches_numpy_and_beats_magnitude_pruning():
    """Inputs with 8 directions of most of their variance: SparseGPT's
    2:4 pruning is the numpy reference's, and its outputs on inputs it
    did not see err far less than magnitude pruning's."""
    k, n, m = 64, 32, 8
    model, w, b = linear_model(k, n, m)
    basis = RNG.standard_normal((8, k))

    def draw(*shape):
        directions = RNG.standard_normal(shape + (8,)) @ basis
        return (directions + 0.3 * RNG.standard_normal(shape + (k,))).astype(np.float32)

    calibration, x = draw(64, m), draw(m)
    compiled = pith.compile(model, sparsify="2:4-sparsegpt", calibrate={"x": calibration})
    rows = calibration.reshape(-1, k).astype(np.float64)
    pruned = sparsegpt_reference(w.T, rows.T @ rows / len(rows), 2, 4).T
    want = x @ pruned + b
    got = compiled.run({"x": x})["y"]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    assert compiled.report[0]["method"] == "sparse 50% 2:4 sparsegpt"
    dense = x @ w + b
    magnitude = pith.compile(model, sparsify="2:4").run({"x": x})["y"]
    error = lambda y: np.linalg.norm(y - dense) / np.linalg.norm(dense)  # noqa: E731
    assert error(got) < 0.6 * error(magnitude)


@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("m", [4, 17, 64, 113])
def test_sparse_then_quantized_layers_keep_their_zeros(m, target):
    """2:4 then int8 per channel: the kept values are quantized alone (1
    byte each, a scale per row, and a byte of positions per group; from 64
    rows on indexed, each with its input's place, and per 16 features and
    32 inputs a start and 16 counts) and the layer computes the dense
    weight's int8 quantization."""
    model, w, b = linear_model(64, 32, m)
    compiled = pith.compile(model, sparsify="2:4", quantize="w8", target=target)
    pruning, quantization = compiled.report
    assert quantization["refines"] == "proj"
    assert quantization["bytes_before"] == pruning["bytes_after"]
    if m >= 64:
        assert pruning["bytes_after"] == masked_bytes(32, 64, 32 * 32, m)
        assert quantization["bytes_after"] == 32 * 32 * 2 + 2 * 2 * 20 + 32 * 4
    else:
        assert pruning["bytes_after"] == 32 * 16 * 9
        assert quantization["bytes_after"] == 32 * 32 + 32 * 4 + 32 * 16
    x = RNG.standard_normal((m, 64)).astype(np.float32)
    pruned = prune_n_of_m(w, 2, 4)
    # Each feature's extreme maps to -128 (symmetric int8 per channel).
    extreme = pruned[np.abs(pruned).argmax(axis=0), np.arange(pruned.shape[1])]
    scale = (extreme / -128).astype(np.float32)
    want = x @ (np.clip(np.round(pruned / scale), -128, 127) * scale) + b
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-3,
                               atol=1e-3 * np.abs(want).max())



@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("k,n,m", [(96, 40, 5), (96, 40, 64), (1100, 24, 113), (384, 33, 128)])
def test_unstructured_then_quantized_layers_keep_their_zeros(k, n, m, target):
    """Unstructured pruning then int8 per channel: from 64 rows on the
    nonzeros are quantized alone and multiplied indexed (a byte each, with
    its input's place, per 16 features and 32 inputs a start and 16
    counts, and a scale per row); below, the int8 weight is stored dense.
    Either way the layer computes the pruned weight's int8 quantization."""
    model, w, b = linear_model(k, n, m)
    keep = RNG.random((k, n)) < 0.3
    w *= keep
    model.graph.initializer[0].CopyFrom(numpy_helper.from_array(w, "w"))
    compiled = pith.compile(model, sparsify=f"{1 - keep.mean():.6f}", quantize="w8",
                            target=target)
    pruning, quantization = compiled.report
    assert quantization["bytes_before"] == pruning["bytes_after"]
    panels, chunks = -(-n // 16), -(-k // 32)
    if m >= 64:
        assert quantization["bytes_after"] == (2 * np.count_nonzero(w) + panels * chunks * 20
                                               + n * 4)
    else:
        assert quantization["bytes_after"] == n * k + n * 4
    x = RNG.standard_normal((m, k)).astype(np.float32)
    extreme = w[np.abs(w).argmax(axis=0), np.arange(n)]
    scale = (extreme / -128).astype(np.float32)
    want = x @ (np.clip(np.round(w / scale), -128, 127) * scale) + b
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-3,
                               atol=1e-3 * np.abs(want).max())


def gptq_reference(w, hessian, bits, group, damping=0.01, act_order=False):
    """GPTQ as its paper states it, in numpy (float64): w [n, k] row-major,
    symmetric scales that map each group's extreme to the lowest level,
    a group's scale taken when its first column is reached; in act order,
    columns by decreasing diagonal, scales taken from w beforehand."""
    w = w.astype(np.float64).copy()
    h = hessian.astype(np.float64).copy()
    dead = np.diag(h) == 0
    h[dead, dead] = 1
    w[:, dead] = 0
    h += damping * np.mean(np.diag(h)) * np.eye(len(h))
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def scales_of(block):
        extreme = block[np.arange(len(block)), np.abs(block).argmax(axis=1)]
        scale = (extreme / low).astype(np.float32).astype(np.float64)
        scale[scale == 0] = 1
        return scale

    order = np.argsort(-np.diag(h), kind="stable") if act_order else np.arange(len(h))
    fixed = [scales_of(w[:, g:g + group]) for g in range(0, w.shape[1], group)]
    w, h = w[:, order], h[np.ix_(order, order)]
    upper = np.linalg.cholesky(np.linalg.inv(h)).T
    q = np.zeros_like(w)
    for i, c in enumerate(order):
        if act_order:
            scale = fixed[c // group]
        elif c % group == 0:
            scale = scales_of(w[:, i:i + group])
        q[:, i] = np.clip(np.round(w[:, i] / scale), low, high) * scale
        error = (w[:, i] - q[:, i]) / upper[i, i]
        w[:, i + 1:] -= np.outer(error, upper[i, i + 1:])
    result = np.zeros_like(q)
    result[:, order] = q
    return result


def correlated_linear_model(k=64, n=32, m=8):
    """x [m, k] @ W, and samples of x whose features correlate."""
    w = RNG.standard_normal((k, n)).astype(np.float32)
    graph = helper.make_graph(
        [helper.make_node("MatMul", ["x", "W"], ["y"], name="proj")], "correlated",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [m, k])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [m, n])],
        [numpy_helper.from_array(w, "W")])
    mixing = RNG.standard_normal((k, k)).astype(np.float32) / np.sqrt(k)

    def samples(count):
        return (RNG.standard_normal((count, m, k)).astype(np.float32) @ mixing).astype(np.float32)

    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), w, samples


@pytest.mark.parametrize("act_order", [False, True])
def test_gptq_matches_a_numpy_reference(act_order):
    """pith-calibrate's E[x x^T] and pith-quantize's GPTQ compute what the
    numpy reference computes from the same samples: the compiled layer's
    outputs agree within f32 rounding of the products."""
    model, w, samples = correlated_linear_model()
    calibration = samples(16)
    scheme = "w4g16-gptq-actorder" if act_order else "w4g16-gptq"
    compiled = pith.compile(model, quantize=scheme, calibrate={"x": calibration})
    [line] = compiled.report
    assert line["method"] == ("int4 g16 gptq act-order" if act_order else "int4 g16 gptq")
    rows = calibration.reshape(-1, calibration.shape[-1]).astype(np.float64)
    expected_weight = gptq_reference(w.T, rows.T @ rows / len(rows), bits=4, group=16,
                                     act_order=act_order)
    x = samples(1)[0]
    want = x @ expected_weight.T.astype(np.float32)
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def hadamard(n):
    """The Sylvester-Hadamard matrix of n (a power of two) over sqrt(n):
    symmetric and orthogonal."""
    h = np.ones((1, 1))
    while len(h) < n:
        h = np.block([[h, h], [h, -h]])
    return h / np.sqrt(n)


def test_rotated_gptq_matches_a_numpy_reference():
    """-rotate: W R is quantized by GPTQ against R E[x x^T] R, and x R is
    multiplied by it at run time (R the Hadamard matrix of the 64 input
    features, applied as H_4 and H_16): the outputs are numpy's x R (q)^T
    within f32 rounding."""
    model, w, samples = correlated_linear_model()
    calibration = samples(16)
    compiled = pith.compile(model, quantize="w4g16-rotate-gptq", calibrate={"x": calibration})
    [line] = compiled.report
    assert line["method"] == "int4 g16 gptq hadamard-rotated"
    rotation = hadamard(64)
    rows = calibration.reshape(-1, 64).astype(np.float64) @ rotation
    quantized = gptq_reference(w.T @ rotation, rows.T @ rows / len(rows), bits=4, group=16)
    x = samples(1)[0]
    want = ((x @ rotation) @ quantized.T).astype(np.float32)
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def grouped_convolution_model(w, size, stride, groups):
    """x [1, C, size, size] -> y, a 3x3 convolution of weight w [F, C /
    groups, 3, 3] padded by 1 each side."""
    filters, per_group = w.shape[:2]
    out = (size + 2 - 3) // stride + 1
    graph = helper.make_graph(
        [helper.make_node("Conv", ["x", "W"], ["y"], name="conv", pads=[1] * 4,
                          strides=[stride] * 2, group=groups)], "grouped",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, per_group * groups, size, size])],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, filters, out, out])],
        [numpy_helper.from_array(w.astype(np.float32), "W")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def smooth_images(rng, count, channels, size):
    """Noise averaged over 4x4 neighbourhoods: neighbouring pixels alike,
    as photographs' are."""
    noise = rng.standard_normal((count, 1, channels, size + 3, size + 3))
    blurred = sum(noise[..., i:i + size, j:j + size] for i in range(4) for j in range(4))
    return (blurred / 4).astype(np.float32)


def convolution_windows(x, stride, groups):
    """The windows of a 3x3 convolution padded by 1 of x [N, C, H, W]:
    [groups, C / groups * 9, N * positions], zeros in the padding."""
    n, c, h, _ = x.shape
    padded = np.pad(x.astype(np.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    out = (h + 2 - 3) // stride + 1
    taps = np.stack([padded[:, :, i:i + stride * (out - 1) + 1:stride,
                            j:j + stride * (out - 1) + 1:stride]
                     for i in range(3) for j in range(3)], axis=2)
    taps = taps.reshape(n, groups, c // groups * 9, out * out)
    return taps.transpose(1, 2, 0, 3).reshape(groups, c // groups * 9, -1)


@pytest.mark.parametrize("channels,filters,groups,stride", [
    (4, 8, 1, 1), (8, 8, 8, 2), (8, 4, 2, 1)])
def test_convolution_gptq_matches_a_numpy_reference(channels, filters, groups, stride):
    """pith-calibrate's E[v v^T] of each group's windows v (zeros in the
    padding) and pith-quantize's GPTQ of the group's filters against it
    compute what numpy computes from the same images: the outputs agree
    within f32 rounding. On new images GPTQ errs less than rounding to
    nearest, by far: neighbouring pixels are alike, and GPTQ makes each
    filter's rounding errors cancel over them."""
    size, rng = 10, np.random.default_rng(7)
    w = rng.standard_normal((filters, channels // groups, 3, 3)).astype(np.float32)
    model = grouped_convolution_model(w, size, stride, groups)
    calibration = smooth_images(rng, 16, channels, size)
    compiled = pith.compile(model, quantize="w4-gptq", calibrate={"x": calibration})
    [line] = compiled.report
    assert line["method"] == "int4 per-channel gptq" and line["output_error"] is not None
    windows = convolution_windows(calibration[:, 0], stride, groups)
    moments = windows @ windows.transpose(0, 2, 1) / windows.shape[2]
    rows = w.reshape(groups, filters // groups, -1)
    expected = np.concatenate([
        gptq_reference(rows[g], moments[g], bits=4, group=rows.shape[2])
        for g in range(groups)]).reshape(w.shape)
    x = smooth_images(rng, 1, channels, size)[0]
    want = unoptimized_reference(grouped_convolution_model(expected, size, stride, groups),
                                 {"x": x})
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())
    nearest = pith.compile(model, quantize="w4")
    images = smooth_images(rng, 8, channels, size)

    def error(quantized):
        return sum(np.linalg.norm(quantized.run({"x": image})["y"] -
                                  unoptimized_reference(model, {"x": image}))
                   for image in images)

    assert error(compiled) < 0.8 * error(nearest)


def test_report_gives_the_output_error_with_calibration():
    """With calibration each line also says how much the layer's outputs
    change on the calibration inputs: GPTQ's weight errs more than
    rounding's, its outputs less."""
    model, _, samples = correlated_linear_model()
    calibration = {"x": samples(16)}
    [nearest] = pith.compile(model, quantize="w4g16", calibrate=calibration).report
    [gptq] = pith.compile(model, quantize="w4g16-gptq", calibrate=calibration).report
    assert gptq["output_error"] < 0.9 * nearest["output_error"]
    assert gptq["relative_error"] > nearest["relative_error"]
    [uncalibrated] = pith.compile(model, quantize="w4g16").report
    assert uncalibrated["output_error"] is None
    assert uncalibrated["relative_error"] == nearest["relative_error"]


def test_gptq_errs_less_than_rounding_to_nearest_on_new_inputs():
    """On inputs like the calibration samples (not the same ones), GPTQ's
    outputs are closer to fp32's than rounding to nearest's."""
    model, w, samples = correlated_linear_model()
    nearest = pith.compile(model, quantize="w4g16")
    gptq = pith.compile(model, quantize="w4g16-gptq", calibrate=[{"x": samples(32)}])
    x = samples(4).reshape(-1, 8, 64)
    errors = {}
    for name, compiled in (("nearest", nearest), ("gptq", gptq)):
        errors[name] = sum(np.linalg.norm(compiled.run({"x": s})["y"] - s @ w)
                           for s in x)
    assert errors["gptq"] < 0.9 * errors["nearest"], errors


def test_gptq_without_calibration_says_what_it_needs(tmp_path):
    model, _, _ = correlated_linear_model()
    with pytest.raises(pith.CompileError,
                       match="layer 'proj' has no calibration statistics; GPTQ "
                             r"rounding needs pith-calibrate to run first \(pith-compile --calibrate\)"):
        pith.compile(model, quantize="w4g16-gptq")


def test_recipe_calibrates_from_files_beside_it(tmp_path):
    model, _, samples = correlated_linear_model()
    np.savez(tmp_path / "samples.npz", x=samples(8))
    recipe = tmp_path / "recipe.json"
    recipe.write_text('{"calibrate": "samples.npz", '
                      '"quantize": [{"scheme": "w4g16-gptq"}]}')
    [line] = pith.compile(model, recipe=recipe).report
    assert line["method"] == "int4 g16 gptq"
    with pytest.raises(pith.CompileError, match="has no array for the input 'x'"):
        np.savez(tmp_path / "empty.npz")
        pith.compile(model, quantize="w4g16-gptq", calibrate=str(tmp_path / "empty.npz"))


def rtn_int8_per_channel(w):
    """pith-quantize's int8 per-channel weights, w [n, k]: each row's
    extreme maps to -128."""
    extreme = w[np.arange(len(w)), np.abs(w).argmax(axis=1)]
    scale = (extreme / np.float32(-128)).astype(np.float32)
    return np.clip(np.round(w / scale[:, None]), -128, 127) * scale[:, None]


def test_w8a8_quantizes_each_token_at_run_time():
    """x goes through int8 per token (scale max|row| / 127) before the int8
    layer: the outputs are numpy's on the same arithmetic, and a row of
    zeros stays zero."""
    model, w, samples = correlated_linear_model()
    compiled = pith.compile(model, quantize="w8a8")
    [line] = compiled.report
    assert line["method"] == "int8 per-channel, int8 activations per token"
    x = samples(1)[0]
    x[3] = 0
    scale = np.abs(x).max(axis=1, keepdims=True) / np.float32(127)
    scale[3] = np.finfo(np.float32).tiny / np.float32(127)
    xq = np.clip(np.round(x / scale), -127, 127) * scale
    want = xq @ rtn_int8_per_channel(w.T).T
    got = compiled.run({"x": x})["y"]
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4 * np.abs(want).max())
    assert not got[3].any()


def test_static_activation_scale_comes_from_calibration():
    """-static: one scale for x, the largest magnitude calibration saw over
    127; inputs beyond it saturate."""
    model, w, samples = correlated_linear_model()
    calibration = samples(8)
    compiled = pith.compile(model, quantize="w8a8-static", calibrate={"x": calibration})
    [line] = compiled.report
    assert line["method"] == "int8 per-channel, int8 activations static"
    scale = np.float32(np.abs(calibration).max() / 127)
    x = samples(1)[0] * np.float32(1.5)
    xq = np.clip(np.round(x / scale), -128, 127) * scale
    want = xq @ rtn_int8_per_channel(w.T).T
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def test_scaling_and_rotation_help_when_some_input_features_are_large():
    """Inputs with a few features 30x the rest, as transformers' are:
    SmoothQuant moves the outliers into the weights, so W8A8 errs less;
    AWQ keeps the weights that meet them finer, so int4 errs less; a
    Hadamard rotation spreads them, so W8A8 errs less."""
    model, w, samples = correlated_linear_model()
    outliers = np.ones(64, np.float32)
    outliers[::16] = 30

    def inputs(count):
        return samples(count) * outliers

    calibration = {"x": inputs(16)}
    x = inputs(4)

    def error(**options):
        compiled = pith.compile(model, **options)
        return sum(np.linalg.norm(compiled.run({"x": s})["y"] - s @ w) for s in x)

    assert error(quantize="w8a8-smoothquant", calibrate=calibration) < 0.7 * error(quantize="w8a8")
    assert error(quantize="w4g16-awq", calibrate=calibration) < 0.9 * error(quantize="w4g16")
    # A rotation spreads each token's outliers over the other features
    # instead, without calibration.
    assert error(quantize="w8a8-rotate") < 0.7 * error(quantize="w8a8")


def _cpu_has(flag):
    try:
        return flag in open("/proc/cpuinfo").read().split()
    except OSError:
        return False


def int8_through(x, peak):
    """x rounded to int8 levels of peak / 127, as pith-quantize's dynamic int8
    activations are: x times 127 / peak, rounded, times peak / 127."""
    peak = np.maximum(peak, np.finfo(np.float32).tiny).astype(np.float32)
    levels = np.float32(127)
    q = np.clip(np.round(x * (levels / peak)), -127, 127)
    return (q * (peak / levels)).astype(np.float32)


def per_token_int8(x):
    """x through int8 per row, as pith-quantize activations=dynamic does."""
    return int8_through(x, np.abs(x).max(axis=1, keepdims=True))


@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("rows", [1, 5, 8])
@pytest.mark.parametrize("weights", ["w8", "w8-asym", "w4g16", "w4g16-asym", "w4", "w2g32"])
def test_int8_activations_compute_what_their_rounding_says(weights, rows, target):
    """A layer with int8 inputs (integer dot products of the int8 inputs and
    the packed weights: with VNNI, or on x86-64-v3 with AVX2 for weights of
    at most 4 bits) gives the weight-only layer's outputs on the inputs
    rounded through int8, to f32 rounding."""
    if target != "host" and not _cpu_has("avx2"):
        pytest.skip(f"this CPU cannot run {target}")
    model, _, samples = correlated_linear_model(m=rows)
    integer = pith.compile(model, target=target,
                           quantize=weights.replace("-", "a8-", 1) if "-" in weights
                           else weights + "a8")
    weight_only = pith.compile(model, target=target, quantize=weights)
    x = samples(1)[0]
    want = weight_only.run({"x": per_token_int8(x)})["y"]
    np.testing.assert_allclose(integer.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def per_tensor_int8(x):
    """x through int8 with one scale, as int8 convolution inputs go."""
    return int8_through(x, np.float32(np.abs(x).max()))


# Groups of 16 apply to the 1x1 convolution of 32 channels; the others
# keep a scale per filter, and say so.
@pytest.mark.filterwarnings("ignore:.*groups are for linear layers and 1x1")
@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("weights", ["w8", "w4", "w8-asym", "w4g16"])
@pytest.mark.parametrize("channels,filters,size,kernel,stride", [
    (16, 32, 7, 3, 1), (16, 32, 16, 3, 1), (32, 16, 9, 1, 1), (16, 16, 10, 3, 2),
    (3, 16, 32, 7, 2), (5, 32, 9, 3, 1)])
def test_int8_convolutions_compute_what_their_rounding_says(
        channels, filters, size, kernel, stride, weights, target):
    """A convolution with int8 inputs (one scale per tensor: with VNNI, or
    on x86-64-v3 for weights of at most 4 bits, integer dot products over
    the windows, the filters the lanes, channels padded where a window's
    values are not a multiple of 4) gives the weight-only convolution's
    outputs on the input rounded through int8, to f32 rounding."""
    if target != "host" and not _cpu_has("avx2"):
        pytest.skip(f"this CPU cannot run {target}")
    model = e2e_models.convolution(channels, filters, size, kernel, stride)
    integer = pith.compile(model, target=target,
                           quantize=weights.replace("-", "a8-", 1) if "-" in weights
                           else weights + "a8")
    assert integer.report[0]["method"].endswith("int8 activations per tensor")
    weight_only = pith.compile(model, target=target, quantize=weights)
    x = RNG.standard_normal((1, channels, size, size)).astype(np.float32)
    want = weight_only.run({"x": per_tensor_int8(x)})["y"]
    np.testing.assert_allclose(integer.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


def group_rounding(w, bits, group):
    """pith-quantize's symmetric rounding of w [n, k] with one scale per
    `group` columns: each group's extreme maps to the lowest level."""
    low, high = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    blocks = w.reshape(len(w), -1, group)
    extreme = np.take_along_axis(blocks, np.abs(blocks).argmax(axis=2)[..., None], axis=2)
    scale = (extreme / np.float32(low)).astype(np.float32)
    return (np.clip(np.round(blocks / scale), low, high) * scale).reshape(w.shape)


@pytest.mark.parametrize("target", ["host", "x86-64-v3"])
@pytest.mark.parametrize("channels,filters,size", [(32, 16, 9), (64, 32, 7), (64, 48, 4)])
def test_pointwise_convolutions_quantize_in_groups_of_channels(channels, filters, size, target):
    """A 1x1 convolution under w4g16 gets a scale per filter and group of
    16 input channels (blocked scales [F, C / 16, 1, 1]) and computes what
    numpy's rounding says, to f32 rounding."""
    if target != "host" and not _cpu_has("avx2"):
        pytest.skip(f"this CPU cannot run {target}")
    model = e2e_models.convolution(channels, filters, size, 1)
    compiled = pith.compile(model, target=target, quantize="w4g16")
    [line] = compiled.report
    assert line["method"] == "int4 g16"
    w = numpy_helper.to_array(model.graph.initializer[0])
    rounded = group_rounding(w.reshape(filters, channels), 4, 16).reshape(w.shape)
    rounded_model = e2e_models.convolution(channels, filters, size, 1)
    rounded_model.graph.initializer[0].CopyFrom(
        numpy_helper.from_array(rounded.astype(np.float32), model.graph.initializer[0].name))
    x = RNG.standard_normal((1, channels, size, size)).astype(np.float32)
    want = unoptimized_reference(rounded_model, {"x": x})
    np.testing.assert_allclose(compiled.run({"x": x})["y"], want, rtol=1e-4,
                               atol=1e-4 * np.abs(want).max())


@pytest.mark.parametrize("scheme,least_cosine", [("w8", 0.9999), ("w4-clip", 0.99),
                                                 ("w8a8", 0.999)])
def test_convolutions_are_quantized_per_output_channel(scheme, least_cosine):
    """The CNN's three convolutions (a strided one with batch norm folded
    in, a depthwise one, a pointwise one) and its Gemm get quantized
    weights (with w8a8 int8 inputs too, but for the depthwise one); the
    logits stay close to the f32 model's."""
    model = e2e_models.cnn()
    f32 = pith.compile(model)
    compressed = pith.compile(model, quantize=scheme)
    methods = [line["method"] for line in compressed.report]
    assert len(methods) == 4, methods
    assert all(method.startswith(f"int{scheme[1]} per-channel") for method in methods)
    # Small layers: their f32 scales cost a little of the 4x (8x).
    ratio = sum(line["bytes_before"] for line in compressed.report) / sum(
        line["bytes_after"] for line in compressed.report)
    assert ratio > (3.0 if scheme.startswith("w8") else 5.0)
    image = np.random.default_rng(5).standard_normal((1, 3, 32, 32)).astype(np.float32)
    want, got = f32.run(image=image)["logits"], compressed.run(image=image)["logits"]
    cosine = float(np.dot(want.ravel(), got.ravel()) /
                   (np.linalg.norm(want) * np.linalg.norm(got)))
    assert cosine >= least_cosine
