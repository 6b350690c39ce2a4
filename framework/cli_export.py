"""Commands of the export area (registered by framework.cli)."""
from __future__ import annotations


def register(sub) -> None:
    """Add this area's sub-commands to the parser."""
