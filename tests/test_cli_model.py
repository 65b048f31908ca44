"""``qsgd-ref model NAME --out FILE`` (clauses MOD-10, MOD-11, FMT-1): files that reload to the library's problem,
synthetic data redrawn here from the seed with closed-form maps, one-line refusals that write nothing."""

from __future__ import annotations

import os
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from qsgd_ref.cli.main import main
from qsgd_ref.models.burgers import burgers_problem
from qsgd_ref.models.quadnet import QuadNet
from qsgd_ref.problem import Problem, load_problem

EPS = np.finfo(float).eps


def _run(argv: list[str]) -> int:
    """main()'s exit status, whether it returns it or argparse exits."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


@pytest.mark.clause("MOD-10", "FMT-1")
def test_burgers_file_reloads_to_the_library_problem_and_validates(tmp_path, capsys):
    out = tmp_path / "burgers.json"
    assert _run(["model", "burgers", "--nt", "50", "--out", str(out)]) == 0
    line = capsys.readouterr().out.strip()
    assert "\n" not in line
    for part in ("n = 16", "degree q = 2", "T = 49 steps", "N = 2", "F_0 16 per step", "F_1 42", "F_2 28",
                 "qsgd-ref.problem.v2", "KiB"):
        assert part in line, part
    back = load_problem(out)
    want = burgers_problem(2, nt=50)
    assert back.maps == want.maps and list(back.u0) == list(want.u0) and back.meta == want.meta
    assert sorted(os.listdir(tmp_path)) == ["burgers.json"]
    assert _run(["validate", str(out)]) == 0
    summary = capsys.readouterr().out
    assert "n = 16" in summary and "T = 49" in summary


@pytest.mark.clause("MOD-10")
def test_burgers_options_reach_the_configuration(tmp_path, capsys):
    out = tmp_path / "b.json"
    argv = ["model", "burgers", "--nx", "9", "--nt", "11", "--reynolds", "7/2", "--time", "0.5", "--order", "3"]
    assert _run([*argv, "--out", str(out)]) == 0
    back = load_problem(out)
    assert (back.n, back.steps, back.order) == (9, 10, 3)
    assert (back.meta["reynolds"], back.meta["t_end"], back.meta["dt"], back.meta["dx"]) == ("7/2", "1/2", "1/20", "1/8")
    assert back.maps == burgers_problem(3, nx=9, nt=11, reynolds=Fraction(7, 2), t_end=Fraction(1, 2)).maps
    # t_k = k/20: cos(2π t_5) = 0, so F_0(t_5) has no non-zero
    assert [back.map_at(k)[0].nnz for k in range(10)] == [9] * 5 + [0] + [9] * 4
    assert "non-zeros F_0 0–9 per step, F_1 21, F_2 14" in capsys.readouterr().out


def _ints(rng: np.random.Generator, d: int, shape: tuple[int, ...]) -> list:
    return rng.integers(-d, d + 1, size=shape).tolist()


@pytest.mark.clause("MOD-11", "MOD-8")
def test_least_squares_defaults_match_the_closed_form_on_redrawn_data(tmp_path, capsys):
    out = tmp_path / "ls.json"
    assert _run(["model", "least-squares", "--out", str(out)]) == 0
    p = load_problem(out)
    rng = np.random.default_rng(0)                       # MOD-11: X (8 × 3)/4, y (8)/4, then v (3)/8
    X, y, v = _ints(rng, 4, (8, 3)), _ints(rng, 4, (8,)), _ints(rng, 8, (3,))
    eta, m = Fraction(1, 10), 8
    F = p.map_at(0)
    for i in range(3):                                    # F_0 = (η/m) Xᵀy, F_1 = −(η/m) XᵀX at θ* = 0
        assert F[0][i] == eta / m * sum(Fraction(X[s][i] * y[s], 16) for s in range(m))
        for j in range(3):
            assert F[1][i, j] == -eta / m * sum(Fraction(X[s][i] * X[s][j], 16) for s in range(m))
    assert list(p.u0) == [Fraction(1, 2) * Fraction(k, 8) for k in v]
    assert (p.steps, p.order, p.meta["seed"], p.meta["u0_scale"]) == (10, 1, 0, "1/2")
    assert "F_0 3, F_1 9" in capsys.readouterr().out


@pytest.mark.clause("MOD-11", "MOD-8")
def test_logistic_at_zero_matches_the_derivatives_of_log_1_plus_exp(tmp_path):
    """φ(z) = log(1 + e^{−z}): φ'(0) = −1/2, φ''(0) = 1/4, φ'''(0) = 0, φ''''(0) = −1/8."""
    out = tmp_path / "lg.json"
    assert _run(["model", "logistic", "--samples", "5", "--dim", "2", "--seed", "3", "--eta", "1/2",
                 "--out", str(out)]) == 0
    p = load_problem(out)
    rng = np.random.default_rng(3)
    X = [[Fraction(k, 4) for k in row] for row in _ints(rng, 4, (5, 2))]
    y = (2 * rng.integers(0, 2, size=5) - 1).tolist()
    eta, m, F = Fraction(1, 2), 5, p.map_at(0)
    for i in range(2):
        assert F[0][i] == eta / (2 * m) * sum(y[s] * X[s][i] for s in range(m))
        for j in range(2):
            assert F[1][i, j] == -eta / (4 * m) * sum(X[s][i] * X[s][j] for s in range(m))
    assert F[2].is_zero()
    for i, j, k, l in [(0, 0, 0, 0), (0, 1, 0, 1), (1, 1, 1, 0)]:   # F_3 = −(η/3!) (1/m) Σ φ''''(0) x^{⊗4}
        col = (j * 2 + k) * 2 + l
        assert F[3][i, col] == eta / (48 * m) * sum(X[s][i] * X[s][j] * X[s][k] * X[s][l] for s in range(m))
    assert p.meta["truncated"] is True and p.meta["coefficients"] == "exact rationals"


@pytest.mark.clause("MOD-11", "MOD-2")
def test_quadnet_map_matches_the_float_gradient_and_hessian_of_the_network(tmp_path):
    out = tmp_path / "qn.json"
    assert _run(["model", "quadnet", "--seed", "5", "--eta", "1/4", "--out", str(out)]) == 0
    p = load_problem(out)
    rng = np.random.default_rng(5)                       # X (4 × 2)/4, Y (4 × 1)/4, A signs (1 × 2), θ*/8, v/8
    X = np.array(_ints(rng, 4, (4, 2))) / 4
    Y = np.array(_ints(rng, 4, (4, 1))) / 4
    A = (2 * rng.integers(0, 2, size=(1, 2)) - 1).astype(float)
    star = np.array(_ints(rng, 8, (4,))) / 8
    net = QuadNet(X, Y, A)
    F = p.float_map_at(0)
    grad = net.grad(star)
    assert np.max(np.abs(F[0] + 0.25 * grad)) <= 64 * EPS * (1 + np.max(np.abs(grad)))
    hess = np.array([net.hvp(star, e) for e in np.eye(4)]).T
    assert np.max(np.abs(F[1].toarray() + 0.25 * hess)) <= 64 * EPS * (1 + np.max(np.abs(hess)))
    assert p.meta["theta_star"] == [str(Fraction(x)) for x in star]


@pytest.mark.clause("MOD-11")
def test_the_seed_decides_the_data(tmp_path):
    paths = [tmp_path / f"{i}.json" for i in range(3)]
    for path, seed in zip(paths, ["1", "1", "2"]):
        assert _run(["model", "least-squares", "--seed", seed, "--out", str(path)]) == 0
    a, b, c = (load_problem(path) for path in paths)
    assert a.maps == b.maps and list(a.u0) == list(b.u0)
    assert a.maps != c.maps


BAD = [
    (["burgers", "--nx", "2"], "--nx"),
    (["burgers", "--nx", "sixteen"], "--nx"),
    (["burgers", "--nt", "1"], "--nt"),
    (["burgers", "--reynolds", "0"], "--reynolds"),
    (["burgers", "--reynolds", "1/0"], "--reynolds"),
    (["burgers", "--time", "-1"], "--time"),
    (["burgers", "--time", "nan"], "--time"),
    (["burgers", "--order", "0"], "--order"),
    (["burgers", "--order", "65"], "--order"),
    (["burgers", "--order", "40"], "--order"),                  # over the memory budget: refused by the library
    (["least-squares", "--eta", "0"], "--eta"),
    (["least-squares", "--steps", "-1"], "--steps"),
    (["least-squares", "--u0-scale", "-1/2"], "--u0-scale"),
    (["least-squares", "--theta-star", "1,2"], "--theta-star"),  # n = 3
    (["least-squares", "--theta-star", "1,,2"], "--theta-star"),
    (["logistic", "--dim", "16", "--degree", "8"], "--degree"),
    (["quadnet", "--hidden", "4", "--inputs", "4"], "--hidden"),
    (["quadnet", "--samples", "0"], "--samples"),
]


@pytest.mark.clause("MOD-10", "MOD-11")
@pytest.mark.parametrize(("argv", "option"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_options_are_refused_in_one_line_and_write_nothing(argv, option, tmp_path, capsys):
    out = tmp_path / "p.json"
    assert _run(["model", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and option in err, err
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("MOD-10")
@pytest.mark.parametrize("where", ["missing folder", "directory"])
def test_out_is_checked_before_building(where, tmp_path, capsys, monkeypatch):
    import qsgd_ref.models.burgers as burgers

    def must_not_build(*args, **kwargs):
        raise AssertionError("built before --out was checked")

    monkeypatch.setattr(burgers, "burgers_problem", must_not_build)
    out = tmp_path / "no" / "p.json" if where == "missing folder" else tmp_path
    assert _run(["model", "burgers", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err
    assert os.listdir(tmp_path) == []


@pytest.mark.clause("MOD-10")
def test_unwritable_folder_is_refused(tmp_path, capsys):
    if os.name == "posix" and os.geteuid() != 0:
        folder = tmp_path / "ro"
        folder.mkdir()
        folder.chmod(0o555)
    elif os.path.isdir("/sys"):
        folder = Path("/sys")  # root may write into a read-only folder, but sysfs refuses new files to everyone
    else:
        pytest.skip("no folder that refuses writes here")
    try:
        assert _run(["model", "burgers", "--nt", "3", "--out", str(folder / "p.json")]) == 2
    finally:
        if folder != Path("/sys"):
            folder.chmod(0o755)
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and not (folder / "p.json").exists()


@pytest.mark.clause("MOD-10", "FMT-1")
def test_an_error_while_writing_leaves_the_old_file_and_no_temporary(tmp_path, capsys, monkeypatch):
    out = tmp_path / "p.json"
    out.write_text("old\n")

    def half_written(self, path, schema="qsgd-ref.problem.v1"):
        with open(path, "w") as fh:
            fh.write('{"schema": ')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Problem, "save", half_written)
    assert _run(["model", "burgers", "--nt", "3", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--out" in err and "No space left" in err
    assert os.listdir(tmp_path) == ["p.json"] and out.read_text() == "old\n"


@pytest.mark.clause("MOD-10")
def test_written_file_has_ordinary_permissions(tmp_path):
    out = tmp_path / "p.json"
    assert _run(["model", "burgers", "--nt", "3", "--out", str(out)]) == 0
    umask = os.umask(0)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask


@pytest.mark.clause("MOD-11")
def test_synthetic_docstring_examples_run():
    import doctest

    from qsgd_ref.models import synthetic

    result = doctest.testmod(synthetic)
    assert result.attempted > 0 and result.failed == 0
