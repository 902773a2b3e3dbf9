"""Property-based tests (hypothesis): connectivity builders, gain schedules, the IDX reader, the accuracy indices.

Each property is a rule stated in the function's docstring, checked on generated inputs;
small sizes and few examples keep the whole file within a few seconds.
"""

from __future__ import annotations

import gzip
import math
import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from neurochaos.data import read_idx
from neurochaos.errors import ConfigError, DataError
from neurochaos.metrics import accuracy_indices, adversarial_accuracy, e2, er, es
from neurochaos.model import ConstantGain, PiecewiseLinearGain, SineGain, SquareGain
from neurochaos.model.connectivity import gaussian_coupling, hopfield_coupling, random_patterns, sparse_ei_connectivity
from neurochaos.protocols import GainCycle

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

seeds = st.integers(0, 2**32 - 1)
gains = st.floats(0.0, 20.0, allow_nan=False)
periods = st.floats(0.01, 100.0, allow_nan=False)
times = st.floats(0.0, 1e4, allow_nan=False)


# --- connectivity -------------------------------------------------------------------------------------------


@FAST
@given(N=st.integers(1, 60), scale=st.floats(0.0, 10.0), seed=seeds, zero_diagonal=st.booleans())
def test_gaussian_coupling_shape_finite_diagonal_and_seed(N, scale, seed, zero_diagonal):
    W = gaussian_coupling(N, np.random.default_rng(seed), scale=scale, zero_diagonal=zero_diagonal)
    assert W.shape == (N, N) and W.dtype == np.float64 and np.all(np.isfinite(W))
    if zero_diagonal:
        assert np.all(np.diag(W) == 0)
    again = gaussian_coupling(N, np.random.default_rng(seed), scale=scale, zero_diagonal=zero_diagonal)
    np.testing.assert_array_equal(W, again)


@FEW
@given(N=st.integers(30, 200), scale=st.floats(0.1, 10.0), seed=seeds)
def test_gaussian_coupling_variance_is_scale_squared_over_N(N, scale, seed):
    W = gaussian_coupling(N, np.random.default_rng(seed), scale=scale)
    off = W[~np.eye(N, dtype=bool)]
    ratio = off.var() * N / scale**2  # N(0, scale^2 / N) entries: ratio ~ 1 +- sqrt(2 / n)
    assert abs(ratio - 1.0) < 6.0 * math.sqrt(2.0 / off.size)
    assert abs(off.mean()) < 6.0 * scale / math.sqrt(N * off.size)


@FAST
@given(N=st.integers(2, 40), frac_e=st.floats(0.0, 1.0), p=st.floats(0.01, 1.0), seed=seeds,
       J=st.floats(-5.0, 5.0), g_I=st.floats(0.0, 8.0))  # fmt: skip
def test_sparse_ei_connectivity_indices_signs_order_and_seed(N, frac_e, p, seed, J, g_I):
    N_E = int(round(frac_e * N))
    pre, post, w = sparse_ei_connectivity(N, N_E, p, np.random.default_rng(seed), J=J, g_I=g_I)
    assert pre.dtype == post.dtype == np.int64 and w.dtype == np.float64 and len(pre) == len(post) == len(w)
    assert np.all((0 <= pre) & (pre < N) & (0 <= post) & (post < N))
    assert np.all(pre != post)  # no self-connections
    assert len(set(zip(pre.tolist(), post.tolist()))) == len(pre)  # each pair at most once
    order = np.lexsort((post, pre))
    np.testing.assert_array_equal(order, np.arange(len(pre)))  # sorted by pre then post
    # the sign rule belongs to the presynaptic neuron (a column of W[post, pre]): E -> J, I -> -g_I J
    np.testing.assert_array_equal(w[pre < N_E], J)
    np.testing.assert_array_equal(w[pre >= N_E], -g_I * J)
    if J > 0:
        assert np.all(w[pre < N_E] > 0) and np.all(w[pre >= N_E] <= 0)
    again = sparse_ei_connectivity(N, N_E, p, np.random.default_rng(seed), J=J, g_I=g_I)
    for a, b in zip((pre, post, w), again):
        np.testing.assert_array_equal(a, b)


@FEW
@given(N=st.integers(2, 12), seed=seeds)
def test_sparse_ei_connectivity_p_one_is_all_to_all(N, seed):
    pre, post, _ = sparse_ei_connectivity(N, N // 2, 1.0, np.random.default_rng(seed))
    assert len(pre) == N * (N - 1)


@FAST
@given(data=st.data(), N=st.integers(2, 30), seed=seeds)
def test_hopfield_coupling_symmetric_zero_diagonal_hebbian(data, N, seed):
    P = data.draw(st.integers(1, N - 1), label="P")
    xi = random_patterns(P, N, np.random.default_rng(seed))
    assert xi.shape == (P, N) and set(np.unique(xi).tolist()) <= {-1.0, 1.0}
    W = hopfield_coupling(xi)
    assert W.shape == (N, N)
    np.testing.assert_array_equal(W, W.T)
    assert np.all(np.diag(W) == 0)
    off = ~np.eye(N, dtype=bool)
    np.testing.assert_allclose(W[off], (xi.T @ xi / N)[off], rtol=0, atol=1e-12)


@FEW
@given(P=st.integers(1, 20), N=st.integers(1, 20))
def test_hopfield_coupling_refuses_P_at_least_N(P, N):
    assume(P >= N)
    with pytest.raises(ConfigError, match=r"`P` must be < N"):
        hopfield_coupling(np.ones((P, N)))


# --- gain schedules -----------------------------------------------------------------------------------------


def _bounds_ok(v, lo, hi):
    v = np.asarray(v)
    return np.all(np.isfinite(v)) and np.all(v >= lo) and np.all(v <= hi)


@FAST
@given(value=gains, t=st.lists(times, min_size=1, max_size=8))
def test_constant_gain_is_constant(value, t):
    s = ConstantGain(value)
    assert s.is_constant and s.constant_value == value
    np.testing.assert_array_equal(s.values(np.array(t)), value)


square_args = st.fixed_dictionaries(
    {"low": gains, "high": gains, "period": periods, "duty": st.floats(0.0, 1.0), "phase": st.floats(-50.0, 50.0)}
)


@FAST
@given(kw=square_args, t=st.lists(times, min_size=1, max_size=8))
@example(kw={"low": 1.0, "high": 8.0, "period": 0.1, "duty": 1.0, "phase": 0.0}, t=[0.3])  # 0.3 / 0.1 = 2.9999...
@example(kw={"low": 1.0, "high": 8.0, "period": 0.1, "duty": 0.0, "phase": 0.0}, t=[0.3])
def test_square_gain_values_are_low_or_high_and_constant_when_it_says_so(kw, t):
    s = SquareGain(**kw)
    v = s.values(np.array(t))
    assert _bounds_ok(v, min(kw["low"], kw["high"]), max(kw["low"], kw["high"]))
    assert np.all((v == kw["low"]) | (v == kw["high"]))
    if s.is_constant:
        np.testing.assert_array_equal(v, s.constant_value)
    else:
        assert s.constant_value is None and kw["low"] != kw["high"] and 0 < kw["duty"] < 1


@FAST
@given(kw=square_args, k=st.integers(0, 1000), u=st.floats(0.0, 1.0), m=st.integers(1, 50))
def test_square_gain_has_its_period(kw, k, u, m):
    assume(0.0 < kw["duty"] < 1.0 and kw["low"] != kw["high"])
    assume(min(abs(u - kw["duty"]), u, 1.0 - u) > 1e-6)  # off the switching instants (rounding)
    s = SquareGain(**kw)
    t = kw["phase"] + (k + u) * kw["period"]
    assume(t >= 0)
    want = kw["high"] if u < kw["duty"] else kw["low"]
    assert s.values(np.array([t]))[0] == want
    assert s.values(np.array([t + m * kw["period"]]))[0] == want


@FAST
@given(low=gains, high=gains, duty=st.floats(1e-6, 1.0), phase=st.floats(0.0, 50.0), k=st.integers(0, 10**6),
       period=st.sampled_from([0.1, 0.3, 0.7, 1.1, 2.5, 50.0]))  # fmt: skip
@example(low=1.0, high=8.0, duty=0.5, phase=0.0, k=3, period=0.1)
def test_square_gain_is_high_at_every_period_start(low, high, duty, phase, k, period):
    s = SquareGain(low=low, high=high, period=period, duty=duty, phase=phase)
    t = phase + k * period  # rounded: 0.3 / 0.1 = 2.9999999999999996
    assert s.values(np.array([t]))[0] == high


@FAST
@given(low=gains, high=gains, period=periods, duty=st.floats(0.01, 0.99), cycles=st.integers(1, 30))
def test_gain_cycle_period_drops_and_length(low, high, period, duty, cycles):
    c = GainCycle(low=low, high=high, period=period, duty=duty, cycles=cycles)
    assert c.T == c.duration == pytest.approx(period * cycles)
    np.testing.assert_allclose(c.drop_times, (np.arange(cycles) + duty) * period)
    np.testing.assert_allclose(c.end_times, (np.arange(cycles) + 1) * period)
    eps = 1e-6 * period
    before, after = c.values(c.drop_times - eps), c.values(c.drop_times + eps)
    np.testing.assert_array_equal(before, high)  # high for the first duty of each period,
    np.testing.assert_array_equal(after, low)  # then low
    np.testing.assert_array_equal(c.values(c.end_times - eps), low)  # each cycle ends low
    assert c.is_constant == (low == high)


@FAST
@given(mean=gains, frac=st.floats(0.0, 1.0), period=periods, phase=st.floats(-50.0, 50.0),
       t=st.lists(times, min_size=1, max_size=8))  # fmt: skip
def test_sine_gain_stays_within_mean_plus_minus_amplitude(mean, frac, period, phase, t):
    amp = frac * mean  # amplitude <= mean: the gain stays >= 0
    s = SineGain(mean=mean, amplitude=amp, period=period, phase=phase)
    v = s.values(np.array(t))
    assert _bounds_ok(v, max(0.0, mean - amp), mean + amp)
    assert s.is_constant == (amp == 0)
    if s.is_constant:
        np.testing.assert_array_equal(v, mean)
    t0 = np.array(t[:1]) % 100.0
    np.testing.assert_allclose(s.values(t0 + period), s.values(t0), atol=1e-9 * (1 + mean))
    assert np.all(s.sample(5, 0.1) >= 0)


@FAST
@given(data=st.data(), n=st.integers(2, 8))
def test_piecewise_linear_gain_stays_within_its_values(data, n):
    steps = data.draw(st.lists(st.floats(0.01, 10.0), min_size=n - 1, max_size=n - 1), label="steps")
    knots = np.concatenate([[0.0], np.cumsum(steps)])
    assume(np.all(np.diff(knots) > 0))
    vals = data.draw(st.lists(gains, min_size=n, max_size=n), label="values")
    s = PiecewiseLinearGain(knots, vals)
    assert s.duration == knots[-1]
    t = np.array(data.draw(st.lists(st.floats(0.0, float(knots[-1])), min_size=1, max_size=8), label="t"))
    assert _bounds_ok(s.values(t), min(vals), max(vals))
    np.testing.assert_allclose(s.values(knots), vals, atol=1e-12)
    assert s.is_constant == (len(set(vals)) == 1)
    if s.is_constant:
        np.testing.assert_array_equal(s.values(t), vals[0])


# --- the IDX reader -----------------------------------------------------------------------------------------


def _idx_bytes(arr: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, arr.ndim]) + b"".join(int(d).to_bytes(4, "big") for d in arr.shape)
    return header + arr.astype(np.uint8).tobytes()


small_uint8 = hnp.arrays(np.uint8, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=6))


@FAST
@given(arr=small_uint8, gz=st.booleans())
def test_idx_round_trip(arr, gz):
    raw = _idx_bytes(arr)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a-idx-ubyte"
        path.write_bytes(gzip.compress(raw) if gz else raw)
        got = read_idx(path)
    assert got.dtype == np.uint8 and got.shape == arr.shape
    np.testing.assert_array_equal(got, arr)


@FAST
@given(data=st.data(), arr=small_uint8, gz=st.booleans())
def test_idx_any_truncation_is_a_data_error(data, arr, gz):
    raw = _idx_bytes(arr)
    raw = gzip.compress(raw) if gz else raw
    cut = data.draw(st.integers(0, len(raw) - 1), label="cut")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a-idx-ubyte"
        path.write_bytes(raw[:cut])
        with pytest.raises(DataError) as err:
            read_idx(path)
    assert str(path) in str(err.value) and "\n" not in str(err.value)


@FAST
@given(dims=st.lists(st.integers(1, 2**32 - 1), min_size=1, max_size=4), extra=st.binary(max_size=64))
def test_idx_any_header_is_checked_against_the_data_size(dims, extra):
    header = bytes([0, 0, 0x08, len(dims)]) + b"".join(d.to_bytes(4, "big") for d in dims)
    assume(math.prod(dims) != len(extra))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "a-idx-ubyte"
        path.write_bytes(header + extra)
        with pytest.raises(DataError, match=rf"header declares .* = {math.prod(dims)} bytes of data, the file has"):
            read_idx(path)


# --- the accuracy indices -----------------------------------------------------------------------------------


def _sets(binary: bool):
    """Two sets of the same shape (n, N_v), +-1 or continuous in [-1, 1]."""

    @st.composite
    def make(draw):
        n, nv = draw(st.integers(2, 10)), draw(st.integers(1, 6))
        if binary:
            elems = st.sampled_from([-1.0, 1.0])
        else:
            elems = st.floats(-1.0, 1.0, allow_nan=False, width=32)
        a = draw(hnp.arrays(np.float64, (n, nv), elements=elems))
        b = draw(hnp.arrays(np.float64, (n, nv), elements=elems))
        return a, b

    return make()


@FAST
@given(ab=_sets(binary=False))
def test_e2_and_es_nonnegative_symmetric_zero_on_identical(ab):
    a, b = ab
    for f in (e2, es):
        v = f(a, b)
        assert v >= 0 and math.isfinite(v)
        assert f(b, a) == v
        assert f(a, a) == 0.0


@FEW
@given(ab=st.one_of(_sets(binary=True), _sets(binary=False)))
def test_adversarial_accuracies_in_unit_interval_and_swap(ab):
    a, b = ab
    t, s = adversarial_accuracy(a, b)
    assert 0.0 <= t <= 1.0 and 0.0 <= s <= 1.0
    assert adversarial_accuracy(b, a) == (s, t)  # the two sets' roles swap
    assert adversarial_accuracy(a, a) == (0.0, 0.0)  # every point's copy in the other set ties


@FEW
@given(ab=_sets(binary=True), seed=seeds)
def test_indices_do_not_depend_on_row_order(ab, seed):
    a, b = ab
    rng = np.random.default_rng(seed)
    pa, pb = a[rng.permutation(len(a))], b[rng.permutation(len(b))]
    x, y = accuracy_indices(a, b), accuracy_indices(pa, pb)
    for key in ("E2", "Es", "AA_truth", "AA_syn", "EAAI"):  # ER is gzip of the rows in order: it may change
        assert y[key] == pytest.approx(x[key], rel=1e-9, abs=1e-12), key
    assert 0.0 <= x["EAAI"] <= 0.5
    assert er(a, a) == 0.0
