"""The compiler API from python: pipelines, and errors with locations."""

import textwrap

import pytest

import pith

LINEAR_LAYER = textwrap.dedent(
    """
    func.func @layer(%x: tensor<2x3xf32>) -> tensor<2x2xf32> {
      %w = pith.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
      %b = pith.constant dense<[0.5, -0.5]> : tensor<2xf32>
      %y = pith.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x2xf32>
      %z = pith.add %y, %b : (tensor<2x2xf32>, tensor<2xf32>) -> tensor<2x2xf32>
      return %z : tensor<2x2xf32>
    }
    """
)


def test_version_is_semantic():
    parts = pith.__version__.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_empty_pipeline_round_trips():
    out = pith.run_pipeline(LINEAR_LAYER)
    assert "pith.matmul" in out and "pith.add" in out


def test_fuse_linear_pipeline():
    out = pith.run_pipeline(LINEAR_LAYER, "pith-fuse-linear,canonicalize")
    assert "pith.matmul" not in out
    assert "pith.add" not in out
    assert "pith.linear %arg0" in out


def test_parse_error_names_the_location():
    with pytest.raises(pith.CompileError) as info:
        pith.run_pipeline("func.func @f(%x: tensor<2xf32>) {\n  %y = pith.exp %x\n}")
    message = str(info.value)
    assert "cannot parse the input" in message
    assert "<input>:2:19: error: expected ':'" in message


def test_verifier_error_is_raised():
    bad = textwrap.dedent(
        """
        func.func @f(%x: tensor<2x3xf32>, %w: tensor<3x2xf32>) -> tensor<2x3xf32> {
          %y = pith.matmul %x, %w : (tensor<2x3xf32>, tensor<3x2xf32>) -> tensor<2x3xf32>
          return %y : tensor<2x3xf32>
        }
        """
    )
    with pytest.raises(pith.CompileError) as info:
        pith.run_pipeline(bad)
    assert "<input>:3:8: error: 'pith.matmul' op result type 'tensor<2x3xf32>' differs from the inferred 'tensor<2x2xf32>'" in str(info.value)


def test_unknown_pass_is_named():
    with pytest.raises(pith.CompileError, match="no-such-pass"):
        pith.run_pipeline(LINEAR_LAYER, "no-such-pass")
