"""Importing this puts tests/hostile (make_hostile.py) on sys.path for tests outside that folder."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "hostile"))
