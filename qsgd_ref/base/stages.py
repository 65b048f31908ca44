"""The layering contract: the pipeline stages of qsgd_ref, in their one-way order.

Each name is a subpackage of :mod:`qsgd_ref`. A module may import from its own stage or from an
earlier one, never from a later one; imports within a stage must not form a cycle; and no module
inside a stage imports the package root :mod:`qsgd_ref`, which sits above every stage (it is the
top-level API, together with ``qsgd_ref/__main__.py``). ``tests/test_layering.py`` reads this list
and checks every import of the package against it, so this is the one place the order is written.
"""

from __future__ import annotations

STAGES: tuple[str, ...] = (
    "base",
    "problem",
    "carleman",
    "system",
    "trajectories",
    "theory",
    "quantum",
    "models",
    "oracle",
    "report",
    "cli",
)
