"""The demo project's program: examples/quickstart, run from the repo root.

(Not `main: examples/quickstart` in Pulumi.yaml: the dynamic provider's launcher
resolves `runtime.options.virtualenv` from the program's directory.)
"""

import runpy
from pathlib import Path

runpy.run_path(str(Path(__file__).parent / "examples" / "quickstart" / "__main__.py"))
