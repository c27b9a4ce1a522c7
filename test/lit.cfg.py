# -*- Python -*-
# lit configuration of pith's lit suites (dialects, passes, import, target,
# e2e, docs).

import os
import shutil

import lit.formats
from lit.llvm import llvm_config

config.name = "pith"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".onnxtxt", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.pith_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "Inputs", "onnx-backend", "fuzz"]

config.substitutions.append(("%pith_src_root", config.pith_src_root))
config.substitutions.append(("%pith_obj_root", config.pith_obj_root))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["pith-opt", "pith-import-onnx", "pith-compile", "pith-run", "pith-bench"],
    [config.pith_tools_dir, config.llvm_tools_dir],
)
# The project venv's python, which has onnx, for tests that write models.
config.substitutions.append(("%venv_python", config.pith_python))

# The CUDA toolkit, found as pith-compile finds it: GPU tests that run
# ptxas need it; `%cuda_stub` is its stub of the driver, which loads but
# has no GPU behind it.
def find_cuda_toolkit():
    candidates = [os.environ.get("CUDA_PATH", "")]
    ptxas = shutil.which("ptxas")
    if ptxas:
        candidates.append(os.path.dirname(os.path.dirname(os.path.realpath(ptxas))))
    candidates.append("/usr/local/cuda")
    for candidate in candidates:
        if candidate and os.access(os.path.join(candidate, "bin", "ptxas"), os.X_OK):
            return candidate
    return None


cuda_toolkit = find_cuda_toolkit()
if cuda_toolkit:
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", os.path.join(cuda_toolkit, "bin", "ptxas")))
    for stub in ("lib64/stubs/libcuda.so", "lib/stubs/libcuda.so",
                 "targets/x86_64-linux/lib/stubs/libcuda.so"):
        if os.path.exists(os.path.join(cuda_toolkit, stub)):
            config.available_features.add("cuda-stub")
            config.substitutions.append(("%cuda_stub", os.path.join(cuda_toolkit, stub)))
            break
