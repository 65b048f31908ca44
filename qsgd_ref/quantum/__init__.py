"""The quantum pipeline (issue 5, spec clauses HHL-*, UPL-*, DNL-*, RUP-*): Hermitian dilation,
HHL with a signed finite clock and its exact classical twin, sparse upload and download,
and the paper's re-upload scheme. Simulated with qiskit-aer; no hardware."""
