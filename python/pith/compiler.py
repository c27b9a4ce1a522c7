"""pith.compile: a model in, a loaded compiled model out."""

from __future__ import annotations

import json
import os
import tempfile
from typing import Mapping, Sequence

from pith._compiler import compile_file
from pith.runtime import Model


def _calibration_sources(calibrate: object, scratch: str) -> list[str]:
    """pith-calibrate's inputs for `calibrate`: paths and random:N as they
    are, dicts of arrays written to .npz files in `scratch`."""
    if calibrate is None:
        return []
    if isinstance(calibrate, (str, os.PathLike, Mapping)):
        calibrate = [calibrate]
    sources = []
    for index, source in enumerate(calibrate):
        if isinstance(source, Mapping):
            import numpy as np

            path = os.path.join(scratch, f"calibration{index}.npz")
            np.savez(path, **{name: np.asarray(value) for name, value in source.items()})
            sources.append(path)
        else:
            sources.append(os.fspath(source))
    return sources


def compile(
    model: object,
    target: str = "host",
    recipe: object | None = None,
    *,
    output: str | os.PathLike | None = None,
    input_shapes: Mapping[str, Sequence[int]] | None = None,
    parallel: bool = True,
    factorize: str | None = None,
    sparsify: str | None = None,
    quantize: str | None = None,
    compress_skip: Sequence[str] = (),
    calibrate: object | None = None,
    load: bool = True,
) -> Model | str:
    """Compiles `model` ahead of time for `target` and loads the result.

    `model` is a path to an ONNX model (.onnx, or .onnxtxt for ONNX's text
    syntax) or to a module in the pith dialect (.mlir), or an in-memory
    `onnx.ModelProto`. `input_shapes` fixes symbolic input dimensions, e.g.
    {"input_ids": [1, 128]}. With `parallel`, ops with enough work run on
    OpenMP threads (OMP_NUM_THREADS sets how many). `recipe` is a compression
    recipe: a path to a JSON file, or the same as a dict, e.g.
    {"quantize": [{"layers": "*attention*", "scheme": "w8"},
    {"scheme": "w4g128"}]} (see docs/compression.md). `factorize` factors the
    weights of linear layers into two of low rank ("energy:0.95",
    "params:0.5", "error:0.1", "rank:64"; see pith-compile --factorize),
    `sparsify` prunes them ("2:4", "0.5", "block4x4:0.5", "0.5-global",
    "2:4-sparsegpt"; see pith-compile --sparsify), and `quantize` quantizes them ("w8", "w4g128", "w4g32-asym", "q4_0", ...;
    see pith-compile --quantize), all except layers whose name matches a
    glob of `compress_skip`; the model's `report` then lists each
    compressed layer's bytes and weight error. `calibrate` gives the samples
    pith-calibrate runs the model on before quantizing (or pruning), which
    GPTQ rounding ("w4g128-gptq") and SparseGPT ("2:4-sparsegpt") need: a .npz/.npy path, "random:N", a dict of arrays
    named like the model's inputs (with a leading sample dimension for
    several samples), or a list of these. The package is written
    to `output` when given, else to a temporary file that is gone once
    loaded. `target` is a CPU ("host", "x86-64-v3", ...) or an NVIDIA GPU
    ("sm_80", "sm_86", "sm_89", "sm_90"); with `load=False` the package
    is only written (`output` is then required) and its path returned, as
    for a GPU this machine does not have. Raises pith.CompileError with
    every diagnostic.
    """
    if not load and output is None:
        raise ValueError("load=False writes the package only: give its output path")
    shapes = {name: [int(d) for d in dims] for name, dims in (input_shapes or {}).items()}
    with tempfile.TemporaryDirectory(prefix="pith-") as scratch:
        if hasattr(model, "SerializeToString"):
            path = os.path.join(scratch, "model.onnx")
            with open(path, "wb") as file:
                file.write(model.SerializeToString())
        else:
            path = os.fspath(model)
        package = os.fspath(output) if output is not None else os.path.join(scratch, "model.pith")
        if isinstance(recipe, Mapping):
            recipe = dict(recipe)
            # Sample files of a recipe given as a dict are where the caller is.
            samples = recipe.get("calibrate")
            if samples is not None:
                recipe["calibrate"] = [
                    s if str(s).startswith("random:") else os.path.abspath(s)
                    for s in ([samples] if isinstance(samples, (str, os.PathLike)) else samples)
                ]
            recipe_path = os.path.join(scratch, "recipe.json")
            with open(recipe_path, "w") as file:
                json.dump(recipe, file)
        else:
            recipe_path = os.fspath(recipe) if recipe is not None else ""
        compile_file(path, package, target=target, emit="package",
                     input_shapes=shapes, parallel=parallel, recipe=recipe_path,
                     factorize=factorize or "", sparsify=sparsify or "",
                     quantize=quantize or "",
                     compress_skip=list(compress_skip),
                     calibrate=_calibration_sources(calibrate, scratch))
        if not load:
            return package
        # The package stays mapped (and its code loaded) after the file goes.
        loaded = Model(package)
        if output is None:
            loaded.path = None
        return loaded
