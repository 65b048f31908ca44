"""Stage 9, reports: documents that combine several stages (the FMT-2 reference result, the demo)."""
