"""retroprop._alloc, the buffer pool of the training step: buffers are reused only when nothing
outside the pool references them, and after the first step a training step makes (almost) no
new NumPy data allocations, measured with tracemalloc (NumPy reports its array data to it)."""
import gc
import tracemalloc

import numpy as np
import pytest

import retroprop as rp
from retroprop import _alloc

F = rp.nn.functional
SHAPE = (64, 256)  # 64 KiB of float32: above the pool's minimum size


@pytest.fixture(autouse=True)
def fresh_pool():
    _alloc.clear()
    yield
    _alloc.clear()


def addr(a):
    return a.__array_interface__["data"][0]


def test_a_dropped_buffer_is_reused():
    a = _alloc.empty(SHAPE, np.float32)
    where = addr(a)
    del a
    b = _alloc.empty(SHAPE, np.float32)
    assert addr(b) == where and b.shape == SHAPE and b.dtype == np.float32 and b.flags.c_contiguous


@pytest.mark.parametrize("holder", ["array", "view", "memoryview", "tensor", "numpy_of_tensor", "list"])
def test_a_referenced_buffer_is_never_handed_out(holder):
    a = _alloc.empty(SHAPE, np.float32)
    a[...] = 7.0
    kept = {"array": lambda: a, "view": lambda: a[3:, ::2], "memoryview": lambda: memoryview(a),
            "tensor": lambda: rp.Tensor._wrap(a), "numpy_of_tensor": lambda: rp.Tensor._wrap(a).numpy()[1:],
            "list": lambda: [a]}[holder]()
    del a
    others = [_alloc.empty(SHAPE, np.float32) for _ in range(_alloc._PER_KEY + 2)]  # more than the pool keeps
    for o in others:
        o.fill(-1.0)
    arr = np.asarray(kept[0] if holder == "list" else kept.numpy() if holder == "tensor" else kept)
    assert np.all(arr == 7.0)


@pytest.mark.parametrize("spelling", [lambda: (list(SHAPE), np.float32), lambda: (SHAPE, "float32"), lambda: (SHAPE, np.float32)])
def test_any_spelling_of_a_shape_and_dtype_shares_one_pool_entry(spelling):
    # The fast path looks the key up as given; other spellings (a list, a dtype name or type)
    # must still find, and be found by, the normalised (tuple, np.dtype) entry.
    a = _alloc.empty(SHAPE, np.dtype(np.float32))
    where = addr(a)
    del a
    b = _alloc.empty(*spelling())
    assert addr(b) == where and b.shape == SHAPE and b.dtype == np.float32
    del b
    c = _alloc.empty(SHAPE, np.dtype(np.float32))
    assert addr(c) == where
    assert len(_alloc._pool) == 1


def test_the_set_of_small_shapes_stays_bounded(monkeypatch):
    monkeypatch.setattr(_alloc, "_SMALL_KEYS", 8)
    arrays = [_alloc.empty((n, 3), np.float32) for n in range(1, 50)]
    assert all(a.shape == (n, 3) for n, a in zip(range(1, 50), arrays))
    assert len(_alloc._small) <= 8 and _alloc.pooled_bytes() == 0


def test_small_arrays_bypass_the_pool():
    a = _alloc.empty((4, 4), np.float64)
    del a
    assert _alloc.pooled_bytes() == 0


def test_the_pool_drops_least_recently_used_shapes_beyond_its_cap(monkeypatch):
    monkeypatch.setattr(_alloc, "_CAP_BYTES", 3 * 64 * 1024)
    for rows in (64, 65, 66, 67):
        _alloc.empty((rows, 256), np.float32)
    assert _alloc.pooled_bytes() <= 3 * 64 * 1024
    assert ((64, 256), np.dtype(np.float32)) not in _alloc._pool


def test_zeros_are_zero_even_when_reused():
    a = _alloc.empty(SHAPE, np.float64)
    a.fill(3.0)
    del a
    assert not _alloc.zeros(SHAPE, np.float64).any()


def mlp_step(batch, widths=(784, 512, 512, 10), act=rp.nn.ReLU):
    """The bench/train_mlp.py step: Sequential of Linear + activation pairs, cross_entropy, Adam."""
    rp.manual_seed(0)
    layers = []
    for i, (a, b) in enumerate(zip(widths[:-1], widths[1:])):
        layers.append(rp.nn.Linear(a, b))
        if i < len(widths) - 2:
            layers.append(act())
    model = rp.nn.Sequential(*layers)
    opt = rp.optim.Adam(model.parameters(), lr=1e-3)
    x = rp.randn(batch, widths[0])
    y = rp.randint(0, widths[-1], (batch,))

    def step():
        opt.zero_grad()
        out = model(x)
        loss = F.cross_entropy(out, y)
        loss.backward()
        opt.step()
        return out, loss

    return model, step


def growth_over_steps(step, n=4):
    """(peak traced bytes above the start, NumPy data bytes still live at the end) over steps
    2..n+1, step 1 having run untraced (it fills the pool and the optimizer state)."""
    step()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        for _ in range(n):
            step()
        peak = tracemalloc.get_traced_memory()[1] - start
        live = tracemalloc.take_snapshot().filter_traces([tracemalloc.DomainFilter(True, np.lib.tracemalloc_domain)])
        numpy_live = sum(t.size for t in live.traces)
    finally:
        tracemalloc.stop()
    return peak, numpy_live


# Bound: 64 KiB of transient memory per step (Python objects of the graph, small arrays the pool
# leaves to NumPy's cache), against 512 KiB for one activation buffer at batch 256 and 1.6 MB for
# the first layer's weight gradient, which the step would otherwise allocate afresh every step.
BOUND = 64 * 1024


def test_mlp_training_step_allocates_nothing_material_after_the_first():
    _, step = mlp_step(256)
    peak, numpy_live = growth_over_steps(lambda: (step(), None)[1])
    assert peak < BOUND, f"{peak} bytes allocated transiently by steps 2..5"
    assert numpy_live < BOUND


def test_unfused_step_through_ops_allocates_nothing_material_after_the_first():
    # A step over the pooled call sites only (matmul, gelu, cross_entropy, leaf .grad), so the
    # bound holds whatever linear.py does.
    rp.manual_seed(0)
    w = rp.nn.Parameter(rp.randn(512, 256) * 0.05)
    x = rp.randn(256, 512)
    y = rp.randint(0, 256, (256,))

    def step():
        w.grad = None
        F.cross_entropy(F.gelu(x @ w), y).backward()

    peak, numpy_live = growth_over_steps(step)
    assert peak < BOUND, f"{peak} bytes allocated transiently by steps 2..5"
    assert numpy_live < BOUND


@pytest.mark.parametrize("act", [rp.nn.ReLU, rp.nn.GELU])
def test_step_two_leaves_what_the_user_kept_from_step_one_untouched(act):
    model, step = mlp_step(64, act=act)
    out1, loss1 = step()
    kept = {"logits": out1.detach().numpy(), "loss": loss1.detach().numpy(), "view": out1.detach().numpy()[3:, 1:],
            "grad": model[0].weight.grad, "bias_grad": model[-1].bias.grad.numpy()}
    copies = {k: np.array(v.numpy() if isinstance(v, rp.Tensor) else v, copy=True) for k, v in kept.items()}
    for _ in range(3):  # zero_grad drops .grad; forward and backward reuse what is free
        out2, _ = step()
    for k, v in kept.items():
        np.testing.assert_array_equal(v.numpy() if isinstance(v, rp.Tensor) else v, copies[k], err_msg=k)
    assert not np.shares_memory(out2.numpy(), kept["logits"])
