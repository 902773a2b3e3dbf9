"""The four accuracy indices on hand-made cases with known answers, and a brute-force reference for AAI."""

from __future__ import annotations

import gzip
import struct

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from neurochaos.errors import DataError, ExecutorUnavailableError
from neurochaos.metrics import KEYS, aai, accuracy_indices, adversarial_accuracy, e2, er, es


def spins(rng, n, d, p_up=0.5):
    return np.where(rng.random((n, d)) < p_up, 1.0, -1.0)


def brute_force_aa(data, gen, metric):
    """Reference AA_truth / AA_syn from the full (2n x 2n) distance matrix; ties go to the other set."""
    both = np.vstack([data, gen])
    dist = cdist(both, both, metric=metric)
    np.fill_diagonal(dist, np.inf)
    n = len(data)
    truth = np.mean(dist[:n, :n].min(1) < dist[:n, n:].min(1))
    syn = np.mean(dist[n:, n:].min(1) < dist[n:, :n].min(1))
    return truth, syn


def test_identical_sets_give_zero_errors_and_all_ties():
    x = spins(np.random.default_rng(0), 300, 40)
    assert len({r.tobytes() for r in x}) == 300  # no duplicates, so every nearest neighbour is the copy
    res = accuracy_indices(x, x.copy())
    assert res["E2"] == 0.0 and res["Es"] == pytest.approx(0.0, abs=1e-12) and res["ER"] == 0.0
    # each point's copy in the other set is at distance 0: a tie with nothing closer -> the other set
    assert (res["AA_truth"], res["AA_syn"], res["EAAI"]) == (0.0, 0.0, 0.5)


def test_identical_continuous_sets_tie_exactly_under_euclidean_distance():
    x = np.random.default_rng(1).uniform(-1, 1, (200, 30))
    res = accuracy_indices(x, x.copy())
    assert (res["AA_truth"], res["AA_syn"]) == (0.0, 0.0)
    assert res["E2"] == 0.0


def test_disjoint_well_separated_sets_are_perfectly_classified():
    rng = np.random.default_rng(2)
    data = spins(rng, 100, 50, p_up=0.95)  # mostly +1
    gen = spins(rng, 100, 50, p_up=0.05)  # mostly -1
    res = accuracy_indices(data, gen)
    assert (res["AA_truth"], res["AA_syn"], res["EAAI"]) == (1.0, 1.0, 0.5)
    cont = accuracy_indices(0.9 * data, 0.9 * gen)  # not +-1: Euclidean
    assert (cont["AA_truth"], cont["AA_syn"], cont["EAAI"]) == (1.0, 1.0, 0.5)


def test_copies_of_the_training_set_are_caught_only_against_the_training_set():
    rng = np.random.default_rng(3)
    prototypes = spins(rng, 5, 100)
    noisy = lambda n: prototypes[rng.integers(0, 5, n)] * np.where(rng.random((n, 100)) < 0.1, -1, 1)  # noqa: E731
    train, test = noisy(400), noisy(400)
    memorised = train.copy()
    against_train = accuracy_indices(train, memorised)
    against_test = accuracy_indices(test, memorised)
    assert against_train["AA_syn"] == 0.0 and against_train["AA_truth"] == 0.0
    assert 0.3 < against_test["AA_syn"] < 0.7 and against_test["EAAI"] < 0.05  # looks like fresh data


def test_aai_tiny_case_by_hand():
    data = np.array([[1, 1, 1, 1], [1, 1, 1, -1]], float)
    gen = np.array([[1, 1, -1, -1], [-1, -1, -1, -1]], float)
    # Hamming: d0-d1 1, d0-g0 2, d0-g1 4, d1-g0 1, d1-g1 3, g0-g1 2
    # d0: data at 1 < gen at 2 -> data; d1: data at 1 == gen at 1 -> tie -> other set
    # g0: gen at 2 > data at 1 -> data; g1: gen at 2 < data at 3 -> gen
    assert adversarial_accuracy(data, gen) == (0.5, 0.5)
    assert aai(data, gen) == 0.0
    # the same points scaled by 1/2 are not +-1: squared Euclidean = Hamming, same answer and same ties
    assert adversarial_accuracy(0.5 * data, 0.5 * gen) == (0.5, 0.5)


def test_e2_and_es_tiny_cases_by_hand():
    data = np.array([[1, 1], [-1, -1]], float)  # C = [[1, 1], [1, 1]], spectrum (2, 0)
    gen = np.array([[1, -1], [-1, 1]], float)  # C = [[1, -1], [-1, 1]], spectrum (2, 0)
    assert e2(data, gen) == 2.0  # off-diagonals differ by 2: (0 + 4 + 4 + 0) / 4
    assert es(data, gen) == pytest.approx(0.0, abs=1e-12)  # same spectrum, different covariance
    const = np.array([[1, 1], [1, 1]], float)  # C = 0, spectrum (0, 0)
    assert e2(data, const) == 1.0 and es(data, const) == pytest.approx(2.0)  # (4 + 0) / 2
    three = np.array([[1, 1, 1], [1, -1, -1], [-1, 1, -1], [-1, -1, 1]], float)  # uncorrelated, C = I
    assert e2(three, np.ones((4, 3))) == pytest.approx(1 / 3) and es(three, np.ones((4, 3))) == pytest.approx(1.0)


def test_er_sign_and_size_on_repeated_samples():
    x = spins(np.random.default_rng(4), 200, 64)
    assert er(x, x) == 0.0
    # Convention changed: E_R now compares n = min(n_D, n_G) rows of each set, so the old input
    # np.vstack([x, x]) (400 rows against 200) would be cut to a random half. The same idea at equal
    # sizes: 200 rows holding 100 images twice, half the information, about half the bytes per row.
    # The bytes also changed (FeF's int32 per pixel instead of packed bits): each repeated row now costs a
    # back-reference of about a fifth of a fresh row, so -0.32 here instead of the old packed-bit -0.5.
    repeated = np.vstack([x[:100], x[:100]])
    assert -0.5 < er(x, repeated) < -0.25
    assert er(x, np.ones_like(x)) < -0.9  # one repeated image: far too repetitive
    assert er(np.ones_like(x), x) > 5  # noise against constant data: far too noisy


@pytest.mark.parametrize("binary", [True, False])
@pytest.mark.parametrize("chunk", [1, 7, 2048])
def test_chunked_aai_matches_a_brute_force_reference(binary, chunk):
    rng = np.random.default_rng(5)
    if binary:  # few pixels: many ties, which the reference breaks the same way
        data, gen = spins(rng, 60, 6), spins(rng, 60, 6, p_up=0.3)
        metric = "hamming"
    else:
        data, gen = rng.uniform(-1, 1, (60, 5)), rng.uniform(-0.5, 1, (60, 5))
        gen[:10] = data[:10]  # a few exact copies: ties at distance 0
        metric = "sqeuclidean"
    assert adversarial_accuracy(data, gen, chunk=chunk) == pytest.approx(brute_force_aa(data, gen, metric))


def test_different_sizes_use_a_seeded_subset_of_the_larger_set():
    rng = np.random.default_rng(6)
    data, gen = spins(rng, 30, 20), spins(rng, 90, 20)
    a = adversarial_accuracy(data, gen, seed=1)
    assert a == adversarial_accuracy(data, gen, seed=1)
    values = {adversarial_accuracy(data, gen, seed=s) for s in range(5)}
    assert all(v[0] * 30 == round(v[0] * 30) for v in values)  # fractions of n = min(30, 90) = 30 points
    assert len(values) > 1


def test_binary_true_compares_signs():
    rng = np.random.default_rng(7)
    data, gen = rng.uniform(-1, 1, (50, 12)), rng.uniform(-1, 1, (50, 12))
    assert adversarial_accuracy(data, gen, binary=True) == adversarial_accuracy(np.sign(data), np.sign(gen))


def test_bad_inputs_raise_data_errors_naming_the_argument():
    x = spins(np.random.default_rng(8), 10, 4)
    nan = x.copy()
    nan[0, 0] = np.nan
    with pytest.raises(DataError, match=r"`generated` must be finite \(no NaN or inf\), got 'array with 1 non-finite"):
        accuracy_indices(x, nan)
    with pytest.raises(DataError, match=r"`generated` must be of shape \(n, 4\) like `data`, got 'shape \(10, 5\)'"):
        accuracy_indices(x, np.ones((10, 5)))
    with pytest.raises(DataError, match="`data` must be an array with at least 2 rows"):
        accuracy_indices(x[:1], x)
    big = x.copy()
    big[0, 0] = 3.0
    with pytest.raises(DataError, match=r"`data` must be in \[-1, 1\], got 'values in \[-1, 3\]'"):
        accuracy_indices(big, x)
    with pytest.raises(DataError, match="`data` must be a 2-D array"):
        accuracy_indices(x.ravel(), x)


def test_cuda_request_without_a_gpu_says_so():
    import torch

    if torch.cuda.is_available():
        pytest.skip("a CUDA GPU is present")
    x = spins(np.random.default_rng(9), 10, 4)
    with pytest.raises(ExecutorUnavailableError, match="needs CUDA"):
        accuracy_indices(x, x, device="cuda")


@pytest.mark.gpu
def test_cuda_gives_the_cpu_answer():
    rng = np.random.default_rng(10)
    data, gen = spins(rng, 500, 100), rng.uniform(-1, 1, (700, 100))
    cpu, gpu = accuracy_indices(data, gen), accuracy_indices(data, gen, device="cuda")
    assert gpu == pytest.approx(cpu, rel=1e-6, abs=1e-9)


# --- neurochaos evaluate ----------------------------------------------------------------------------------


def test_evaluate_cli_prints_the_indices_as_json(tmp_path, capsys):
    pytest.importorskip("sklearn")
    import json

    from neurochaos.cli import main
    from neurochaos.data import load_dataset

    train = load_dataset("digits").x_train
    np.savez(tmp_path / "samples.npz", samples=train)  # every training image, copied
    assert main(["evaluate", str(tmp_path / "samples.npz"), "--data", "digits", "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert set(res) >= {"E2", "Es", "ER", "EAAI", "AA_truth", "AA_syn", "n_data", "n_samples", "data_source"}
    assert (res["n_data"], res["n_samples"], res["split"]) == (359, 1438, "test")
    assert main(["evaluate", str(tmp_path / "samples.npz"), "--data", "digits", "--split", "train", "--json",
                 "--out", str(tmp_path / "res.json")]) == 0  # fmt: skip
    copied = json.loads(capsys.readouterr().out)
    assert copied["AA_syn"] == 0.0 < 0.2 < res["AA_syn"]  # copies are caught against the train split only
    assert json.loads((tmp_path / "res.json").read_text())["AA_syn"] == copied["AA_syn"]


def test_evaluate_cli_reads_x_from_a_sample_file_against_mnist(tmp_path, capsys, mnist_dir):
    import json

    from neurochaos.cli import main

    np.savez(tmp_path / "s.npz", x=spins(np.random.default_rng(11), 200, 784, p_up=0.2))
    assert main(["evaluate", str(tmp_path / "s.npz"), "--data", "mnist", "--data-dir", str(mnist_dir), "--json"]) == 0
    res = json.loads(capsys.readouterr().out)
    assert res["n_data"] == 2000 and res["AA_truth"] > 0.9  # noise is told apart from digits


@pytest.mark.parametrize(
    "make, message",
    [
        (None, "samples file not found"),
        (lambda p: np.savez(p, samples=np.ones((10, 63))), "`samples` must have 64 pixels per image like the digits"),
        (lambda p: np.savez(p, samples=np.full((10, 64), np.nan)), "must be finite"),
        (lambda p: np.savez(p, other=np.ones((10, 64))), "no array named 'samples' or 'x'"),
        (
            lambda p: p.write_bytes(b"not a zip file"),
            r"`samples` must be an \.npz written by neurochaos, got .*: not a zip/npz file",
        ),
        (lambda p: np.savez(p, x=np.ones((2, 10, 64))), r"last record x\[-1\]"),
    ],
)
def test_evaluate_cli_bad_input_exits_with_code_2(tmp_path, capsys, make, message):
    pytest.importorskip("sklearn")
    from neurochaos.cli import main

    path = tmp_path / "samples.npz"
    if make is not None:
        make(path)
    assert main(["evaluate", str(path), "--data", "digits", "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("neurochaos evaluate: error:")
    assert __import__("re").search(message, err), err


# --- cross-check against direct implementations (FeF conventions, written out) ---------------------------


def equal_sizes(data, gen, seed=0):
    """The documented size rule: n = min(n_D, n_G) rows of each, a sorted seeded random subset of the larger."""
    n, rng = min(len(data), len(gen)), np.random.default_rng(seed)
    cut = lambda x: x if len(x) == n else x[np.sort(rng.choice(len(x), n, replace=False))]  # noqa: E731
    return cut(data), cut(gen)


def direct_cov(x):
    """(N_v, N_v) connected covariance by broadcasting: mean over rows of (x_i - m_i)(x_j - m_j)."""
    dx = x - x.mean(0)
    return (dx[:, :, None] * dx[:, None, :]).mean(0)


def direct_size(x):
    """gzip bytes per row of x > 0 written pixel by pixel as little-endian int32 (FeF: gzip of G.int())."""
    raw = b"".join(struct.pack("<i", 1 if v > 0 else 0) for v in x.ravel())
    return len(gzip.compress(raw, compresslevel=9, mtime=0)) / len(x)


def direct_aa(data, gen, binary):
    """(AA_truth, AA_syn) by a double loop over the 2n points; Hamming or squared Euclidean from differences,
    compared exactly; a tie goes to the other set (the point counts only if its own set is strictly closer)."""
    pts = np.vstack([np.where(data > 0, 1, -1), np.where(gen > 0, 1, -1)] if binary else [data, gen])
    n = len(data)
    dist = (lambda a, b: int(np.sum(a != b))) if binary else (lambda a, b: float(np.sum((a - b) ** 2)))
    wins = []
    for i in range(2 * n):
        same = range(n) if i < n else range(n, 2 * n)
        other = range(n, 2 * n) if i < n else range(n)
        wins.append(min(dist(pts[i], pts[j]) for j in same if j != i) < min(dist(pts[i], pts[j]) for j in other))
    return float(np.mean(wins[:n])), float(np.mean(wins[n:]))


def direct_indices(data, gen, seed=0):
    d, g = equal_sizes(data, gen, seed)
    binary = bool(np.all(np.abs(d) == 1) and np.all(np.abs(g) == 1))
    n, k = len(d), min(len(d), d.shape[1])
    spec = [np.linalg.svd(x - x.mean(0), compute_uv=False) ** 2 / n for x in (d, g)]  # min(n, N_v) values each
    assert len(spec[0]) == len(spec[1]) == k
    t, s = direct_aa(d, g, binary)
    return {
        "E2": float(((direct_cov(d) - direct_cov(g)) ** 2).mean()),
        "Es": float(np.mean((spec[0] - spec[1]) ** 2)),
        "ER": direct_size(g) / direct_size(d) - 1.0,
        "EAAI": (t - 0.5) ** 2 + (s - 0.5) ** 2,
        "AA_truth": t,
        "AA_syn": s,
    }


def _cases():
    rng = np.random.default_rng(20)
    grid = lambda n, m: rng.integers(-2, 3, (n, m)) / 2.0  # noqa: E731  {-1, -1/2, 0, 1/2, 1}: exact real ties
    proto = np.where(rng.random((3, 30)) < 0.2, 1.0, -1.0)  # structured: 3 prototypes with flipped pixels
    noisy = lambda n: proto[rng.integers(0, 3, n)] * np.where(rng.random((n, 30)) < 0.1, -1, 1)  # noqa: E731
    cont = rng.uniform(-1, 1, (40, 8))
    offset = 0.9 + 0.1 * rng.uniform(-1, 1, (30, 12))  # large norms, small distances: cancellation in |a-b|^2
    return {
        "binary": (spins(rng, 40, 10), spins(rng, 40, 10, p_up=0.3)),  # few pixels: many Hamming ties
        "binary n < N_v": (spins(rng, 12, 40), spins(rng, 12, 40, p_up=0.3)),
        "binary unequal sizes": (spins(rng, 25, 16), spins(rng, 60, 16)),
        "structured binary, unequal": (noisy(50), noisy(35)),
        "continuous with copies": (cont, np.vstack([cont[:8], rng.uniform(-0.5, 1, (45, 8))])),
        "continuous n < N_v, unequal": (rng.uniform(-1, 1, (10, 30)), rng.uniform(-1, 1, (15, 30))),
        "continuous grid ties": (grid(40, 4), grid(40, 4)),
        "continuous offset copies": (offset, np.vstack([offset[:10], 0.9 + 0.1 * rng.uniform(-1, 1, (20, 12))])),
        "binary data vs continuous samples": (spins(rng, 30, 12), rng.uniform(-1, 1, (30, 12))),
    }


CASES = _cases()


@pytest.mark.parametrize("name", list(CASES))
def test_indices_match_a_direct_implementation(name):
    data, gen = CASES[name]
    want = direct_indices(data, gen, seed=3)
    got = accuracy_indices(data, gen, seed=3)
    assert got == pytest.approx(want, rel=1e-6, abs=1e-9)
    assert (got["ER"], got["AA_truth"], got["AA_syn"]) == (want["ER"], want["AA_truth"], want["AA_syn"])  # exact
    # the single-index functions take the same subset
    assert e2(data, gen, seed=3) == got["E2"] and es(data, gen, seed=3) == pytest.approx(got["Es"], rel=1e-12)
    assert er(data, gen, seed=3) == got["ER"]
    assert adversarial_accuracy(data, gen, seed=3) == (got["AA_truth"], got["AA_syn"])


def test_es_averages_over_min_n_nv_eigenvalues_not_a_zero_padded_nv():
    # Defect on the old code: the spectrum was padded with zeros to N_v = 40 and averaged over 40, so E_s was
    # 12/40 of FeF's MSE of the min(n, N_v) = 12 singular-value spectra.
    data, gen = CASES["binary n < N_v"]
    want = direct_indices(data, gen)["Es"]
    assert want > 0.01
    assert es(data, gen) == pytest.approx(want, rel=1e-9)


def test_all_indices_take_the_same_equal_size_subset():
    # Defect on the old code: E2, Es and ER used all rows of both sets, only AA a subset.
    rng = np.random.default_rng(21)
    data, gen = rng.uniform(-1, 1, (30, 10)), spins(rng, 70, 10)
    for seed in (0, 5):
        d, g = equal_sizes(data, gen, seed)
        assert accuracy_indices(data, gen, seed=seed) == accuracy_indices(d, g)
        assert accuracy_indices(gen, data, seed=seed) == accuracy_indices(g, d)  # the larger may be either set


def test_er_of_one_distribution_does_not_depend_on_the_set_sizes():
    # Defect on the old code: S(X) per row falls with the number of rows (gzip's header and warm-up), so 500
    # samples of the data distribution scored ER = +0.059 against 5,000 data rows; now both sets have 500 rows.
    rng = np.random.default_rng(22)
    proto = np.where(rng.random((20, 256)) < 0.15, 1.0, -1.0)
    make = lambda n: proto[rng.integers(0, 20, n)] * np.where(rng.random((n, 256)) < 0.05, -1, 1)  # noqa: E731
    data, gen = make(5000), make(500)
    assert abs(er(data, gen)) < 0.02
    assert abs(accuracy_indices(data, gen)["ER"]) < 0.02


def test_euclidean_near_ties_are_resolved_relative_to_the_distances():
    # Defect on the old code: squared distances closer than 1e-5 x 2 max|x|^2 (here 1e-3, set by the far
    # point at |x|^2 = 50) counted as ties. Point a = 0 has its own-set neighbour at 0.0999 and the
    # other set's at 0.1002: not a tie, a is recognised (old code: tie, not recognised).
    n_v = 50
    a, b1, c1 = np.zeros(n_v), np.zeros(n_v), np.zeros(n_v)
    b1[0], c1[1] = np.sqrt(0.0999), np.sqrt(0.1002)
    far = [np.ones(n_v), np.ones(n_v), -np.ones(n_v), -np.ones(n_v), -np.ones(n_v)]
    far[1][:10], far[3][:10], far[4][10:20] = 0.5, -0.5, -0.5  # pairs at squared distance 2.5 or 5
    data, gen = np.array([a, b1, far[0], far[1]]), np.array([c1, far[2], far[3], far[4]])
    want = direct_aa(data, gen, binary=False)
    # data: a (0.0999 < 0.1002), b1 (a at 0.0999), far[0] and far[1] (each other) all recognised;
    # samples: c1 has a at 0.1002 -> data; far[2..4] recognised (each other)
    assert want == (1.0, 0.75)
    assert adversarial_accuracy(data, gen) == want


def test_evaluate_samples_scores_equal_size_subsets():
    pytest.importorskip("sklearn")
    from neurochaos.data import load_dataset
    from neurochaos.metrics import evaluate_samples

    ds = load_dataset("digits")
    res = evaluate_samples(ds.x_train, data="digits", seed=2)  # 1,438 samples against 359 test images
    assert (res["n_data"], res["n_samples"], res["n_used"]) == (359, 1438, 359)
    d, g = equal_sizes(ds.x_test, ds.x_train, seed=2)
    assert {k: res[k] for k in KEYS} == accuracy_indices(d, g)
