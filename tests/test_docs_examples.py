"""The executable examples of the documentation: every ```python block of the listed pages runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parent.parent / "docs"
PAGES = ["tutorial.md", "problem-files.md"]


def python_blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (DOCS / page).read_text(), flags=re.S)


@pytest.mark.slow  # 2-4 s for the tutorial: its examples run HHL
@pytest.mark.clause("MAP-2", "REG-1", "BND-1", "SYS-1", "HHL-2")
@pytest.mark.parametrize("page", PAGES)
def test_page_examples_run(page):
    blocks = python_blocks(page)
    assert blocks, f"{page} has no python examples"
    namespace: dict[str, object] = {}
    for i, block in enumerate(blocks):
        try:
            exec(compile(block, f"{page}[block {i}]", "exec"), namespace)
        except Exception as exc:  # pragma: no cover - the message names the failing block
            raise AssertionError(f"{page}, python block {i} failed: {exc!r}\n{block}") from exc
