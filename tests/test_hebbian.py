"""Contrastive Hebbian update: masks per architecture, symmetry, formula, bad input."""

from __future__ import annotations

import numpy as np
import pytest

from neurochaos.errors import ConfigError
from neurochaos.learning import contrastive_update, coupling_mask, frozen_mask, layer_sizes, phase_statistics


def test_restricted3_mask_has_only_v_h1_and_h1_h2_blocks():
    m = coupling_mask("restricted3", (3, 2, 2))
    v, h1, h2 = slice(0, 3), slice(3, 5), slice(5, 7)
    assert m[v, h1].all() and m[h1, v].all() and m[h1, h2].all() and m[h2, h1].all()
    assert not m[v, v].any() and not m[v, h2].any() and not m[h2, v].any() and not m[h1, h1].any()
    assert not m[h2, h2].any()
    assert (m == m.T).all()


def test_unrestricted_mask_is_full_without_diagonal():
    m = coupling_mask("unrestricted", (5,))
    assert m.sum() == 5 * 4 and not np.diag(m).any()


def test_hidden_scope_keeps_j_inside_hidden_layers_only():
    m = frozen_mask("hidden", (3, 2, 2))
    assert not m[:3].any() and not m[:, :3].any() and m[3:5, 3:5].sum() == 2 and not m[3:5, 5:].any()


def test_j_visible_scales_only_the_random_input_of_the_visible_units():
    from neurochaos.learning import build_generative_network

    full = build_generative_network("fu_restricted2", n_visible=5, n_hidden=4, seed=2)
    none = build_generative_network("fu_restricted2", n_visible=5, n_hidden=4, seed=2, j_visible=0.0)
    half = build_generative_network("fu_restricted2", n_visible=5, n_hidden=4, seed=2, j_visible=0.5)
    assert np.all(none.J0[:5] == 0.0) and np.abs(full.J0[:5]).max() > 0  # no random input into the visible units
    assert np.array_equal(none.J0[5:], full.J0[5:])  # the same draw in the hidden rows
    np.testing.assert_array_equal(half.J0[:5], 0.5 * full.J0[:5])
    with pytest.raises(ConfigError, match="j_visible"):
        build_generative_network("fu_restricted2", n_visible=5, n_hidden=4, j_visible=-1.0)


def test_weight_decay_shrinks_a_toward_zero_by_k_times_decay():
    from neurochaos.learning.hebbian import apply_contrastive

    mask = coupling_mask("restricted2", (2, 2))
    A = np.where(mask, 0.5, 0.0)
    s = np.tanh(np.random.default_rng(1).normal(size=(3, 4)))
    A1, b1 = apply_contrastive(A, np.zeros(4), s, s, 0.1, mask, weight_decay=2.0)  # equal phases: decay only
    np.testing.assert_allclose(A1, np.where(mask, 0.5 * (1 - 0.1 * 2.0), 0.0), rtol=0, atol=1e-15)
    assert np.all(b1 == 0.0) and np.array_equal(A1, A1.T)


def test_update_matches_the_block_formula_and_stays_symmetric():
    rng = np.random.default_rng(0)
    nv, nh, M = 5, 3, 7
    sizes = (nv, nh)
    mask = coupling_mask("restricted2", sizes)
    sc, sf = np.tanh(rng.normal(size=(M, nv + nh))), np.tanh(rng.normal(size=(M + 2, nv + nh)))
    A0 = np.where(mask, 0.1, 0.0)
    A, b = contrastive_update(A0, np.zeros(nv + nh), sc, sf, k=0.01, mask=mask)
    dW = 0.01 * (sc[:, :nv].T @ sc[:, nv:] / M - sf[:, :nv].T @ sf[:, nv:] / (M + 2))
    np.testing.assert_allclose(A[:nv, nv:], 0.1 + dW, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(A, A.T)
    assert not A[:nv, :nv].any() and not A[nv:, nv:].any() and not np.diag(A).any()
    np.testing.assert_allclose(b, 0.01 * (sc.mean(0) - sf.mean(0)), atol=1e-15)


def test_equal_statistics_give_no_change():
    s = np.sign(np.random.default_rng(1).normal(size=(4, 6)))
    mask = coupling_mask("unrestricted", (6,))
    A0 = np.where(mask, 0.3, 0.0)
    A, b = contrastive_update(A0, np.ones(6), s, s[::-1], k=1.0, mask=mask)
    np.testing.assert_array_equal(A, A0)
    np.testing.assert_array_equal(b, np.ones(6))


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"k": 0.0}, r"`k` must be in \(0.0, inf\)"),
        ({"mask": np.ones((3, 3), bool)}, r"`mask` must be of shape \(4, 4\)"),
        ({"s_free": np.full((2, 4), np.nan)}, r"`s_free` must be finite"),
        ({"s_clamped": np.zeros((2, 5))}, r"`s_clamped` must be of shape \(any, 4\)"),
    ],
)
def test_bad_update_input_is_named(kwargs, match):
    args = {
        "A": np.zeros((4, 4)),
        "bias": np.zeros(4),
        "s_clamped": np.zeros((2, 4)),
        "s_free": np.zeros((2, 4)),
        "k": 0.1,
        "mask": coupling_mask("unrestricted", (4,)),
    }
    args.update(kwargs)
    with pytest.raises(ConfigError, match=match):
        contrastive_update(**args)


def test_empty_phase_is_rejected():
    with pytest.raises(ConfigError, match="non-empty batch"):
        phase_statistics(np.zeros((0, 3)))


def test_layer_sizes_reject_hidden_units_for_unrestricted_and_missing_ones():
    with pytest.raises(ConfigError, match="n_hidden"):
        layer_sizes("unrestricted", 4, 2)
    with pytest.raises(ConfigError, match="n_hidden2"):
        layer_sizes("restricted3", 4, 2, 0)
    with pytest.raises(ConfigError, match="architecture"):
        layer_sizes("deep", 4, 2)
