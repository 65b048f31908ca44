"""Sweep files (clause FMT-5): reading, checking and expanding a sweep into its cases.

A sweep file (YAML or JSON, schema ``spec/schemas/sweep.v1.json``) names one problem source — a
folder of problem files, or a model of ``qsgd-ref model`` with option values — the parameters to
vary and the quantities to compute. Every parameter and every model option takes one value or a
list of values; the cases are the Cartesian product, in a fixed order (problem files by name, model
options in the order the file gives them, then the parameters in :data:`PARAMETERS` order, the last
varying fastest). Each case is identified by ``case_id``, a hash of what determines its row: the
bytes of its problem file, its parameters and its quantities.

Everything here runs in the process that starts the sweep; the cases run elsewhere
(:mod:`qsgd_ref.report.sweep.task`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.inputs import (
    decode,
    describe,
    echo,
    json_path,
    parse_json,
    read_bytes,
    schema_error,
)
from qsgd_ref.base.precision import DEFAULT_DPS, NotExact, check_dps, parse_exact
from qsgd_ref.base.specdata import load_schema
from qsgd_ref.problem import MAX_ORDER, MAX_STEPS, SCHEMA_V2, Problem
from qsgd_ref.theory.cost import DEFAULT_EPS
from qsgd_ref.theory.table import CLOSED_FORMS
from qsgd_ref.theory.weighted import EIGENBASIS, LYAPUNOV

SCHEMA = "qsgd-ref.sweep.v1"
SCHEMA_FILE = "sweep.v1.json"
#: the command-line name of the sweep file in messages
FIELD = "SWEEP"
#: the parameters, in the order the cases vary them (the last fastest)
PARAMETERS = ("order", "steps", "dps", "eta_scale", "idle", "engine", "scheme", "eps")
#: the quantities a case can compute, and the ones each implies (tightness needs the error; the cost
#: report holds κ and the success probability)
QUANTITIES = ("error", "bounds", "regime", "kappa", "success", "cost")
IMPLIED = {"bounds": ("error",), "cost": ("kappa", "success")}
#: at most this many cases in one sweep (the table, the journal and the task graph grow with it)
MAX_CASES = 100_000
#: at most this many idle steps (the Eq. 6 system grows by one block per idle step)
MAX_IDLE = 10_000
#: a sweep file is written by hand: larger files are refused before they are parsed
MAX_SWEEP_BYTES = 1 << 20


@dataclass(frozen=True)
class Case:
    """One case of a sweep: what its task needs besides the problem bytes, and what names it.

    ``parameters`` holds every parameter of :data:`PARAMETERS` (``order`` and ``steps`` None for
    the problem's own; ``eta_scale`` and ``eps`` as exact rational text, ``eps`` None unless the
    cost is computed); ``options`` the model options of a model source (text)."""

    index: int
    case_id: str
    problem: str
    problem_sha256: str
    parameters: dict[str, Any]
    quantities: tuple[str, ...]
    options: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """One problem of the sweep: its label, its problem-file bytes (None when it could not be built,
    with the reason in ``failure``) and the model options that made it."""

    label: str
    data: bytes | None
    options: dict[str, str]
    failure: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data or (self.failure or "").encode()).hexdigest()


@dataclass(frozen=True)
class Sweep:
    """A checked sweep file: its sources, the parameter values, the quantities and the output
    choices; :meth:`cases` expands it."""

    path: Path
    name: str
    sources: tuple[Source, ...]
    values: dict[str, list[Any]]
    quantities: tuple[str, ...]
    table: str
    figure_x: str | None
    figure_by: tuple[str, ...]
    model: str | None
    option_names: tuple[str, ...]

    @property
    def varied(self) -> list[str]:
        """The table columns that take more than one value in this sweep (model options first)."""
        out = []
        if self.model is None and len(self.sources) > 1:
            out.append("problem")
        for name in self.option_names:
            if len({s.options.get(name) for s in self.sources}) > 1:
                out.append(option_column(name))
        out += [p for p in PARAMETERS if len(self.values[p]) > 1]
        return out

    def cases(self) -> list[Case]:
        """Every case, in order (problems outermost, the last parameter fastest)."""
        out: list[Case] = []
        names = [p for p in PARAMETERS if p != "eps" or "cost" in self.quantities]
        for source in self.sources:
            for combo in itertools.product(*(self.values[p] for p in names)):
                params = dict(zip(names, combo))
                params.setdefault("eps", None)
                key = json.dumps({"label": source.label, "problem": source.sha256, "parameters": params, "quantities": list(self.quantities)},
                                 sort_keys=True, separators=(",", ":"))
                out.append(Case(len(out), hashlib.sha256(key.encode()).hexdigest()[:16], source.label, source.sha256,
                                params, self.quantities, dict(source.options)))
        return out


def option_column(name: str) -> str:
    """The table column of a model option: ``model_`` and its name with - as _ (u0-scale → model_u0_scale)."""
    return "model_" + name.replace("-", "_")


#: the bound series of ``qsgd_ref.bounds`` (BND-1 … BND-4, BND-6 … BND-9), in its order
BOUND_NAMES = ("majorant", *CLOSED_FORMS, "whole_horizon", "closed_form_horizon_q2", EIGENBASIS, LYAPUNOV)
#: column -> type ("int", "float" or "str") of each quantity's columns
QUANTITY_COLUMNS: dict[str, dict[str, str]] = {
    "error": {"error_T": "float", "error_max": "float", "error_series": "str"},
    "bounds": {f"{kind}_{name}": "float" for name in BOUND_NAMES for kind in ("bound", "tightness", "worst")},
    "regime": {"regime": "str", "regime_basis": "str", "gamma": "float", "delta": "float", "R_d": "float",
               "r": "float", "s": "float", "rho": "float", "norm_I_plus_F1": "float"},
    "kappa": {"system_dimension": "int", "kappa": "float", "kappa_method": "str", "kappa_bound": "float",
              "kappa_bound_clause": "str", "kappa_uniform_bound": "float"},
    "success": {"success_probability": "float", "success_lower_bound": "float"},
    "cost": {"qubits": "int", "sparsity": "int", "solve_queries": "float", "quantum_total": "float",
             "quantum_total_amplified": "float", "classical_gradient_descent": "int",
             "classical_forward_substitution": "int", "quantum_over_gradient_descent": "float", "verdict": "str"},
}
_PARAMETER_TYPES = {"order": "int", "steps": "int", "dps": "int", "eta_scale": "str", "idle": "int", "engine": "str",
                    "scheme": "str", "eps": "str"}

def columns(option_names: Iterable[str], quantities: Iterable[str]) -> dict[str, str]:
    """Column name -> type, in table order: the case, its problem and model options, its
    parameters, the problem's size, the outcome, then each quantity's columns."""
    quantities = tuple(quantities)
    cols = {"case": "int", "case_id": "str", "problem": "str"}
    cols.update({option_column(name): "str" for name in option_names})
    cols.update({p: _PARAMETER_TYPES[p] for p in PARAMETERS if p != "eps" or "cost" in quantities})
    cols.update({"n": "int", "degree": "int", "status": "str", "message": "str"})
    for q in quantities:
        cols.update(QUANTITY_COLUMNS[q])
    return cols


# ---------------------------------------------------------------- reading


def load_sweep(path: str | Path) -> Sweep:
    """Read and check a sweep file (YAML for .yaml/.yml, JSON otherwise), build its model problems
    and return the :class:`Sweep`; every refusal is an :class:`InputError` naming the field."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError:
        size = 0
    if size > MAX_SWEEP_BYTES:
        raise InputError(FIELD, f"{echo(p.name)} is {size:,} bytes; a sweep file may have at most {MAX_SWEEP_BYTES:,}")
    data = read_bytes(p, FIELD)
    text = decode(data, FIELD)
    doc = parse_yaml(text, p.name) if p.suffix.lower() in (".yaml", ".yml") else parse_json(text, FIELD, p.name)
    return parse_sweep(doc, p)


def parse_sweep(doc: Any, path: Path) -> Sweep:
    """Check a decoded sweep document (schema, then values) and build its sources; ``path`` is the
    sweep file (folders are relative to it)."""
    if not isinstance(doc, dict):
        raise InputError("(document)", f"must be an object (a mapping), got {describe(doc)}")
    if ("problems" in doc) == ("model" in doc):
        raise InputError("problems", "give exactly one of problems (a folder of problem files) and model "
                         "(a model of qsgd-ref model)")
    import jsonschema

    validator = jsonschema.Draft202012Validator(load_schema(SCHEMA_FILE))
    errors = sorted(validator.iter_errors(doc), key=lambda e: (len(e.absolute_path), e.message))
    if errors:
        raise schema_error(jsonschema.exceptions.best_match(errors))
    params = doc.get("parameters") or {}
    values = {name: _parameter(name, params.get(name)) for name in PARAMETERS}
    quantities = _quantities(doc["quantities"])
    if "cost" not in quantities:
        if "eps" in params:
            raise InputError("parameters.eps", "is the RUN-1 target precision of the cost quantity; "
                             "add cost to quantities or remove eps")
        values["eps"] = [None]
    figures = doc.get("figures") or {}
    by = figures.get("by", [])
    model = doc.get("model")
    if model is not None:
        sources, option_names = _model_sources(model, values)
    else:
        sources, option_names = _folder_sources(path.parent / doc["problems"]), []
    by = [by] if isinstance(by, str) else list(by)
    cols = columns(option_names, quantities)
    named = [("figures.x", figures.get("x"))] + [(json_path(["figures", "by", i]), b) for i, b in enumerate(by)]
    for where, col in named:
        if col is not None and col not in cols:
            shown = [c for c in cols if not c.startswith(("bound_", "tightness_", "worst_")) and c != "case_id"]
            raise InputError(where, f"{echo(col)} is not a column of this sweep's table (its columns include "
                             f"{', '.join(shown)})")
    sweep = Sweep(path=path, name=str(doc.get("name") or path.stem), sources=tuple(sources), values=values,
                  quantities=quantities, table=str(doc.get("table", "parquet")), figure_x=figures.get("x"),
                  figure_by=tuple(by),
                  model=None if model is None else str(model["name"]), option_names=tuple(option_names))
    total = len(sweep.sources)
    for p in PARAMETERS:
        total *= len(values[p])
    if total > MAX_CASES:
        raise InputError("parameters", f"the sweep has {total:,} cases; at most {MAX_CASES:,} are run in one sweep "
                         "(split it into several files)")
    return sweep


def _quantities(raw: list[str]) -> tuple[str, ...]:
    wanted = set(raw)
    for q in raw:
        wanted.update(IMPLIED.get(q, ()))
    return tuple(q for q in QUANTITIES if q in wanted)


def _listed(raw: Any) -> list[Any]:
    return list(raw) if isinstance(raw, list) else [raw]


def _parameter(name: str, raw: Any) -> list[Any]:
    """The checked values of one parameter (its default when absent), duplicates refused."""
    if raw is None:
        return [{"order": None, "steps": None, "dps": DEFAULT_DPS, "eta_scale": "1", "idle": 0, "engine": "mp",
                 "scheme": "discrete", "eps": _text(DEFAULT_EPS)}[name]]
    out: list[Any] = []
    for i, value in enumerate(_listed(raw)):
        where = json_path(["parameters", name] + ([i] if isinstance(raw, list) else []))
        out.append(_check_value(name, value, where))
    if len(set(out)) != len(out):
        raise InputError(json_path(["parameters", name]), "lists a value twice")
    return out


def _check_value(name: str, value: Any, where: str) -> Any:
    if name in ("order", "steps", "idle"):
        lo, hi = {"order": (1, MAX_ORDER), "steps": (0, MAX_STEPS), "idle": (0, MAX_IDLE)}[name]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise InputError(where, f"must be an integer between {lo} and {hi:,}, got {echo(value)}")
        return value
    if name == "dps":
        return check_dps(value, where)
    if name in ("eta_scale", "eps"):
        x = _exact(value, where)
        if name == "eta_scale" and x <= 0:
            raise InputError(where, f"must be > 0, got {echo(value)}")
        if name == "eps" and not 0 < x < 1:
            raise InputError(where, f"must lie strictly between 0 and 1, got {echo(value)}")
        return _text(x)
    return value  # engine, scheme: the schema checked them


def _exact(value: Any, where: str) -> Fraction:
    try:
        return parse_exact(value)
    except NotExact as exc:
        raise InputError(where, exc.reason) from None


def _text(x: Fraction) -> str:
    """An exact rational as text: "3", "1/10"."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


# ---------------------------------------------------------------- problem sources


def _folder_sources(folder: Path) -> list[Source]:
    if not folder.is_dir():
        raise InputError("problems", f"{echo(str(folder), 120)} is not a folder")
    files = sorted(f for f in folder.iterdir() if f.suffix == ".json" and f.is_file())
    if not files:
        raise InputError("problems", f"the folder {echo(str(folder), 120)} holds no problem file (*.json)")
    return [Source(f.name, read_bytes(f, f"problems: {f.name}"), {}) for f in files]


@dataclass(frozen=True)
class _Option:
    kind: str  # "int", "positive", "non-negative", "theta"
    default: Any
    lo: int = 0
    hi: int = 0


def _int(lo: int, hi: int, default: int) -> _Option:
    return _Option("int", default, lo, hi)


_GRADIENT = {"seed": _int(0, 2**63 - 1, 0), "eta": _Option("positive", "1/10"), "u0-scale": _Option("non-negative", "1/2")}
#: the models of ``qsgd-ref model`` and their options, with the command's ranges and defaults
MODEL_OPTIONS: dict[str, dict[str, _Option]] = {
    "burgers": {"nx": _int(3, 100_000, 16), "nt": _int(2, MAX_STEPS + 1, 4000), "reynolds": _Option("positive", "20"),
                "time": _Option("positive", "3")},
    "least-squares": {"samples": _int(1, 1000, 8), "dim": _int(1, 64, 3), **_GRADIENT,
                      "theta-star": _Option("theta", "zero")},
    "logistic": {"samples": _int(1, 64, 8), "dim": _int(1, 16, 2), "degree": _int(1, 8, 3), **_GRADIENT,
                 "theta-star": _Option("theta", "zero")},
    "quadnet": {"samples": _int(1, 32, 4), "inputs": _int(1, 8, 2), "hidden": _int(1, 8, 2), "outputs": _int(1, 4, 1),
                **_GRADIENT, "theta-star": _Option("theta", "random")},
}
#: the order each model is built with when the sweep varies none (the command's default)
_MODEL_ORDER = {"burgers": 2, "least-squares": 1, "logistic": 2, "quadnet": 2}
#: the gradient steps of a model when the sweep varies none (the command's default)
_MODEL_STEPS = 10


def _option_value(name: str, spec: _Option, value: Any, where: str) -> Any:
    if spec.kind == "int":
        if isinstance(value, bool) or not isinstance(value, int) or not spec.lo <= value <= spec.hi:
            raise InputError(where, f"must be an integer between {spec.lo} and {spec.hi:,}, got {echo(value)}")
        return value
    if spec.kind == "theta":
        if value in ("zero", "random"):
            return value
        if not isinstance(value, str):
            raise InputError(where, f"must be zero, random or values V1,V2,... in one string, got {echo(value)}")
        return [_exact(part.strip(), where) for part in value.split(",")]
    x = _exact(value, where)
    if (spec.kind == "positive" and x <= 0) or x < 0:
        raise InputError(where, f"must be {'> 0' if spec.kind == 'positive' else '≥ 0'}, got {echo(value)}")
    return x


def _option_text(value: Any) -> str:
    if isinstance(value, Fraction):
        return _text(value)
    if isinstance(value, list):
        return ",".join(_text(x) for x in value)
    return str(value)


def _model_sources(model: dict[str, Any], values: dict[str, list[Any]]) -> tuple[list[Source], list[str]]:
    """One source per combination of the model options (in the file's order), built here."""
    name = str(model["name"])
    specs = MODEL_OPTIONS[name]
    given = model.get("options") or {}
    checked: dict[str, list[Any]] = {}
    for opt, raw in given.items():
        if opt not in specs:
            raise InputError(json_path(["model", "options", opt]),
                             f"is not an option of the {name} model (its options are {', '.join(specs)})")
        items = _listed(raw)
        checked[opt] = [_option_value(opt, specs[opt], v, json_path(["model", "options", opt] +
                                                                     ([i] if isinstance(raw, list) else [])))
                        for i, v in enumerate(items)]
        if len({_option_text(v) for v in checked[opt]}) != len(items):
            raise InputError(json_path(["model", "options", opt]), "lists a value twice")
    names = list(given)
    orders = [v for v in values["order"] if v is not None]
    steps = [v for v in values["steps"] if v is not None]
    build = _builder(name, max(orders, default=_MODEL_ORDER[name]), max(steps, default=_MODEL_STEPS))
    sources = []
    for combo in itertools.product(*(checked[o] for o in names)):
        opts = dict(zip(names, combo))
        full = {o: opts.get(o, _option_value(o, s, s.default, o)) for o, s in specs.items()}
        text = {o: _option_text(v) for o, v in opts.items()}
        label = name + ("(" + ", ".join(f"{o}={t}" for o, t in text.items()) + ")" if text else "")
        try:
            problem = build(full)
        except InputError as exc:  # a combination the builder refuses is a failed case, not a bad file
            sources.append(Source(label, None, text, f"model {name}: {exc}"))
            continue
        data = json.dumps(problem.to_json(SCHEMA_V2), separators=(",", ":")).encode()
        sources.append(Source(label, data, text))
    return sources, names


def _builder(name: str, order: int, steps: int) -> Callable[[dict[str, Any]], Problem]:
    from qsgd_ref.models.burgers import burgers_problem
    from qsgd_ref.models.synthetic import seeded_least_squares, seeded_logistic, seeded_quadnet

    if name == "burgers":
        return lambda o: burgers_problem(order, nx=o["nx"], nt=o["nt"], reynolds=o["reynolds"], t_end=o["time"])
    if name == "least-squares":
        return lambda o: seeded_least_squares(o["samples"], o["dim"], o["seed"], o["eta"], steps, order,
                                              o["theta-star"], o["u0-scale"])
    if name == "logistic":
        return lambda o: seeded_logistic(o["samples"], o["dim"], o["seed"], o["eta"], o["degree"], steps, order,
                                         o["theta-star"], o["u0-scale"])
    return lambda o: seeded_quadnet(o["samples"], o["inputs"], o["hidden"], o["outputs"], o["seed"], o["eta"], steps,
                                    order, o["theta-star"], o["u0-scale"])


# ---------------------------------------------------------------- YAML


def parse_yaml(text: str, name: str) -> Any:
    """YAML text as plain values: floats kept exactly (as Decimal, like JSON's), dates and times as
    their text; an alias (``*name``, which can expand a small file into a huge document), a key
    given twice in one mapping and a key that is not text are refused, naming the line."""
    import yaml

    class Loader(yaml.SafeLoader):  # type: ignore[misc]
        pass

    def no_alias(self: Loader, *args: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise InputError(FIELD, f"{echo(name)}, line {mark.line + 1}: YAML aliases (*name) are not read in a "
                             "sweep file; write the value out")
        return yaml.SafeLoader.compose_node(self, *args)

    def mapping(self: Loader, node: Any, deep: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            if not isinstance(key, str):
                raise InputError(FIELD, f"{echo(name)}, line {line}: the key {echo(key)} is not text")
            if key in out:
                raise InputError(FIELD, f"{echo(name)}, line {line}: the key {echo(key)} is given twice in one "
                                 "mapping (each key may appear once)")
            out[key] = self.construct_object(value_node, deep=True)
        return out

    def exact_float(self: Loader, node: Any) -> Any:
        text = str(self.construct_scalar(node)).replace("_", "")
        try:
            value = Decimal(text)
        except InvalidOperation:
            return text  # .inf, .nan: refused as a number by the field's check, quoting the text
        return value if value.is_finite() else text

    def as_text(self: Loader, node: Any) -> str:
        return str(self.construct_scalar(node))

    Loader.compose_node = no_alias
    Loader.add_constructor("tag:yaml.org,2002:map", mapping)
    Loader.add_constructor("tag:yaml.org,2002:float", exact_float)
    Loader.add_constructor("tag:yaml.org,2002:timestamp", as_text)
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise InputError(FIELD, f"{echo(name)} is not valid YAML{where}: {problem}") from None
    except RecursionError:
        raise InputError(FIELD, f"{echo(name)} nests too deep to be a sweep file") from None
