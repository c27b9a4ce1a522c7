"""pith: an ahead-of-time compiler for compressed neural networks.

The compiler half (`import_onnx`, `run_pipeline`) is the `pith._compiler`
extension; the runtime half will load and run compiled packages without
LLVM or MLIR.
"""

from pith._compiler import CompileError, import_onnx, run_pipeline, version

__version__ = version()

__all__ = ["CompileError", "import_onnx", "run_pipeline", "__version__"]
