"""The top-level API (every clause's entry point): each public function carries a doctest that runs,
every result has to_json() with plain JSON values and a readable str()."""

from __future__ import annotations

import doctest
import inspect
import json

import pytest

import qsgd_ref
from qsgd_ref.base.results import Result

FUNCTIONS = sorted(name for name in qsgd_ref.__all__
                   if inspect.isfunction(getattr(qsgd_ref, name)))
ORACLE_FUNCTIONS = ["verify", "check", "collect"]


def _run_examples(obj: object, name: str) -> doctest.TestResults:
    finder = doctest.DocTestFinder(recurse=False)
    tests = finder.find(obj, name, globs={})
    examples = sum(len(t.examples) for t in tests)
    assert examples, f"{name} has no doctest example in its docstring"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    out: list[str] = []
    for t in tests:
        runner.run(t, out=out.append)
    return runner.summarize(verbose=False) if not out else pytest.fail("".join(out))


@pytest.mark.clause("FMT-2", "REG-5", "LIFT-2", "SYS-1", "HHL-4", "ORC-4")
@pytest.mark.parametrize("name", FUNCTIONS)
def test_every_api_function_has_a_doctest_that_passes(name):
    result = _run_examples(getattr(qsgd_ref, name), f"qsgd_ref.{name}")
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.clause("ORC-4", "ORC-5")
@pytest.mark.parametrize("name", ORACLE_FUNCTIONS)
def test_oracle_functions_have_doctests_that_pass(name):
    result = _run_examples(getattr(qsgd_ref.oracle, name), f"qsgd_ref.oracle.{name}")
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.clause("FMT-1")
def test_the_api_names_the_pipeline_in_order():
    expected = {"load_problem", "lift", "classify", "reference", "bounds", "eq6_system", "hhl", "oracle"}
    assert expected <= set(qsgd_ref.__all__)
    assert callable(qsgd_ref.oracle.verify)
    with pytest.raises(AttributeError, match="no attribute 'nonexistent'"):
        qsgd_ref.nonexistent  # noqa: B018


@pytest.mark.clause("FMT-2", "REG-5", "FMT-4", "OUT-1", "SGD-2")
def test_results_are_frozen_json_ready_and_readable():
    p = qsgd_ref.make_problem(F={1: [["-1/2"]], 2: [["1/4"]]}, u0=["1/2"], steps=3, order=2, name="scalar")
    results = [p, qsgd_ref.lift(p), qsgd_ref.classify(p), qsgd_ref.bounds(p), qsgd_ref.conditioning(p),
               qsgd_ref.reference(p, dps=20), qsgd_ref.eq6_system(p), qsgd_ref.condition_number(qsgd_ref.eq6_system(p)),
               qsgd_ref.correction_table(2, 2), qsgd_ref.output_state_bound(p), qsgd_ref.cost(p),
               qsgd_ref.sgd_bounds([{1: [["-1/2"]]}, {1: [["-1/4"]]}], 1, ["1/2"], steps=2, order=1)]
    for r in results:
        assert isinstance(r, Result), type(r)
        text = json.dumps(r.to_json(), allow_nan=False)   # strict JSON: no NaN/Infinity tokens
        assert json.loads(text) == r.to_json()
        summary = str(r)
        assert summary and not summary.startswith(type(r).__name__ + "("), summary   # not a bare repr
        with pytest.raises(AttributeError):
            r.__setattr__("extra", 1)  # frozen dataclass
