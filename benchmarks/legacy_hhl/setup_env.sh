#!/usr/bin/env bash
# Create the isolated environment for the legacy Qiskit HHL (quantum-linear-solvers).
# It needs qiskit 0.46 and qiskit-aer < 0.15; it is NOT a dependency of qsgd-ref.
set -euo pipefail
VENV=${LEGACY_HHL_VENV:-/tmp/legacy-hhl-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet "qiskit==0.46.*" "qiskit-aer<0.15" quantum-linear-solvers "numpy<2" scipy
"$VENV/bin/python" -c "import qiskit, qiskit_aer, linear_solvers; print('legacy env ok: qiskit', qiskit.__version__, 'aer', qiskit_aer.__version__)"
