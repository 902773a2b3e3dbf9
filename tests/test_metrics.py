"""The four accuracy indices on hand-made cases with known answers, and a brute-force reference for AAI."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.spatial.distance import cdist

from neurochaos.errors import DataError, ExecutorUnavailableError
from neurochaos.metrics import aai, accuracy_indices, adversarial_accuracy, e2, er, es


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
    repeated = np.vstack([x, x])  # twice the rows, the same information: about half the bytes per row
    assert er(x, repeated) == pytest.approx(-0.5, abs=0.05)
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
        (lambda p: p.write_bytes(b"not a zip file"), "cannot read samples file"),
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
