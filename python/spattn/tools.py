"""Finding spattn's command-line tools: the SPATTN_<TOOL> environment
variable (e.g. SPATTN_COMPILE), then the build tree of the repository this
package sits in (an editable install), then PATH."""
import os
import shutil

_REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def find_tool(tool):
    """The path of `tool` ("spattn-compile", "spattn-run"); raises
    FileNotFoundError saying where it looked."""
    variable = "SPATTN_" + tool.split("-", 1)[1].upper()
    if os.environ.get(variable):
        return os.environ[variable]
    build = os.environ.get("SPATTN_BUILD_DIR", os.path.join(_REPO, "build"))
    in_build = os.path.join(build, "compiler", tool, tool)
    if os.access(in_build, os.X_OK):
        return in_build
    on_path = shutil.which(tool)
    if on_path:
        return on_path
    raise FileNotFoundError(
        f"{tool} not found: set {variable}, build the repository "
        f"({in_build}) or put it on PATH")
