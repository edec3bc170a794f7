"""The handwritten digits (UCI optical digits, 1,797 8x8 images), bundled in the package.

The file is scikit-learn's copy, unmodified; see data/README.txt for source, licence (CC BY 4.0)
and attribution.
"""
import gzip
from importlib import resources

import numpy as np

DIGITS_FILE = "digits.csv.gz"
DIGITS_SHA256 = "09f66e6debdee2cd2b5ae59e0d6abbb73fc2b0e0185d2e1957e9ebb51e23aa22"

_DESCR = """Optical recognition of handwritten digits (UCI ML repository; E. Alpaydin, C. Kaynak, 1998;
CC BY 4.0). 1,797 images of 8x8 pixels, each an integer 0..16 (the count of "on" pixels in a
4x4 block of a 32x32 bitmap), of the digits 0-9 written by 13 people (the UCI test set)."""


class Bunch(dict):
    """A dict whose keys are also attributes (as scikit-learn's Bunch)."""

    def __getattr__(self, key):
        try:
            return self[key]
        except KeyError:
            raise AttributeError(key) from None

    def __dir__(self):
        return list(self.keys())


def _read_rows():
    """The bundled CSV as an int64 array, one row per image: 64 pixels then the label."""
    raw = resources.files(__package__).joinpath("data", DIGITS_FILE).read_bytes()
    return np.loadtxt(gzip.decompress(raw).decode("ascii").splitlines(), delimiter=",", dtype=np.int64)


def load_digits(n_class=10, return_X_y=False):
    """The digits data set, from the copy inside the package (no network).

    Returns a Bunch with NumPy arrays (wrap them with retroprop.from_numpy, no copy):
      data    float32 (n, 64), pixel values 0..16 (divide by 16 to scale to [0, 1])
      target  int64 (n,), the digit 0..9
      images  float32 (n, 8, 8), the same pixels as `data`, as images
      target_names  int64 (n_class,);  DESCR  a description with the source
    or `(data, target)` when return_X_y. `n_class` keeps only the digits 0..n_class-1.
    Every call returns fresh arrays in the file's fixed order.
    """
    if isinstance(n_class, bool) or not isinstance(n_class, int) or not 1 <= n_class <= 10:
        raise ValueError(f"load_digits: n_class must be an int between 1 and 10, got {n_class!r}")
    rows = _read_rows()
    rows = rows[rows[:, -1] < n_class]
    data = rows[:, :-1].astype(np.float32)
    target = np.ascontiguousarray(rows[:, -1])
    if return_X_y:
        return data, target
    return Bunch(data=data, target=target, images=data.reshape(-1, 8, 8),
                 target_names=np.arange(n_class, dtype=np.int64), DESCR=_DESCR)
