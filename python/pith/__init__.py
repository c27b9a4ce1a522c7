"""pith: an ahead-of-time compiler for compressed neural networks.

    import pith
    model = pith.compile("model.onnx", target="host")
    outputs = model.run({"x": x})

The compiler half (`compile`, `import_onnx`, `run_pipeline`) is the
`pith._compiler` extension; the runtime half (`load`, `Model`) is
`pith._runtime`, which needs neither LLVM nor MLIR.
"""

from pith._compiler import CompileError, import_onnx, run_pipeline, version
from pith.compiler import compile
from pith.runtime import Model, ModelError, TensorInfo, load

__version__ = version()

__all__ = [
    "CompileError",
    "Model",
    "ModelError",
    "TensorInfo",
    "__version__",
    "compile",
    "import_onnx",
    "load",
    "run_pipeline",
]
