"""retroprop.datasets.load_digits: the bundled file, its shapes, classes and determinism."""
import hashlib
from importlib import resources

import numpy as np
import pytest

import retroprop
from retroprop.datasets import digits, load_digits


def test_bundled_file_checksum_and_licence_beside_it():
    folder = resources.files("retroprop.datasets").joinpath("data")
    blob = folder.joinpath(digits.DIGITS_FILE).read_bytes()
    assert hashlib.sha256(blob).hexdigest() == digits.DIGITS_SHA256
    notice = folder.joinpath("README.txt").read_text()
    assert "CC BY 4.0" in notice and "Alpaydin" in notice and "BSD 3-Clause" in notice


def test_shapes_dtypes_and_value_range():
    d = load_digits()
    assert d.data.shape == (1797, 64) and d.data.dtype == np.float32
    assert d.target.shape == (1797,) and d.target.dtype == np.int64
    assert d.images.shape == (1797, 8, 8)
    np.testing.assert_array_equal(d.images.reshape(1797, 64), d.data)
    assert d.data.min() == 0 and d.data.max() == 16
    assert np.all(d.data == np.round(d.data))
    assert "Alpaydin" in d.DESCR


def test_class_counts_are_those_of_the_uci_test_set():
    counts = np.bincount(load_digits().target)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_first_image_is_a_zero_with_known_pixels():
    d = load_digits()
    assert d.target[0] == 0
    assert d.images[0, 1].tolist() == [0, 0, 13, 15, 10, 15, 5, 0]
    assert float(d.data.astype(np.float64).sum()) == 561718.0


def test_deterministic_fresh_arrays_and_return_x_y():
    a, b = load_digits(), load_digits()
    np.testing.assert_array_equal(a.data, b.data)
    a.data[0, 0] = 99
    assert load_digits().data[0, 0] == 0
    X, y = load_digits(return_X_y=True)
    assert X.shape == (1797, 64) and y.shape == (1797,)
    t = retroprop.from_numpy(X)
    assert t.shape == (1797, 64)


def test_n_class_keeps_the_first_digits_and_validates():
    X, y = load_digits(n_class=3, return_X_y=True)
    assert set(y.tolist()) == {0, 1, 2} and len(y) == 178 + 182 + 177
    with pytest.raises(ValueError, match="n_class"):
        load_digits(n_class=11)


def test_matches_scikit_learn_when_installed():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    ref = sklearn_datasets.load_digits()
    d = load_digits()
    np.testing.assert_array_equal(d.data, ref.data)
    np.testing.assert_array_equal(d.target, ref.target)
