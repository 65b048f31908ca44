"""Keeping the largest entries (clauses RUP-1, MOD-5, MOD-9): the one rule in qsgd_ref.base.sparsify and its callers."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from qsgd_ref.base.errors import InputError
from qsgd_ref.base.sparsify import keep_largest, largest_mask
from qsgd_ref.models.pruning import magnitude_mask

#: few distinct magnitudes of both signs, so that ties (equal |x|, also x against −x) are frequent
TIED = st.sampled_from([0.0, -0.0, 0.5, -0.5, 1.0, -1.0, 2.5, -2.5, 1e-300, -1e-300])


def chosen_by_definition(values: list[float], keep: int) -> set[int]:
    """The rule written out: sort the indices by (−|x|, index) and take the first ``keep``."""
    return set(sorted(range(len(values)), key=lambda i: (-abs(values[i]), i))[:keep])


@pytest.mark.clause("RUP-1", "MOD-5")
@given(data=st.data())
def test_largest_mask_keeps_the_largest_and_breaks_ties_by_lower_index(data):
    values = data.draw(st.lists(TIED | st.floats(-10, 10), min_size=0, max_size=30), label="values")
    keep = data.draw(st.integers(0, len(values) + 2), label="keep")
    mask = largest_mask(np.array(values), keep)
    assert mask.dtype == bool and mask.shape == (len(values),)
    assert set(np.flatnonzero(mask).tolist()) == chosen_by_definition(values, keep)
    assert mask.sum() == min(keep, len(values))


@pytest.mark.clause("RUP-1")
def test_keep_largest_zeroes_the_rest_and_keeps_shape_and_type():
    u = np.array([0.1, -0.5, 0.3, -0.3, 0.0])
    assert keep_largest(u, 2).tolist() == [0.0, -0.5, 0.3, 0.0, 0.0]  # |0.3| = |−0.3|: the lower index wins
    assert keep_largest(u, 3).tolist() == [0.0, -0.5, 0.3, -0.3, 0.0]
    assert keep_largest(u, 5).tolist() == u.tolist() and keep_largest(u, 0).tolist() == [0.0] * 5
    w = np.array([[1, -3], [3, 2]])  # any shape: flat (row-major) index order breaks the tie 3 vs −3
    got = keep_largest(w, 1)
    assert got.dtype == w.dtype and got.tolist() == [[0, -3], [0, 0]]
    with pytest.raises(InputError, match="keep"):
        largest_mask(u, -1)


@pytest.mark.clause("MOD-5")
@given(data=st.data())
def test_magnitude_mask_is_the_rule_on_the_concatenated_layers(data):
    """The pruning mask chooses round(f·size) (≥ 1) entries of the concatenated non-final layers by the rule."""
    w = data.draw(st.lists(TIED, min_size=2, max_size=20), label="weights")
    frac = data.draw(st.floats(0.05, 1.0), label="fraction")
    cut = data.draw(st.integers(0, len(w)), label="layer split")
    layers = [np.array(w[:cut]), np.array(w[cut:]), np.ones(3)]
    masks = magnitude_mask(layers, frac)
    flat = np.concatenate([masks[0], masks[1]])
    keep = max(1, int(round(frac * len(w))))
    assert set(np.flatnonzero(flat).tolist()) == chosen_by_definition(w, keep)
    assert masks[2].all()


@pytest.mark.clause("MOD-9")
def test_model_reupload_download_keeps_the_largest_entries():
    """reupload_quadnet with ``keep``: the downloaded θ of a single segment is the rule applied to the download
    without ``keep``; with ties impossible here, exactly ``keep`` entries survive."""
    from qsgd_ref.models.quadnet import QuadNet
    from qsgd_ref.models.reupload import reupload_quadnet

    net = QuadNet(np.array([[1, 0], [0, 1], [1, 1]]) * 0.5, np.array([[0.1], [0.2], [0.0]]), np.array([[1.0, -1.0]]) * 0.5)
    th = np.array([0.3, -0.2, 0.1, 0.4])
    full = np.array(reupload_quadnet(net, th, 0.5, 4, period=4, order=2).theta)
    kept = np.array(reupload_quadnet(net, th, 0.5, 4, period=4, order=2, keep=2).theta)
    assert len(set(np.abs(full).tolist())) == 4 and np.count_nonzero(kept) == 2
    assert kept.tolist() == keep_largest(full, 2).tolist()
    assert kept.tolist() == np.where(np.abs(full) >= np.sort(np.abs(full))[-2], full, 0.0).tolist()
