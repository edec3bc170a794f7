"""Creation functions: shapes (varargs, tuples, 0-d), dtypes, device=, requires_grad=, seeding."""
import numpy as np
import pytest

import retroprop as rp

SIZED = [rp.zeros, rp.ones, rp.empty, rp.rand, rp.randn]


@pytest.mark.parametrize("fn", SIZED, ids=lambda f: f.__name__)
def test_sizes_as_varargs_tuple_list_and_0d(fn):
    assert fn(2, 3).shape == (2, 3)
    assert fn((2, 3)).shape == (2, 3)
    assert fn([4]).shape == (4,)
    assert fn(()).shape == () and fn(()).dim() == 0
    assert fn(0, 3).shape == (0, 3)
    assert fn(size=(2, 1)).shape == (2, 1)


@pytest.mark.parametrize("fn", SIZED, ids=lambda f: f.__name__)
def test_dtype_device_requires_grad(fn):
    t = fn(2, dtype=rp.float64, device="cpu", requires_grad=True)
    assert t.dtype == rp.float64 and t.requires_grad and t.is_leaf
    assert fn(2).dtype == rp.float32
    assert fn(2, device=rp.device("cpu")).device == rp.device("cpu")
    with pytest.raises(AssertionError, match="CPU only"):  # torch: AssertionError, not compiled with CUDA
        fn(2, device="cuda")


def test_values_of_fixed_factories():
    np.testing.assert_array_equal(rp.zeros(2, 2).numpy(), 0)
    np.testing.assert_array_equal(rp.ones(3).numpy(), 1)
    assert rp.full((2,), 3).dtype == rp.int64 and rp.full((2,), 3).tolist() == [3, 3]
    assert rp.full((), 2.5).item() == 2.5 and rp.full((), 2.5).dtype == rp.float32
    assert rp.full((2,), True).dtype == rp.bool
    assert rp.eye(2).tolist() == [[1, 0], [0, 1]]


def test_tensor_infers_torch_dtypes_and_copies():
    assert rp.tensor([1.0, 2.0]).dtype == rp.float32
    assert rp.tensor([1, 2]).dtype == rp.int64
    assert rp.tensor([True]).dtype == rp.bool
    assert rp.tensor(3.0).shape == ()
    assert rp.tensor(np.zeros(2)).dtype == rp.float64  # a NumPy array keeps its dtype
    a = np.zeros(2, np.float32)
    t = rp.tensor(a)
    a[0] = 5
    assert t[0].item() == 0
    assert rp.tensor([[1, 2]], dtype=rp.float64).dtype == rp.float64
    assert rp.tensor([rp.tensor(1.0), rp.tensor(2.0)]).tolist() == [1.0, 2.0]
    with pytest.raises(RuntimeError, match="floating point"):
        rp.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match="floating point"):
        rp.zeros(2, dtype=rp.long, requires_grad=True)


def test_python_types_as_dtype_mean_what_torch_makes_of_them():
    assert rp.zeros(1, dtype=float).dtype == rp.float64
    assert rp.zeros(1, dtype=int).dtype == rp.int64
    assert rp.zeros(1, dtype=bool).dtype == rp.bool


def test_from_numpy_and_dlpack_share_memory():
    a = np.arange(4.0)
    t = rp.from_numpy(a)
    a[0] = 7
    assert t[0].item() == 7 and t.numpy() is a
    u = rp.from_dlpack(a)
    assert np.shares_memory(u.numpy(), a)
    assert np.shares_memory(np.from_dlpack(t), a)
    assert np.shares_memory(np.asarray(t), a)
    with pytest.raises(TypeError):
        rp.from_numpy([1, 2])


def test_dlpack_with_torch():
    torch = pytest.importorskip("torch")
    t = rp.arange(3.0)
    tt = torch.from_dlpack(t)
    assert tt.tolist() == [0.0, 1.0, 2.0]
    back = rp.from_dlpack(torch.ones(2))
    assert back.tolist() == [1.0, 1.0]


def test_arange_linspace_match_torch():
    torch = pytest.importorskip("torch")
    for args in [(5,), (2, 7), (0, 1, 0.25), (5, 0, -2), (1.0, 2.5, 0.5)]:
        r, t = rp.arange(*args), torch.arange(*args)
        assert r.tolist() == pytest.approx(t.tolist()) and str(t.dtype) == "torch." + str(r.dtype)
    np.testing.assert_allclose(rp.linspace(-1, 1, 7).numpy(), torch.linspace(-1, 1, 7).numpy(), rtol=1e-6, atol=1e-7)
    # atol: torch steps in float32, we in float64 then round; they differ by an ulp near 0
    assert rp.linspace(0, 1, 5, dtype=rp.float64).dtype == rp.float64
    assert rp.arange(3, dtype=rp.float32).dtype == rp.float32


def test_randint_forms_and_range():
    assert rp.randint(5, (100,)).dtype == rp.int64
    x = rp.randint(3, 6, (1000,))
    assert x.min().item() >= 3 and x.max().item() <= 5 and len(set(x.tolist())) == 3
    assert rp.randint(0, 2, size=(2, 2)).shape == (2, 2)
    with pytest.raises(RuntimeError):
        rp.randint(5, 5, (2,))


def test_random_distributions_are_plausible():
    rp.manual_seed(0)
    u, n = rp.rand(20000), rp.randn(20000)
    # 20000 samples: the standard error of the mean is < 0.01, so 0.03 is a 3+ sigma bound.
    assert 0 <= u.min().item() and u.max().item() < 1 and abs(u.mean().item() - 0.5) < 0.03
    assert abs(n.mean().item()) < 0.03 and abs(n.std().item() - 1) < 0.03


def test_manual_seed_repeats_and_generator_is_independent():
    rp.manual_seed(123)
    a = rp.randn(5), rp.rand(3), rp.randint(0, 10, (4,)), rp.randperm(6)
    rp.manual_seed(123)
    b = rp.randn(5), rp.rand(3), rp.randint(0, 10, (4,)), rp.randperm(6)
    for x, y in zip(a, b):
        assert x.tolist() == y.tolist()
    g1, g2 = rp.Generator().manual_seed(7), rp.Generator().manual_seed(7)
    rp.manual_seed(0)
    x = rp.randn(4, generator=g1)
    rp.randn(10)  # the global stream does not disturb g2
    assert rp.randn(4, generator=g2).tolist() == x.tolist()


def test_like_functions_keep_shape_and_dtype():
    x = rp.ones(2, 3, dtype=rp.float64)
    for fn in (rp.zeros_like, rp.ones_like, rp.empty_like, rp.rand_like, rp.randn_like):
        y = fn(x)
        assert y.shape == (2, 3) and y.dtype == rp.float64
        assert fn(x, dtype=rp.float32).dtype == rp.float32
        assert fn(x, requires_grad=True).requires_grad
    assert rp.full_like(x, 4).tolist() == [[4.0] * 3] * 2
    r = rp.randint_like(x, 2, 5)
    assert r.dtype == rp.float64 and 2 <= r.min().item() and r.max().item() < 5
    assert rp.randint_like(x, 3).max().item() < 3


def test_negative_size_is_an_error():
    with pytest.raises(RuntimeError, match="negative dimension"):
        rp.zeros(2, -1)
    with pytest.raises(TypeError):
        rp.zeros(2.5)
