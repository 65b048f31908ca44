"""Where the normative spec/ directory lives (repository root, next to the package)."""

from __future__ import annotations

import os
from pathlib import Path


def spec_dir() -> Path:
    """spec/ of this checkout (override with QSGD_REF_SPEC_DIR)."""
    env = os.environ.get("QSGD_REF_SPEC_DIR")
    return Path(env) if env else Path(__file__).resolve().parent.parent / "spec"


def schema_path(name: str) -> Path:
    return spec_dir() / "schemas" / name
