"""torch.compile(model) runs unchanged: the model comes back as it was, trains and saves as the
eager one (the contract of torch.compile), in every calling form torch accepts."""
import pytest

import retroprop as rp


def test_compile_returns_the_model_in_every_form():
    model = rp.nn.Sequential(rp.nn.Linear(4, 3), rp.nn.ReLU(), rp.nn.Linear(3, 2))
    assert rp.compile(model) is model
    assert rp.compile(model, mode="reduce-overhead", fullgraph=True, dynamic=False) is model

    @rp.compile
    def f(x):
        return x * 2

    @rp.compile(mode="max-autotune")
    def g(x):
        return x + 1

    x = rp.ones(2)
    assert f(x).tolist() == [2.0, 2.0] and g(x).tolist() == [2.0, 2.0]


def test_compiled_model_trains_and_saves_as_the_eager_one(tmp_path):
    rp.manual_seed(0)
    model = rp.compile(rp.nn.Linear(3, 1))
    opt = rp.optim.SGD(model.parameters(), lr=0.1)
    x, y = rp.randn(8, 3), rp.randn(8, 1)
    before = rp.nn.functional.mse_loss(model(x), y).item()
    for _ in range(20):
        opt.zero_grad()
        rp.nn.functional.mse_loss(model(x), y).backward()
        opt.step()
    assert rp.nn.functional.mse_loss(model(x), y).item() < before
    rp.save(model.state_dict(), tmp_path / "m.safetensors")
    assert set(rp.load(tmp_path / "m.safetensors")) == {"weight", "bias"}


def test_bad_arguments_as_torch():
    with pytest.raises(RuntimeError, match="mode or options"):
        rp.compile(rp.nn.Linear(1, 1), mode="default", options={})
    with pytest.raises(AssertionError, match="a callable function is expected"):
        rp.compile(3)
