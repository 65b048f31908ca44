"""Stage 6, the quantum pipeline (HHL clauses, UPL-1, DNL-1, RUP-1): Hermitian dilation, HHL with a signed
finite clock and its exact classical twin, sparse upload and download, and the re-upload scheme.
Simulated with qiskit-aer; no hardware."""
