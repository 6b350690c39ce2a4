"""Runs every benchmark script in bench/ (each prints its own measurements)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        status |= subprocess.run([sys.executable, str(script), *sys.argv[1:]], cwd=HERE.parent).returncode  # noqa: PLW1510
    sys.exit(status)
