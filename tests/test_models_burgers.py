"""The forced viscous Burgers map (clause MOD-10): its Euler step against an independent float64 finite-difference
step written here from the PDE, its rounding against mpmath, its stencil, sharing and files."""

from __future__ import annotations

import doctest
import json
import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import examples

from qsgd_ref.base.errors import InputError
from qsgd_ref.models import burgers
from qsgd_ref.models.burgers import burgers_problem
from qsgd_ref.problem import SCHEMA_V2, load_problem

EPS = np.finfo(float).eps
#: (nx, nt, Re0, T_end): the published configuration and a second, non-default one
CONFIGS = [(16, 4000, 20, 3), (9, 101, Fraction(7, 2), Fraction(1, 2))]


@pytest.fixture(scope="module")
def published():
    return burgers_problem(2)


def _problem(config, published):
    nx, nt, re0, t_end = config
    if config == CONFIGS[0]:
        return published
    return burgers_problem(3, nx=nx, nt=nt, reynolds=re0, t_end=t_end)


def _pde_step(u, k, nx, nt, re0, t_end):
    """One explicit Euler step of u_t = ν u_xx − u u_x + f written from the PDE in float64: central differences
    on the interior points, the boundary points moved by the source only (the published set-up)."""
    dx = 1.0 / (nx - 1)
    dt = float(t_end) / (nt - 1)
    big_u = 1.0 / math.sqrt(nx - 1)
    nu = big_u / float(re0)
    x = np.linspace(-0.5, 0.5, nx)
    t = k * dt
    gauss = big_u * np.exp(-((x - 0.25) ** 2) / (2 * (1 / 32) ** 2))
    rhs = gauss * np.cos(2 * np.pi * t)
    rhs[1:-1] += nu * (u[2:] - 2 * u[1:-1] + u[:-2]) / dx**2 - (u[2:] ** 2 - u[:-2] ** 2) / (4 * dx)
    # the size of what is summed, for a tolerance in units of eps (cos(2πt) is evaluated at an argument ~2πt)
    scale = np.abs(u) + dt * gauss * (1 + 2 * np.pi * t)
    scale[1:-1] += dt * (nu * (np.abs(u[2:]) + 2 * np.abs(u[1:-1]) + np.abs(u[:-2])) / dx**2
                         + (u[2:] ** 2 + u[:-2] ** 2) / (4 * dx))
    return u + dt * rhs, scale


def _map_step(problem, u, k):
    F = problem.float_map_at(k)
    return u + F[0] + F[1] @ u + F[2] @ np.kron(u, u)


@pytest.mark.clause("MOD-10", "MAP-3")
@pytest.mark.parametrize("config", CONFIGS, ids=["published", "nx9-nt101"])
def test_map_step_equals_an_independent_finite_difference_euler_step(config, published):
    p = _problem(config, published)
    nx, nt = config[0], config[1]
    rng = np.random.default_rng(7)
    for k in sorted({0, 1, (nt - 1) // 3, (nt - 1) // 2, nt - 2}):
        for _ in range(3):
            u = rng.uniform(-1, 1, nx) * rng.choice([1e-3, 0.3, 1.0])
            got = _map_step(p, u, k)
            want, scale = _pde_step(u, k, *config)
            units = np.max(np.abs(got - want) / (scale * EPS))
            assert units <= 8, f"step {k}: {units:.1f} eps units from the finite-difference step"
    # the initial vector, too
    x = np.linspace(-0.5, 0.5, nx)
    want0 = -np.sin(2 * np.pi * x) / math.sqrt(nx - 1)
    assert np.max(np.abs(p.u0_float() - want0)) <= 8 * EPS


def _mp(x: Fraction) -> mpmath.mpf:
    return mpmath.mpf(x.numerator) / x.denominator


def _is_nearest_double(stored: Fraction, real: mpmath.mpf) -> bool:
    """Whether ``stored`` is a float64 and the real value lies within its rounding interval."""
    f = float(stored)
    if Fraction(f) != stored:
        return False
    lo = (mpmath.mpf(f) + mpmath.mpf(math.nextafter(f, -math.inf))) / 2
    hi = (mpmath.mpf(f) + mpmath.mpf(math.nextafter(f, math.inf))) / 2
    return bool(lo <= real <= hi)


@pytest.mark.clause("MOD-10")
@pytest.mark.parametrize("config", CONFIGS, ids=["published", "nx9-nt101"])
def test_irrational_entries_are_the_nearest_doubles_by_mpmath(config, published):
    """A second method (mpmath at 60 digits, not arb) for the real values; dx, dt and F_2 exact rationals."""
    p = _problem(config, published)
    nx, nt, re0, t_end = config
    re0, t_end = Fraction(re0), Fraction(t_end)
    dt = t_end / (nt - 1)
    with mpmath.workdps(60):
        big_u = 1 / mpmath.sqrt(nx - 1)
        xs = [Fraction(-1, 2) + Fraction(i, nx - 1) for i in range(nx)]
        diff = _mp(dt) * big_u / _mp(re0) * (nx - 1) ** 2          # dt·ν/dx²
        F1 = p.map_at(0)[1]
        for i in range(1, nx - 1):
            assert _is_nearest_double(F1[i, i - 1], diff) and _is_nearest_double(F1[i, i + 1], diff)
            assert _is_nearest_double(F1[i, i], -2 * diff)
        for i, x in enumerate(xs):
            assert _is_nearest_double(p.u0[i], -big_u * mpmath.sinpi(2 * _mp(x))), f"u0[{i}]"
        for k in sorted({0, 1, 7, (nt - 1) // 2, nt - 2}):
            F0 = p.map_at(k)[0]
            cos = mpmath.cospi(2 * _mp(k * dt))
            for i, x in enumerate(xs):
                real = _mp(dt) * big_u * mpmath.exp(-_mp((x - Fraction(1, 4)) ** 2) / (2 * mpmath.mpf(1) / 32**2)) * cos
                assert _is_nearest_double(F0[i], real), f"F_0({k})[{i}]"
    adv = dt * (nx - 1) / 4                                           # dt/(4 dx), exact
    assert sorted({v for _, _, v in p.map_at(0)[2].entries()}) == [-adv, adv]
    assert p.meta["dx"] == str(Fraction(1, nx - 1)) and p.meta["dt"] == str(dt)


rationals = st.fractions(min_value=-2, max_value=2, max_denominator=50)


@pytest.mark.clause("MOD-10", "MAP-1")
@settings(max_examples=examples(25))  # 100 under thorough: one example costs ~0.3 s there
@given(u=st.lists(rationals, min_size=16, max_size=16), v=st.lists(rationals, min_size=16, max_size=16),
       flips=st.lists(st.sampled_from([-1, 1]), min_size=16, max_size=16))
def test_f2_is_the_central_difference_of_u_squared_exactly(u, v, flips):
    """F_2(u⊗v)_i = −dt(u_{i+1}v_{i+1} − u_{i−1}v_{i−1})/(4dx) in exact arithmetic: symmetric in u, v, and
    F_2(u⊗u) depends on u only through u∘u (sign flips leave it unchanged)."""
    F2 = burgers_problem(1, nt=11).map_at(0)[2]          # dt = 3/10, dx = 1/15
    adv = Fraction(3, 10) * 15 / 4

    def apply(a, b):
        out = [Fraction(0)] * 16
        w = np.kron(np.array(a, dtype=object), np.array(b, dtype=object))
        for r, c, val in F2.entries():
            out[r] += val * w[c]
        return out

    uv = apply(u, v)
    want = [Fraction(0)] + [-adv * (u[i + 1] * v[i + 1] - u[i - 1] * v[i - 1]) for i in range(1, 15)] + [Fraction(0)]
    assert uv == want
    assert apply(v, u) == uv
    flipped = [s * x for s, x in zip(flips, u)]
    assert apply(flipped, flipped) == apply(u, u)


@pytest.mark.clause("MOD-10")
@pytest.mark.parametrize("config", CONFIGS, ids=["published", "nx9-nt101"])
def test_nonzeros_are_exactly_the_stencil(config, published):
    p = _problem(config, published)
    nx, nt = config[0], config[1]
    m = p.map_at(0)
    rows1 = {i: sorted(c for r, c, _ in m[1].entries() if r == i) for i in range(nx)}
    rows2 = {i: sorted(c for r, c, _ in m[2].entries() if r == i) for i in range(nx)}
    for i in range(nx):
        if i in (0, nx - 1):
            assert rows1[i] == [] and rows2[i] == [], f"boundary row {i} must be zero"
        else:
            assert rows1[i] == [i - 1, i, i + 1]
            assert rows2[i] == [(i - 1) * (nx + 1), (i + 1) * (nx + 1)]
    assert (m[1].nnz, m[2].nnz) == (3 * (nx - 2), 2 * (nx - 2))
    assert m[2].shape == (nx, nx * nx)
    # the Gaussian is a normal double at every grid point (its exponent is at most 288), so F_0(t_k) has nx
    # non-zeros unless cos(2π t_k) = 0, i.e. unless 2 t_k − 1/2 is an integer (k = 50 in the second configuration)
    dt = Fraction(config[3]) / (nt - 1)
    want = [0 if (2 * k * dt - Fraction(1, 2)).denominator == 1 else nx for k in range(nt - 1)]
    assert [p.map_at(k)[0].nnz for k in range(nt - 1)] == want
    assert want.count(0) == (0 if config == CONFIGS[0] else 1)
    assert all(set(p.map_at(k)) == {0, 1, 2} for k in range(nt - 1))


@pytest.mark.clause("MOD-10", "MAP-3")
def test_f1_and_f2_are_stored_once_and_equal_sources_share_one_vector(published):
    p = published
    assert p.steps == 3999 and len(p.maps) == 3999 and p.n == 16 and p.degree == 2
    F1, F2 = p.maps[0][1], p.maps[0][2]
    assert all(m[1] is F1 and m[2] is F2 for m in p.maps)
    # t_k = k/1333: cos(2π t_k) has period 1333 steps and is even, so step 1333 + k and 1333 − k share F_0
    assert p.map_at(1333 + 5)[0] is p.map_at(5)[0] is p.map_at(1333 - 5)[0]
    assert p.map_at(5)[0] != p.map_at(6)[0]
    assert len({id(m[0]) for m in p.maps}) == 667          # 0 ≤ k ≤ 666: the distinct |phases|


@pytest.mark.clause("MOD-10", "FMT-1")
def test_version_2_file_reloads_to_an_identical_problem(published, tmp_path):
    path = tmp_path / "burgers.json"
    published.save(path, schema=SCHEMA_V2)
    doc = json.loads(path.read_text())
    assert set(doc["F"]) == {"1", "2"} and all(set(m) == {"0"} for m in doc["F_steps"])
    back = load_problem(path)
    assert back.maps == published.maps
    assert list(back.u0) == list(published.u0)
    assert (back.steps, back.order, back.name, back.meta) == (published.steps, published.order, published.name,
                                                                published.meta)
    assert all(m[1] is back.maps[0][1] and m[2] is back.maps[0][2] for m in back.maps)


@pytest.mark.clause("MOD-10")
def test_meta_states_every_parameter(published):
    meta = published.meta
    for key in ("citation", "grid", "dx", "dt", "U0", "nu", "u0", "F0", "F1", "F2", "boundary_rows_zeroed",
                "rounding", "nx", "nt", "reynolds", "t_end"):
        assert key in meta, key
    assert "PNAS 118" in meta["citation"]
    assert (meta["nx"], meta["nt"], meta["reynolds"], meta["t_end"]) == (16, 4000, "20", "3")
    assert meta["boundary_rows_zeroed"] == {"F1": [0, 15], "F2": [0, 15], "F0": []}
    assert meta["map_exact"] is False and meta["coefficients"] == "float64-rounded"


@pytest.mark.clause("MOD-10")
@pytest.mark.parametrize(("kwargs", "field"), [
    ({"nx": 2}, "nx"), ({"nx": 16.0}, "nx"), ({"nt": 1}, "nt"), ({"reynolds": 0}, "reynolds"),
    ({"reynolds": "abc"}, "reynolds"), ({"t_end": "-1/2"}, "t_end"), ({"order": 0}, "order"),
    ({"order": 40}, "order"),
])
def test_bad_arguments_are_refused_naming_the_field(kwargs, field):
    order = kwargs.pop("order", 2)
    with pytest.raises(InputError) as exc:
        burgers_problem(order, **kwargs)
    assert exc.value.field == field


@pytest.mark.clause("MOD-10")
def test_docstring_examples_run():
    result = doctest.testmod(burgers, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
