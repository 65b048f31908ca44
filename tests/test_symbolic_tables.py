"""Correction tables and ``qsgd-ref tables`` (clauses ETA-1, ETA-3, FMT-3)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from qsgd_ref.base.specdata import schema_path, spec_dir
from qsgd_ref.carleman.symbolic.render import spec_table_files, table_excerpt
from qsgd_ref.carleman.symbolic.tables import correction_table
from qsgd_ref.cli import main


def _json(capsys, *argv):
    assert main(["tables", *argv, "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    jsonschema.Draft202012Validator(json.loads(schema_path("tables.v1.json").read_text())).validate(doc)
    return doc


def _entries(doc, j, k, m):
    return {tuple(e["factors"]) for b in doc["blocks"] if (b["j"], b["k"]) == (j, k) for e in b["entries"] if e["eta_order"] == m}


@pytest.mark.clause("ETA-3", "FMT-3")
def test_q2_n3_examples(capsys):
    doc = _json(capsys, "--degree", "2", "--order", "3")
    assert doc["schema"] == "qsgd-ref.tables.v1" and doc["degree"] == 2 and doc["order"] == 3
    assert ("F1", "F1") in _entries(doc, 2, 2, 2)
    assert {("F1", "F2"), ("F2", "F1")} <= _entries(doc, 2, 3, 2)
    assert ("F1", "F1", "F1") in _entries(doc, 3, 3, 3)
    assert not any(b["k"] > 3 for b in doc["blocks"])  # no dropped blocks by default
    dropped = _json(capsys, "--degree", "2", "--order", "3", "--dropped")
    assert _entries(dropped, 2, 4, 2) == {("F2", "F2")}
    assert all(b["dropped"] == (b["k"] > 3) for b in dropped["blocks"])
    assert any(b["dropped"] for b in dropped["blocks"])


@pytest.mark.clause("ETA-3", "LIFT-3", "FMT-3")
@pytest.mark.parametrize("q,N", [(1, 4), (2, 3), (3, 3), (4, 5)])
def test_continuous_tables_have_only_eta1(capsys, q, N):
    doc = _json(capsys, "--degree", str(q), "--order", str(N), "--continuous", "--dropped")
    assert doc["continuous"] is True
    orders = {e["eta_order"] for b in doc["blocks"] for e in b["entries"]}
    assert orders == {1}
    assert not any(e["discrete_only"] for b in doc["blocks"] for e in b["entries"])
    # the Kronecker sum has exactly j terms in each nonzero block
    assert all(len(b["entries"]) == b["j"] for b in doc["blocks"])


@pytest.mark.clause("ETA-1", "FMT-3")
@pytest.mark.parametrize("q,N", [(0, 3), (1, 3), (2, 4), (3, 3), (4, 5)])
def test_dropped_tables_list_every_composition_once(capsys, q, N):
    """With --dropped, every tuple in {I, F0 … Fq}^j (j ≤ N) appears exactly once, in block (j, Σ deg)."""
    doc = _json(capsys, "--degree", str(q), "--order", str(N), "--dropped")
    seen = [tuple(e["factors"]) for b in doc["blocks"] for e in b["entries"]]
    assert len(seen) == len(set(seen)) == sum((q + 2) ** j for j in range(1, N + 1))
    for b in doc["blocks"]:
        for e in b["entries"]:
            degs = [1 if f == "I" else int(f[1:]) for f in e["factors"]]
            assert len(degs) == b["j"] and sum(degs) == b["k"]
            assert e["eta_order"] == sum(f != "I" for f in e["factors"])
            assert e["discrete_only"] == (e["eta_order"] >= 2)


@pytest.mark.clause("ETA-3")
def test_markdown_and_latex_show_the_examples(capsys):
    assert main(["tables", "--degree", "2", "--order", "3"]) == 0
    md = capsys.readouterr().out
    block22 = md.split("## Block (j, k) = (2, 2)")[1].split("## ")[0]
    assert "| η^2 | `F1 ⊗ F1` | `(1) (1)` | 1 | yes |" in block22
    assert main(["tables", "--degree", "2", "--order", "3", "--format", "latex", "--dropped"]) == 0
    tex = capsys.readouterr().out
    assert r"F_{2} \otimes F_{2}" in tex.split("(2, 4)")[1].split(r"\paragraph")[0]
    excerpt = table_excerpt(degree=2, order=3, blocks=[(2, 2), (2, 3), (3, 3)])
    assert "(2, 2)" in excerpt and "(3, 3)" in excerpt and "`F1 ⊗ F1 ⊗ F1`" in excerpt


@pytest.mark.clause("FMT-3")
@pytest.mark.parametrize(
    "argv,field",
    [(["--degree", "20"], "--degree"), (["--degree", "-1"], "--degree"), (["--order", "0"], "--order"), (["--degree", "4", "--order", "8"], "--order")],
)
def test_absurd_sizes_refused(capsys, argv, field):
    assert main(["tables", *argv]) == 2
    err = capsys.readouterr().err
    assert field in err and err.count("\n") == 1


@pytest.mark.clause("FMT-3", "ETA-3")
def test_committed_tables_are_regenerated_unchanged():
    directory = spec_dir() / "tables"
    files = spec_table_files()
    assert {p.name for p in directory.iterdir()} == set(files)
    for name, content in files.items():
        assert (directory / name).read_text(encoding="utf-8") == content, f"spec/tables/{name} is stale: run python -m qsgd_ref.carleman.symbolic.render --write-spec"


@pytest.mark.clause("ETA-1")
def test_group_multiplicity_is_orbit_size():
    table = correction_table(3, 3)
    for b in table.blocks:
        for g in b.groups:
            assert len({tuple(sorted(t.factors)) for t in g.terms}) == 1
            assert g.multiplicity == len(set(g.terms))
