"""torch's legacy construction and metadata: Tensor(...), FloatTensor & co, Size, dtype, finfo/iinfo,
and devices that can be named but not used. Scripts written against torch rely on each of these."""
import pickle

import numpy as np
import pytest

import retroprop as rp
from retroprop import nn


def _err(fn):
    """The exception type fn raises (None when it returns)."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001  (the type is what is compared)
        return type(e)
    return None


# --- Tensor(...) ----------------------------------------------------------------------------------
def test_tensor_ctor_sizes_and_data_match_torch():
    torch = pytest.importorskip("torch")
    cases = [lambda T, S: T(2, 3), lambda T, S: T(S([2, 3])), lambda T, S: T(), lambda T, S: T(0),
             lambda T, S: T([2, 3]), lambda T, S: T((2, 3)), lambda T, S: T([[1, 2], [3, 4]]),
             lambda T, S: T([True, False]), lambda T, S: T(np.array([0, 1])), lambda T, S: T(np.array([0.25, -1.5])),
             lambda T, S: T(np.array(3.0))]
    for make in cases:
        want, got = make(torch.Tensor, torch.Size), make(rp.Tensor, rp.Size)
        assert tuple(got.shape) == tuple(want.shape) and str(got.dtype) == str(want.dtype).replace("torch.", "")
        assert not got.requires_grad and got.is_leaf
        if tuple(want.shape) not in ((2, 3),):  # (2, 3) from sizes is uninitialised
            np.testing.assert_array_equal(got.numpy(), want.numpy())


def test_tensor_ctor_errors_match_torch():
    """Tensor(2, 3) used to return the 0-d tensor 2.0 requiring grad; now each bad form raises as in torch."""
    torch = pytest.importorskip("torch")
    bad = [lambda T: T(2.5), lambda T: T(np.float64(1.0)), lambda T: T("ab"), lambda T: T(2, 3.0),
           lambda T: T([1], [2]), lambda T: T([1.0], True), lambda T: T([1.0], requires_grad=True), lambda T: T(-1),
           lambda T: T(2, dtype=torch.float64 if T is torch.Tensor else rp.float64)]
    for make in bad:
        want = _err(lambda: make(torch.Tensor))
        assert want is not None and _err(lambda: make(rp.Tensor)) is want
    with pytest.raises(AssertionError, match="CUDA"):
        rp.Tensor(2, device="cuda")
    assert rp.Tensor(2, device="cpu").shape == (2,)
    assert rp.Tensor(size=(2, 3)).shape == torch.Tensor(size=(2, 3)).shape == (2, 3)


def test_tensor_ctor_of_tensor_aliases_and_ndarray_float32_shares():
    a = rp.tensor([1, 2])
    b = rp.Tensor(a)  # torch: an alias keeping the dtype (int64 here)
    assert b is not a and b.dtype == rp.int64 and np.shares_memory(a.numpy(), b.numpy())
    b.add_(1)
    assert a.tolist() == [2, 3] and a._version == b._version
    n = np.zeros(2, np.float32)
    t = rp.Tensor(n)
    n[0] = 5  # a float32 array is shared, as torch does
    assert t.tolist() == [5.0, 0.0]
    rp.set_default_dtype(rp.float64)
    try:
        assert rp.Tensor([1, 2]).dtype == rp.float64 and rp.Tensor(2).dtype == rp.float64
    finally:
        rp.set_default_dtype(rp.float32)


def test_parameter_keeps_its_data_dtype():
    """Parameter builds through Tensor._init, not the legacy constructor (so no cast, no shape reading)."""
    p = nn.Parameter(rp.zeros(2, 3, dtype=rp.float64))
    assert p.dtype == rp.float64 and p.shape == (2, 3) and p.requires_grad
    assert nn.Parameter().shape == (0,) and nn.Parameter(rp.ones(2), requires_grad=False).requires_grad is False


# --- legacy typed classes, .type(), .new() ----------------------------------------------------------
NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "ByteTensor", "CharTensor", "ShortTensor", "IntTensor",
         "LongTensor", "BoolTensor"]


@pytest.mark.parametrize("name", NAMES)
def test_legacy_class_construction_and_isinstance(name):
    torch = pytest.importorskip("torch")
    T, R = getattr(torch, name), getattr(rp, name)
    for args in ([[1, 0, 1]], [np.array([1.7, 0.0])], (2, 3), ()):
        want, got = T(*args), R(*args)
        assert tuple(got.shape) == tuple(want.shape) and rp._dtype.torch_name(got.dtype) == str(want.dtype)
        if args and args != (2, 3):
            np.testing.assert_array_equal(got.numpy(), want.numpy())
    for d in ("float32", "float64", "int64", "bool"):
        assert isinstance(rp.zeros(2, dtype=getattr(rp, d)), R) == isinstance(torch.zeros(2, dtype=getattr(torch, d)), T)
    assert type(R([1])) is rp.Tensor and repr(R) == repr(T)
    assert not isinstance(np.zeros(2), R)


def test_legacy_class_errors_match_torch():
    torch = pytest.importorskip("torch")
    for make in (lambda m: m.LongTensor(m.tensor([1.5])), lambda m: m.FloatTensor(2.5),
                 lambda m: m.zeros(2, dtype=m.int64).new(m.tensor([1.0]))):
        want = _err(lambda: make(torch))
        assert want is not None and _err(lambda: make(rp)) is want


def test_type_converts_and_names():
    torch = pytest.importorskip("torch")
    for m in (torch, rp):
        x = m.zeros(2)
        assert x.type() == "torch.FloatTensor" and x.long().type() == "torch.LongTensor"
        for to in (m.LongTensor, "torch.LongTensor", m.int64):
            y = x.type(to)
            assert y.type() == "torch.LongTensor" and y.tolist() == [0, 0]
        assert x.type(m.FloatTensor) is x and x.type(m.Tensor).dtype == m.float32
        assert x.type("torch.DoubleTensor").dtype == m.float64
        for bad in ("torch.float64", "float"):
            with pytest.raises(ValueError, match="invalid type"):
                x.type(bad)


def test_new_has_self_dtype():
    torch = pytest.importorskip("torch")
    for m in (torch, rp):
        x = m.zeros(2, dtype=m.int64)
        assert x.new(2, 3).shape == (2, 3) and x.new(2, 3).dtype == m.int64
        assert x.new([1.5]).tolist() == [1] and x.new().shape == (0,) and x.new(m.Size([4])).shape == (4,)
        f = m.zeros(1)
        assert f.new_tensor([1, 2]).dtype == m.float32 and f.new_empty((2, 3)).shape == (2, 3)
        assert f.new_empty(2, 3).shape == (2, 3)


# --- Size ----------------------------------------------------------------------------------------
def test_shape_and_size_are_torch_size():
    torch = pytest.importorskip("torch")
    for m in (torch, rp):
        x = m.zeros(2, 3)
        s = x.shape
        assert type(s) is m.Size and type(x.size()) is m.Size and repr(s) == str(s) == "torch.Size([2, 3])"
        assert s == (2, 3) and x.size() == (2, 3) and x.size(1) == 3 and type(x.size(-1)) is int
        assert s.numel() == 6 and type(s[1:]) is m.Size and s[1:] == (3,) and type(s[0]) is int
        assert type(s + (4,)) is m.Size and type((1,) + s) is m.Size and (1,) + s == (1, 2, 3)
        assert m.Size([2, 3]) != [2, 3] and repr(m.Size()) == "torch.Size([])" and m.Size([m.tensor(2)]) == (2,)
        with pytest.raises(TypeError, match="item 0 is 'float'"):
            m.Size([2.5])
        assert pickle.loads(pickle.dumps(m.Size([2, 3]))) == (2, 3)
    assert f"{rp.zeros(2, 3).shape}" == "torch.Size([2, 3])" and rp.Size([2]).numel() == 2


# --- dtype, finfo, iinfo --------------------------------------------------------------------------
def test_dtype_name_for_isinstance_and_annotations():
    def make(n, dtype: rp.dtype = rp.float32):
        return rp.zeros(n, dtype=dtype)
    assert make(2).dtype == rp.float32 and make(2, rp.int64).dtype == rp.int64
    for d in (rp.float16, rp.float32, rp.float64, rp.uint8, rp.int8, rp.int16, rp.int32, rp.int64, rp.bool):
        assert isinstance(d, rp.dtype)
    assert not isinstance("float32", rp.dtype) and not isinstance(np.dtype(np.complex64), rp.dtype)
    with pytest.raises(TypeError, match="torch.dtype"):
        rp.dtype()


def test_finfo_iinfo_match_torch():
    torch = pytest.importorskip("torch")
    for name in ("float16", "float32", "float64"):
        want, got = torch.finfo(getattr(torch, name)), rp.finfo(getattr(rp, name))
        for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
            assert getattr(got, attr) == getattr(want, attr), (name, attr)  # exact: both are the IEEE limits
        assert repr(got) == repr(want)
    assert rp.finfo().dtype == "float32" and rp.finfo(float).dtype == "float64"
    for name in ("uint8", "int8", "int16", "int32", "int64"):
        want, got = torch.iinfo(getattr(torch, name)), rp.iinfo(getattr(rp, name))
        assert (got.bits, got.max, got.min, got.dtype) == (want.bits, want.max, want.min, want.dtype)
        assert repr(got) == repr(want)
    for make in (lambda m: m.finfo(m.int32), lambda m: m.iinfo(m.float32), lambda m: m.iinfo(m.bool),
                 lambda m: m.finfo(np.float32), lambda m: m.iinfo()):
        want = _err(lambda: make(torch))
        assert want is not None and _err(lambda: make(rp)) is want


# --- devices ---------------------------------------------------------------------------------------
def test_device_construction_matches_torch():
    torch = pytest.importorskip("torch")
    for name in ("cuda", "cuda:0", "cuda:1", "mps", "cpu", "cpu:0", "meta", "xla"):
        want, got = torch.device(name), rp.device(name)
        assert (repr(got), str(got), got.type, got.index) == (repr(want), str(want), want.type, want.index)
    assert repr(rp.device("cuda", 1)) == repr(torch.device("cuda", 1))
    assert rp.device("cuda") != rp.device("cuda:0") and rp.device("cuda:0") == rp.device("cuda", 0)
    assert rp.device("cuda") != "cuda" and hash(rp.device("cuda")) == hash(rp.device("cuda"))
    assert pickle.loads(pickle.dumps(rp.device("cuda:1"))) == rp.device("cuda:1")
    for bad in (lambda m: m.device("foo"), lambda m: m.device("CUDA"), lambda m: m.device("cuda:x"),
                lambda m: m.device("cuda:-1"), lambda m: m.device("cuda:0:1"), lambda m: m.device("cuda:1", 0),
                lambda m: m.device("cuda", -1), lambda m: m.device(1)):
        want = _err(lambda: bad(torch))
        assert want is not None and _err(lambda: bad(rp)) is want


def test_using_a_non_cpu_device_raises_as_torch():
    """torch (CPU build) raises AssertionError for CUDA and RuntimeError for mps: the same except catches ours."""
    torch = pytest.importorskip("torch")
    uses = [lambda m: m.zeros(2).to("cuda"), lambda m: m.zeros(2).to(m.device("cuda:0")), lambda m: m.zeros(2).cuda(),
            lambda m: m.zeros(2, device="cuda"), lambda m: m.tensor([1.0], device="cuda"),
            lambda m: m.zeros(2).to(device="cuda"), lambda m: m.nn.Linear(2, 2).to("cuda"),
            lambda m: m.nn.Linear(2, 2).cuda(), lambda m: m.nn.Linear(2, 2, device="cuda"),
            lambda m: m.zeros(2).to("mps"), lambda m: m.zeros(2).to(0)]
    for use in uses:
        want = _err(lambda: use(torch))
        assert want is not None and _err(lambda: use(rp)) is want
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        rp.zeros(2).to("cuda")
    x = rp.zeros(2)
    assert x.to("cpu") is x and x.to(rp.device("cpu:0")) is x and x.device == rp.device("cpu")
