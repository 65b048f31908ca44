"""Issue 13, class "silent wrong answers": out of regime, undefined and overflowing results are
data, stated in a line and a field with exit status 0, never a bare nan (clauses CLI-1, MOD-3, MOD-7)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from qsgd_ref.cli.main import main


def strict(text: str) -> object:
    def refuse(token: str) -> object:
        raise AssertionError(f"{token} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def eig(tmp_path):
    path = tmp_path / "eig.txt"
    path.write_text("1.0\n2.0\n0.5\n-0.3\n")
    return path


@pytest.mark.clause("CLI-1", "MOD-3")
def test_proxy_with_no_mode_past_the_cutoff_says_it_is_undefined(cli, eig, tmp_path):
    out = tmp_path / "p.json"
    r = cli("proxy", eig, "--cutoff", "1e9", "--json", out)
    assert r.status == 0 and r.err == ""
    assert r.out.splitlines() == ["no mode has |a| ≥ cutoff 1e+09 (largest |a| = 2): the proxy is undefined "
                                  "(kept mass 0, clause MOD-3)"]
    assert "nan" not in r.out.replace("undefined", "")
    doc = strict(out.read_text())
    assert doc["undefined"] is True and doc["kept_mass"] == 0 and set(doc["proxy"]) == {"nan"}


@pytest.mark.clause("CLI-1", "MOD-3")
def test_proxy_beyond_the_float_range_states_the_first_step(cli, eig, tmp_path):
    """a = −1e6·λ: P(t) = Σ ρ |1 + a|^t passes the largest double when (2e6 − 1)^t / 4 does, about t = 49."""
    import sys

    import mpmath

    a = [-1e6 * lam for lam in (1.0, 2.0, 0.5, -0.3)]
    first = next(t for t in range(100) if mpmath.fsum(mpmath.mpf(abs(1 + x)) ** t / 4 for x in a) > sys.float_info.max)
    out = tmp_path / "p.json"
    r = cli("proxy", eig, "--scale", "1e6", "--steps", "60", "--json", out)
    assert r.status == 0, r.err
    line = r.out.splitlines()[1]
    assert line.startswith(f"the proxy exceeds the float64 range (1.8e308) from t = {first} on")
    doc = strict(out.read_text())
    assert doc["first_step_beyond_float64"] == first and doc["proxy"][first - 1] != "inf" and doc["proxy"][first] == "inf"
    assert doc["undefined"] is False


@pytest.mark.clause("CLI-1", "MOD-3")
def test_proxy_refuses_a_negative_scale_instead_of_computing_nan(cli, eig):
    r = cli("proxy", eig, "--scale", "-1")
    assert r.status == 2 and len(r.err_lines) == 1 and "--scale" in r.err and r.out == ""


TINY = ["--hidden", "8", "--steps", "12", "--pretrain", "0", "--period", "6", "--batch", "32", "--hessian-every", "3",
        "--hessian-batch", "32", "--slq-vectors", "1", "--slq-steps", "4"]


@pytest.mark.clause("CLI-1", "MOD-7")
def test_train_with_a_huge_step_reports_the_divergence(cli, tmp_path):
    out = tmp_path / "t"
    r = cli("train", *TINY, "--eta", "1000", "--out", out)
    assert r.status == 0, r.err
    lines = r.out.splitlines()
    schemes = [line for line in lines if line.split(":")[0] in ("single", "reupload", "reupload+m")]
    assert len(schemes) == 3 and all("DIVERGED at step" in line for line in schemes), r.out
    assert any(line.startswith("diverged: single at step") for line in lines)
    summary = strict((out / "summary.json").read_text())
    assert set(summary["diverged"]) == {"single", "reupload", "reupload+m"}
    for name, step in summary["diverged"].items():
        assert summary["schemes"][name]["diverged_at_step"] == step and 0 <= step <= 12
    assert sorted(os.listdir(out)) == ["fig2a_hessian.png", "fig2b_proxy.png", "fig2c_accuracy.png", "summary.json"]


@pytest.mark.clause("CLI-1", "MOD-7")
def test_train_that_converges_reports_no_divergence(cli, tmp_path):
    out = tmp_path / "t"
    r = cli("train", *TINY, "--eta", "0.1", "--out", out)
    assert r.status == 0, r.err
    assert "DIVERGED" not in r.out and "diverged:" not in r.out
    assert strict((out / "summary.json").read_text())["diverged"] == {}


@pytest.mark.clause("CLI-1", "MOD-7")
def test_diverging_pretraining_is_refused_naming_eta(cli, tmp_path):
    r = cli("train", *TINY[:-14], "--pretrain", "20", "--eta", "1000", "--out", tmp_path / "t")
    assert r.status == 2 and len(r.err_lines) == 1 and r.err_lines[0].startswith("qsgd-ref train: error: --eta:")
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("CLI-1", "BND-1")
def test_a_divergent_problem_over_many_steps_has_infinite_bounds_not_a_crash(tmp_path, capsys):
    """The majorant of a divergent map grows doubly exponentially: past any decimal exponent it is "inf"."""
    problem = tmp_path / "grow.json"
    problem.write_text(json.dumps({"schema": "qsgd-ref.problem.v1", "F": {"1": [["1/2"]], "2": [["1/2"]]},
                                   "u0": ["1/2"], "steps": 64, "order": 2}))
    out = tmp_path / "r.json"
    assert main(["reference", str(problem), "--dps", "20", "--out", str(out)]) == 0, capsys.readouterr().err
    doc = strict(out.read_text())
    assert doc["bounds"]["majorant"][-1] == "inf" and "inf" not in doc["bounds"]["majorant"][:-1]


@pytest.mark.clause("CLI-1", "REF-2")
def test_certified_radii_too_wide_for_rationals_are_powers_of_ten(tmp_path):
    """Over 1,000 steps the ball iteration's radii explode (wrapping): an honest, huge radius, no crash."""
    out = tmp_path / "r.json"
    p1 = Path(__file__).parent / "data" / "checks" / "problems" / "p1-quadratic-forced.json"
    assert main(["reference", str(p1), "--steps", "1000", "--certified", "--dps", "15", "--out", str(out)]) == 0
    doc = strict(out.read_text())
    last = doc["radii"]["exact"][-1][0]
    assert last.startswith("1e") and int(last[2:]) > 1000
    assert float(doc["radii"]["exact"][30][0]) < 1e-14
