#!/usr/bin/env bash
# Create the isolated environment for the second peer, PennyLane's QSVT (pennylane_runner.py).
# It is NOT a dependency of qsgd-ref and is never installed into the project's environment.
set -euo pipefail
VENV=${PENNYLANE_VENV:-/tmp/pennylane-venv}
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet "pennylane==0.45.*" scipy
"$VENV/bin/python" -c "import pennylane; print('pennylane env ok:', pennylane.__version__)"
