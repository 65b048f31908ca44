"""Stage 8, the oracle: reference vectors, their generator, the verifier and a Python harness (ORC clauses).

``verify(results, vectors)`` judges a results document; ``check(impl)`` runs a Python implementation
over the corpus and judges it; ``collect(impl)`` gives its results document; ``generate(out)``
writes the vector files.
"""

from qsgd_ref.oracle.generator import generate
from qsgd_ref.oracle.harness import Request, check, collect, default_vectors
from qsgd_ref.oracle.verifier import Report, verify

__all__ = ["Report", "Request", "check", "collect", "default_vectors", "generate", "verify"]
