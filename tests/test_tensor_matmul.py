"""The first Tensor: zero-copy NumPy interop, shape/dtype/.T, and matmul (@, retroprop.matmul)
through retroprop's GEMM, including non-contiguous operands and the errors torch users expect.
Tolerance as tests/core/test_gemm.py: 8*sqrt(k+1)*eps*(|A||B|) per element."""
import numpy as np
import pytest

import retroprop


def assert_product(got, a, b):
    got = np.asarray(got)
    want = a.astype(np.float64) @ b.astype(np.float64)
    eps = np.finfo(got.dtype).eps
    tol = 8 * np.sqrt(a.shape[1] + 1) * eps * (np.abs(a).astype(np.float64) @ np.abs(b).astype(np.float64)) + np.finfo(got.dtype).tiny
    assert got.shape == want.shape and got.dtype == a.dtype
    assert np.all(np.abs(got - want) <= tol)


def test_from_numpy_shares_memory_and_numpy_returns_it():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    t = retroprop.from_numpy(x)
    assert t.numpy() is x
    x[0, 0] = 42
    assert t.numpy()[0, 0] == 42
    assert t.shape == (2, 3) and t.dtype == np.float32
    with pytest.raises(TypeError, match="from_numpy"):
        retroprop.from_numpy([1.0, 2.0])


def test_tensor_copies_and_defaults_python_floats_to_float32():
    x = np.ones((2, 2))
    t = retroprop.tensor(x)
    assert not np.shares_memory(t.numpy(), x) and t.dtype == np.float64
    assert retroprop.tensor([[1.0, 2.0]]).dtype == np.float32
    assert retroprop.tensor([[1, 2]], dtype=np.float64).dtype == np.float64


def test_transpose_is_a_view():
    x = np.arange(6, dtype=np.float64).reshape(2, 3)
    t = retroprop.from_numpy(x).T
    assert t.shape == (3, 2) and np.shares_memory(t.numpy(), x)
    np.testing.assert_array_equal(t.numpy(), x.T)
    # torch (deprecated, with a warning) reverses all dimensions of an n-d tensor; so does retroprop
    assert retroprop.from_numpy(np.ones((2, 3, 4))).T.shape == (4, 3, 2)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("m,n,k", [(1, 1, 1), (3, 5, 7), (32, 10, 512), (64, 512, 784), (129, 257, 65)])
def test_matmul_operator_and_function(m, n, k, dtype):
    rng = np.random.default_rng(m + n + k)
    a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    ta, tb = retroprop.from_numpy(a), retroprop.from_numpy(b)
    out = ta @ tb
    assert isinstance(out, retroprop.Tensor)
    assert_product(out.numpy(), a, b)
    assert_product(retroprop.matmul(ta, tb).numpy(), a, b)
    assert_product((ta @ retroprop.from_numpy(b.T.copy()).T).numpy(), a, b)  # transposed view operand


@pytest.mark.parametrize("view", ["slice", "step", "negative", "transposed", "fortran"])
def test_matmul_non_contiguous_operands(view):
    rng = np.random.default_rng(1)
    base_a = rng.standard_normal((40, 60)).astype(np.float32)
    base_b = rng.standard_normal((60, 50)).astype(np.float32)
    a, b = {
        "slice": (base_a[:, 3:50], base_b[3:50, 5:20]),
        "step": (base_a[::2, ::3], base_b[::3, ::2]),
        "negative": (base_a[::-1, ::-1], base_b[::-1]),
        "transposed": (base_b.T[:, 7:30], base_a.T[7:30]),
        "fortran": (np.asfortranarray(base_a), np.asfortranarray(base_b)),
    }[view]
    before = (base_a.copy(), base_b.copy())
    assert_product(retroprop.matmul(retroprop.from_numpy(a), retroprop.from_numpy(b)).numpy(), a, b)
    assert np.array_equal(base_a, before[0]) and np.array_equal(base_b, before[1])  # inputs untouched


@pytest.mark.parametrize("shapes", [((0, 5), (5, 3)), ((4, 5), (5, 0)), ((4, 0), (0, 3)), ((0, 0), (0, 0))])
def test_matmul_zero_size_dims(shapes):
    a, b = np.ones(shapes[0], np.float32), np.ones(shapes[1], np.float32)
    out = (retroprop.from_numpy(a) @ retroprop.from_numpy(b)).numpy()
    assert out.shape == (shapes[0][0], shapes[1][1]) and out.dtype == np.float32
    np.testing.assert_array_equal(out, np.zeros(out.shape, np.float32))  # K == 0 gives zeros


def test_matmul_shape_mismatch_names_matmul_and_both_shapes():
    a, b = retroprop.from_numpy(np.ones((2, 3), np.float32)), retroprop.from_numpy(np.ones((4, 5), np.float32))
    with pytest.raises(RuntimeError, match=r"matmul.*\(2, 3\).*\(4, 5\)"):  # torch's exception type
        a @ b
    with pytest.raises(RuntimeError, match="matmul"):
        retroprop.matmul(retroprop.from_numpy(np.ones(3, np.float32)), a)


def test_matmul_dtype_errors():
    a32, a64 = np.ones((2, 2), np.float32), np.ones((2, 2), np.float64)
    with pytest.raises(RuntimeError, match=r"matmul.*float32.*float64"):  # torch's exception type
        retroprop.from_numpy(a32) @ retroprop.from_numpy(a64)
    ints = np.arange(4, dtype=np.int64).reshape(2, 2)  # integer products work, as in torch (NumPy, no GEMM)
    np.testing.assert_array_equal((retroprop.from_numpy(ints) @ retroprop.from_numpy(ints)).numpy(), ints @ ints)
