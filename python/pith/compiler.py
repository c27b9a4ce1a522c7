"""pith.compile: a model in, a loaded compiled model out."""

from __future__ import annotations

import os
import tempfile
from typing import Mapping, Sequence

from pith._compiler import compile_file
from pith.runtime import Model


def compile(
    model: object,
    target: str = "host",
    recipe: object | None = None,
    *,
    output: str | os.PathLike | None = None,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    parallel: bool = True,
    quantize: str | None = None,
    quantize_skip: Sequence[str] = (),
) -> Model:
    """Compiles `model` ahead of time for `target` and loads the result.

    `model` is a path to an ONNX model (.onnx, or .onnxtxt for ONNX's text
    syntax) or to a module in the pith dialect (.mlir), or an in-memory
    `onnx.ModelProto`. `input_shapes` fixes symbolic input dimensions, e.g.
    {"input_ids": [1, 128]}. With `parallel`, ops with enough work run on
    OpenMP threads (OMP_NUM_THREADS sets how many). `quantize` quantizes the
    weights of linear layers ("w8", "w4g128", "w4g32-asym", "q4_0", ...; see
    pith-compile --quantize), except layers whose name matches a glob of
    `quantize_skip`; the model's `report` then lists each compressed layer's
    bytes and weight error. The package is written
    to `output` when given, else to a temporary file that is gone once
    loaded. Raises pith.CompileError with every diagnostic.
    """
    if recipe is not None:
        raise NotImplementedError(
            "compression recipes are not implemented yet; compile without one"
        )
    shapes = {name: [int(d) for d in dims] for name, dims in (input_shapes or {}).items()}
    with tempfile.TemporaryDirectory(prefix="pith-") as scratch:
        if hasattr(model, "SerializeToString"):
            path = os.path.join(scratch, "model.onnx")
            with open(path, "wb") as file:
                file.write(model.SerializeToString())
        else:
            path = os.fspath(model)
        package = os.fspath(output) if output is not None else os.path.join(scratch, "model.pith")
        compile_file(path, package, target=target, emit="package",
                              input_shapes=shapes, parallel=parallel,
                              quantize=quantize or "", quantize_skip=list(quantize_skip))
        # The package stays mapped (and its code loaded) after the file goes.
        loaded = Model(package)
        if output is None:
            loaded.path = None
        return loaded
