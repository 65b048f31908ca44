"""Where the spec data comes from (qsgd_ref.base.specdata): a wrong or missing spec fails loudly.

The loaders of problem files (FMT-1) and of every other format read their schemas from the spec
folder, so a missing spec must be an error naming what is wrong, never an empty registry.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from qsgd_ref.base import spec, specdata
from qsgd_ref.base.errors import InputError
from qsgd_ref.base.specdata import ENV, SpecNotFoundError, spec_dir, spec_file


@pytest.fixture
def fresh_clauses():
    """Empty the clauses() cache before and after the test, so that no test sees another's spec."""
    spec.clauses.cache_clear()
    yield spec.clauses
    spec.clauses.cache_clear()


def _spec_folder(path: Path, clause_text: str | None = None) -> Path:
    (path / "clauses").mkdir(parents=True)
    (path / "schemas").mkdir()
    if clause_text is not None:
        (path / "clauses" / "01-x.md").write_text(clause_text, encoding="utf-8")
    return path


@pytest.mark.clause("FMT-1")
def test_the_environment_variable_must_name_a_spec_folder(tmp_path, monkeypatch):
    real = spec_dir()
    monkeypatch.setenv(ENV, str(tmp_path))
    with pytest.raises(InputError) as err:
        spec_dir()
    assert err.value.field == "QSGD_REF_SPEC_DIR"
    assert str(err.value).startswith("QSGD_REF_SPEC_DIR: ") and str(tmp_path) in str(err.value)
    assert "\n" not in str(err.value)
    (tmp_path / "clauses").mkdir()  # half a spec folder is still not one
    with pytest.raises(InputError, match="QSGD_REF_SPEC_DIR: .*schemas/"):
        spec_dir()
    monkeypatch.setenv(ENV, str(real))  # a real spec folder is used as given
    assert spec_dir() == real
    assert spec_file("schemas", "problem.v1.json") == real / "schemas" / "problem.v1.json"


@pytest.mark.clause("FMT-1")
def test_without_any_spec_the_error_names_every_place_looked_at(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    (tmp_path / "half" / "clauses").mkdir(parents=True)  # exists, but has no schemas/
    places = [tmp_path / "wheel" / "_spec", tmp_path / "half", tmp_path / "tree" / "spec"]
    monkeypatch.setattr(specdata, "candidates", lambda: list(places))
    with pytest.raises(SpecNotFoundError) as err:
        spec_dir()
    message = str(err.value)
    assert all(str(p) in message for p in places), message
    assert "QSGD_REF_SPEC_DIR" in message
    assert not isinstance(err.value, ValueError)  # a broken installation, not bad user input
    with pytest.raises(SpecNotFoundError):
        spec_file("schemas", "problem.v1.json")


@pytest.mark.clause("FMT-1")
def test_the_first_spec_folder_found_wins_and_missing_files_are_named(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    wheel, tree = _spec_folder(tmp_path / "wheel"), _spec_folder(tmp_path / "tree")
    monkeypatch.setattr(specdata, "candidates", lambda: [tmp_path / "missing", wheel, tree])
    assert spec_dir() == wheel
    with pytest.raises(SpecNotFoundError, match="schemas/nothing.json is missing from " + str(wheel)):
        spec_file("schemas", "nothing.json")


@pytest.mark.clause("FMT-1")
@pytest.mark.parametrize(
    "clause_text,reason",
    [(None, "no clause files"), ("# 1. Headings but no clauses\n\ntext\n", "no clauses")],
)
def test_the_clause_registry_is_never_silently_empty(tmp_path, monkeypatch, fresh_clauses, clause_text, reason):
    monkeypatch.setenv(ENV, str(_spec_folder(tmp_path / "spec", clause_text)))
    with pytest.raises(SpecNotFoundError, match=reason) as err:
        fresh_clauses()
    assert str(tmp_path / "spec" / "clauses") in str(err.value)


@pytest.mark.clause("FMT-1")
def test_the_clause_registry_reads_the_spec_in_use(tmp_path, monkeypatch, fresh_clauses):
    text = "## FMT-1 · Only this\nkind: format\nstatus: definition\n\nThe statement.\n"
    monkeypatch.setenv(ENV, str(_spec_folder(tmp_path / "spec", text)))
    got = fresh_clauses()
    assert list(got) == ["FMT-1"] and got["FMT-1"].statement == "The statement."
