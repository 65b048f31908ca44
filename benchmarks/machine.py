"""Description of the machine a benchmark run used: CPU, caches, memory, versions, load."""

from __future__ import annotations

import importlib.metadata
import os
import platform
from pathlib import Path
from typing import Any

PACKAGES = ("numpy", "scipy", "sympy", "mpmath", "python-flint", "qiskit", "qiskit-aer")


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _caches() -> dict[str, str]:
    out = {}
    for d in sorted(Path("/sys/devices/system/cpu/cpu0/cache").glob("index*")):
        try:
            level, kind, size = ((d / f).read_text().strip() for f in ("level", "type", "size"))
        except OSError:
            continue
        if kind != "Instruction":
            out[f"L{level}"] = size
    return out


def _memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return None


def _version(pkg: str) -> str:
    try:
        return importlib.metadata.version(pkg)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def describe() -> dict[str, Any]:
    """The machine at the start of a run (the caller adds the load average at the end)."""
    return {
        "cpu_model": _cpu_model(),
        "architecture": platform.machine(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "caches": _caches(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "versions": {pkg: _version(pkg) for pkg in PACKAGES},
        "load_average_start": load_average(),
    }


def summary(m: dict[str, Any]) -> str:
    """One paragraph for the page and the terminal."""
    caches = ", ".join(f"{k} {v}" for k, v in m["caches"].items())
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items())
    mem = f"{m['memory_gib']:.0f} GiB RAM" if m.get("memory_gib") else "memory unknown"
    start, end = m["load_average_start"], m.get("load_average_end", ["?"] * 3)
    return (f"{m['cpu_model']} ({m['architecture']}), {m['usable_cpus']} usable of {m['logical_cpus']} logical CPUs"
            f"{', ' + caches if caches else ''}, {mem}; {m['os']}; Python {m['python']}, {versions}. "
            f"Load average (1, 5, 15 min) {', '.join(map(str, start))} at the start and "
            f"{', '.join(map(str, end))} at the end. The machine is shared with other jobs, so absolute "
            f"times are inflated and noisy; the side-by-side ratios, measured in the same run, are steadier.")
