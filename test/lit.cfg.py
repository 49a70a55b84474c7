# lit configuration for spattn: .mlir files under test/ run through the
# project's tools and FileCheck from LLVM 22.
import os
import lit.formats

config.name = "spattn"
config.test_format = lit.formats.ShTest(execute_external=False)
config.suffixes = [".mlir"]
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "e2e", "fuzz", "scale", "concurrency", "capi-fuzz"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.spattn_tools_dir, "..", "test")

tool_dirs = [os.path.join(config.spattn_tools_dir, tool)
             for tool in ("spattn-opt", "spattn-compile", "spattn-run", "spattn-calibrate")]
config.environment["PATH"] = os.pathsep.join(tool_dirs + [config.llvm_tools_dir, os.environ.get("PATH", "")])
config.substitutions.append(("%examples", os.path.join(config.spattn_source_root, "examples")))
