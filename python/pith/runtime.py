"""Compiled models: load a .pith package and run it on numpy arrays.

Needs only the runtime extension (`pith._runtime`), never LLVM or MLIR.
Inputs are read in place when they are C-contiguous arrays of the declared
dtype, and outputs are written straight into the arrays returned, so a run
copies nothing. Several threads may run one Model at once.
"""

from __future__ import annotations

import os
from typing import Mapping, NamedTuple

import numpy as np

from pith._runtime import Model as _NativeModel
from pith._runtime import ModelError

_DTYPES = {
    "f32": np.float32,
    "f64": np.float64,
    "f16": np.float16,
    "i8": np.int8,
    "i16": np.int16,
    "i32": np.int32,
    "i64": np.int64,
    "u8": np.uint8,
    "u16": np.uint16,
    "u32": np.uint32,
    "u64": np.uint64,
    "bool": np.bool_,
}


class TensorInfo(NamedTuple):
    """An input or output as the model declares it."""

    name: str
    dtype: np.dtype
    shape: tuple[int, ...]


def _info(signature: tuple[str, str, list[int]]) -> TensorInfo:
    name, dtype, shape = signature
    if dtype not in _DTYPES:
        raise ModelError(f"'{name}' has type {dtype}, which numpy cannot hold")
    return TensorInfo(name, np.dtype(_DTYPES[dtype]), tuple(shape))


def _describe(dtype: np.dtype, shape: tuple[int, ...]) -> str:
    return f"{dtype.name}[{','.join(map(str, shape))}]"


class Model:
    """A compiled model, loaded from a package (see `load`)."""

    def __init__(self, path: str | os.PathLike):
        self.path = os.fspath(path)
        self._native = _NativeModel(self.path)
        self.inputs = [_info(s) for s in self._native.inputs]
        self.outputs = [_info(s) for s in self._native.outputs]
        self._input_names = frozenset(info.name for info in self.inputs)
        self._output_names = frozenset(info.name for info in self.outputs)

    @property
    def target(self) -> str:
        """The target the package was compiled for, e.g. "host"."""
        return self._native.target

    @property
    def cpu(self) -> str:
        return self._native.cpu

    @property
    def producer(self) -> str:
        return self._native.producer

    @property
    def report(self) -> list[dict]:
        """The compression report the package holds: one dict per compression
        of a layer (layer, method, bytes_before, bytes_after, relative_error,
        sqnr_db, output_error: the relative error of the layer's outputs on
        the calibration inputs, or None without them, and refines: the layer
        this one is part of, such as a factor of a factorized layer, or "");
        empty for an uncompressed model."""
        return self._native.report

    @property
    def weight_bytes(self) -> int:
        """Bytes of weights, mapped from the package rather than loaded."""
        return self._native.weight_bytes

    def run(
        self,
        inputs: Mapping[str, object] | None = None,
        /,
        *,
        outputs: Mapping[str, np.ndarray] | None = None,
        **named: object,
    ) -> dict[str, np.ndarray]:
        """Runs the model and returns its outputs by name.

        Inputs come as a mapping or as keywords, by input name. An array of
        the declared dtype and shape is used in place (a non-contiguous one
        is copied once); an array of another dtype is an error, never cast.
        Other values (lists, scalars) are converted to the declared dtype.
        `outputs` may supply arrays to write into; the rest are allocated.
        """
        given = inputs if inputs is not None and not named else dict(inputs or {})
        for name, value in named.items():
            if name in given:
                raise ModelError(f"input '{name}' is given twice")
            given[name] = value
        if given.keys() != self._input_names:
            self._reject_names(given)

        arrays = []
        for info in self.inputs:
            value = given[info.name]
            if isinstance(value, np.ndarray):
                if value.dtype != info.dtype or value.shape != info.shape:
                    raise ModelError(
                        f"input '{info.name}' must be "
                        f"{_describe(info.dtype, info.shape)}, got "
                        f"{_describe(value.dtype, value.shape)}"
                    )
                if not value.flags.c_contiguous:
                    # np.require keeps 0-d arrays 0-d (ascontiguousarray does not).
                    value = np.require(value, requirements="C")
            else:
                value = np.require(np.asarray(value, dtype=info.dtype), requirements="C")
                if value.shape != info.shape:
                    raise ModelError(
                        f"input '{info.name}' must be "
                        f"{_describe(info.dtype, info.shape)}, got shape "
                        f"{value.shape}"
                    )
            arrays.append(value)

        supplied = outputs or {}
        if supplied and not supplied.keys() <= self._output_names:
            unknown = sorted(set(supplied) - self._output_names)
            raise ModelError(
                f"the model has no output {', '.join(map(repr, unknown))}"
            )
        results = {}
        for info in self.outputs:
            array = supplied.get(info.name)
            if array is None:
                array = np.empty(info.shape, info.dtype)
            elif (
                not isinstance(array, np.ndarray)
                or array.dtype != info.dtype
                or array.shape != info.shape
                or not array.flags.c_contiguous
                or not array.flags.writeable
            ):
                raise ModelError(
                    f"output '{info.name}' must be a writable C-contiguous "
                    f"{_describe(info.dtype, info.shape)} array"
                )
            results[info.name] = array
        self._native.invoke(arrays, list(results.values()))
        return results

    def _reject_names(self, given: Mapping[str, object]) -> None:
        """Raises for inputs given that the model lacks, or inputs missing."""
        unknown = sorted(set(given) - self._input_names)
        if unknown:
            raise ModelError(
                f"the model has no input {', '.join(map(repr, unknown))}; "
                f"its inputs are {', '.join(repr(i.name) for i in self.inputs)}"
            )
        missing = [info.name for info in self.inputs if info.name not in given]
        raise ModelError(f"no value for input {', '.join(map(repr, missing))}")

    def __repr__(self) -> str:
        def signature(infos):
            return ", ".join(f"{i.name}: {_describe(i.dtype, i.shape)}" for i in infos)

        return (
            f"<pith.Model {self.path!r} ({signature(self.inputs)}) -> "
            f"({signature(self.outputs)}), target {self.target}>"
        )


def load(path: str | os.PathLike) -> Model:
    """Loads a .pith package: maps it, verifies it, and checks that this CPU
    can run its code. Raises ModelError naming the problem."""
    return Model(path)
