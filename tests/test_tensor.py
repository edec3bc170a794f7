"""Tensor attributes, conversions, Python protocols, repr, devices and .data/.grad assignment."""
import numpy as np
import pytest

import retroprop as rp


def test_attributes():
    t = rp.zeros(2, 3)
    assert t.shape == (2, 3) and t.size() == (2, 3) and t.size(1) == 3 and t.size(-1) == 3
    assert t.dim() == t.ndim == 2 and t.numel() == 6 and rp.numel(t) == 6
    assert t.dtype == rp.float32 == rp.float and t.is_leaf and t.grad is None and not t.requires_grad
    assert t.device == rp.device("cpu") and str(t.device) == "cpu" and not t.is_cuda
    with pytest.raises(IndexError):
        t.size(2)
    assert rp.tensor(1.0).shape == () and rp.tensor(1.0).dim() == 0


def test_requires_grad_and_leaf_flags():
    t = rp.ones(2).requires_grad_()
    assert t.requires_grad and t.is_leaf
    y = t * 2
    assert y.requires_grad and not y.is_leaf and y.grad_fn is not None
    with pytest.raises(RuntimeError):
        y.requires_grad_(False)
    with pytest.raises(RuntimeError, match="floating point"):
        rp.tensor([1]).requires_grad_()


def test_item_tolist_numpy_conversions():
    t = rp.tensor([[1.5]], requires_grad=True)
    assert t.item() == 1.5 and float(t) == 1.5 and int(t) == 1 and bool(t)
    assert t.tolist() == [[1.5]]
    assert t.numpy() is t._data  # zero-copy, even though it requires grad
    with pytest.raises(RuntimeError, match="2 elements"):
        rp.ones(2).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(rp.ones(2))
    assert [3, 4, 5][rp.tensor(1)] == 4  # __index__


def test_len_iter_hash():
    t = rp.arange(6).reshape(3, 2)
    assert len(t) == 3
    rows = list(t)
    assert [r.tolist() for r in rows] == [[0, 1], [2, 3], [4, 5]]
    with pytest.raises(TypeError):
        len(rp.tensor(1.0))
    with pytest.raises(TypeError):
        iter(rp.tensor(1.0))
    a, b = rp.ones(1), rp.ones(1)
    assert len({a, b}) == 2 and a in {a: 1} and b not in {a: 1}  # by identity, though a == b


def test_iteration_is_differentiable():
    x = rp.ones(3, 2, requires_grad=True)
    sum(r.sum() * i for i, r in enumerate(x)).backward()
    assert x.grad.tolist() == [[0, 0], [1, 1], [2, 2]]


def test_detach_clone_contiguous():
    x = rp.ones(2, 3, requires_grad=True)
    d = x.detach()
    assert not d.requires_grad and np.shares_memory(d.numpy(), x.numpy())
    c = x.clone()
    assert c.grad_fn.name == "CloneBackward0" and not np.shares_memory(c.numpy(), x.numpy())
    c.sum().backward()
    assert x.grad.tolist() == [[1.0] * 3] * 2
    tr = x.detach().t()
    assert not tr.is_contiguous() and tr.contiguous().is_contiguous()
    assert x.contiguous() is x


def test_to_and_dtype_conversions():
    x = rp.tensor([1.7, -2.2], requires_grad=True)
    assert x.to("cpu") is x and x.cpu() is x and x.to(rp.device("cpu")) is x and x.to(rp.float32) is x
    y = x.to(rp.float64)
    assert y.dtype == rp.float64 and y.grad_fn is not None
    (y * 2).sum().backward()
    assert x.grad.dtype == rp.float32 and x.grad.tolist() == [2.0, 2.0]
    assert x.double().dtype == rp.float64 and x.float().dtype == rp.float32
    assert x.long().tolist() == [1, -2] and x.int().dtype == rp.int32 and x.bool().dtype == rp.bool
    assert x.to("cpu", rp.float64).dtype == rp.float64 and x.to(dtype=rp.float64, device="cpu").dtype == rp.float64
    assert x.type_as(rp.zeros(1, dtype=rp.float64)).dtype == rp.float64
    assert x.to(rp.zeros(1, dtype=rp.int64)).dtype == rp.int64
    assert x.type() == "torch.FloatTensor" and x.double().type() == "torch.DoubleTensor" and x.long().type() == "torch.LongTensor"
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled.*CPU only"):  # torch's type
        x.to("cuda")
    with pytest.raises(AssertionError, match="CPU only"):
        x.cuda()


def test_devices_cuda_accelerator():
    assert rp.device("cpu") == rp.device("cpu") and repr(rp.device("cpu")) == "device(type='cpu')"
    assert rp.device(rp.device("cpu")).type == "cpu"
    for name in ("cuda", "cuda:0", "mps"):  # naming a device is fine, as on a CPU-only torch
        assert str(rp.device(name)) == name
    assert rp.cuda.is_available() is False and rp.accelerator.is_available() is False
    rp.set_default_device("cpu")
    with pytest.raises(AssertionError, match="CPU only"):
        rp.set_default_device("cuda")


def test_grad_assignment_rules():
    p = rp.zeros(2, requires_grad=True)
    p.grad = rp.ones(2)
    assert p.grad.tolist() == [1, 1]
    p.grad = None
    assert p.grad is None
    with pytest.raises(TypeError):
        p.grad = 3
    with pytest.raises(TypeError):
        p.grad = np.ones(2)
    with pytest.raises(RuntimeError, match="size"):
        p.grad = rp.ones(3)
    with pytest.raises(RuntimeError, match="dtype"):
        p.grad = rp.ones(2, dtype=rp.float64)


def test_data_read_and_assign():
    p = rp.ones(2, requires_grad=True)
    d = p.data
    assert not d.requires_grad and np.shares_memory(d.numpy(), p.numpy())
    d.mul_(3)  # in place on .data: allowed, not tracked
    assert p.tolist() == [3, 3]
    p.data = rp.zeros(4)
    assert p.shape == (4,) and p.requires_grad
    with pytest.raises(TypeError):
        p.data = [1, 2]


REPRS = [
    (lambda t: t.tensor([1.0, 2.0]), None),
    (lambda t: t.tensor([0.12345, 1.0]), None),
    (lambda t: t.tensor(3.0), None),
    (lambda t: t.tensor([1, 2]), None),
    (lambda t: t.tensor([True, False]), None),
    (lambda t: t.tensor([1.0, 2.5], dtype=t.float64), None),
    (lambda t: t.tensor([1, 2], dtype=t.int32), None),
    (lambda t: t.tensor([1.0, 2.0], requires_grad=True), None),
    (lambda t: t.tensor([1.0, 2.0], requires_grad=True).sum(), None),
    (lambda t: t.zeros(0, 3), None),
    (lambda t: t.zeros(0), None),
    (lambda t: t.tensor([[1.5, 2.0], [3.0, -4.25]]), None),
]


@pytest.mark.parametrize("make", [m for m, _ in REPRS])
def test_repr_matches_torch(make):
    torch = pytest.importorskip("torch")
    assert repr(make(rp)) == repr(make(torch))


def test_repr_of_max_return_type():
    torch = pytest.importorskip("torch")
    x = [[1.0, 3.0], [4.0, 2.0]]
    assert repr(rp.tensor(x).max(1)) == repr(torch.tensor(x).max(1))
    values, indices = rp.tensor(x).min(dim=0)
    assert values.tolist() == [1.0, 2.0] and indices.tolist() == [0, 1]
    r = rp.tensor(x).max(1)
    assert r.values.tolist() == [3.0, 4.0] and r.indices.dtype == rp.int64


def test_set_default_dtype_changes_float_factories():
    try:
        rp.set_default_dtype(rp.float64)
        assert rp.tensor([1.0]).dtype == rp.float64 and rp.zeros(1).dtype == rp.float64
        assert rp.get_default_dtype() == rp.float64
    finally:
        rp.set_default_dtype(rp.float32)
    with pytest.raises(TypeError):
        rp.set_default_dtype(rp.int64)


def test_legacy_tensor_constructor():
    assert rp.Tensor([1, 2]).dtype == rp.float32
    assert isinstance(rp.zeros(1), rp.Tensor) and rp.is_tensor(rp.zeros(1)) and not rp.is_tensor(1)


def test_format_of_scalars_and_python_builtins():
    loss = rp.tensor(0.123456)
    assert f"{loss:.3f}" == "0.123" and f"{rp.tensor(7):d}" == "7" and f"{rp.ones(2)}" == repr(rp.ones(2))
    ts = [rp.tensor(1.0), rp.tensor(2.0)]
    assert sum(ts).item() == 3.0 and max(ts) is ts[1]  # builtins through __radd__ and __gt__ -> bool
    assert 2.0 in rp.tensor([1.0, 2.0])
