"""``python -m qsgd_ref`` runs the CLI."""

import sys

from qsgd_ref.cli import main

sys.exit(main())
