"""Module API: registration by assignment, iteration order, modes, apply, conversion, repr, errors."""
import copy
import pickle

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn


class Net(nn.Module):
    """A model in the style of a user's script: submodules, a raw Parameter, a buffer, a custom method."""

    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.scale = nn.Parameter(np.ones(3, dtype=np.float32))
        self.block = nn.Sequential(nn.Linear(3, 3), nn.ReLU(), nn.Linear(3, 2, bias=False))
        self.register_buffer("steps", rp.tensor(0))
        self.register_buffer("scratch", rp.tensor([1.0, 2.0]), persistent=False)
        self.note = "plain attribute"

    def double_scale(self):
        return self.scale._data * 2


def torch_net(torch):
    class TNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = torch.nn.Linear(4, 3)
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.block = torch.nn.Sequential(torch.nn.Linear(3, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2, bias=False))
            self.register_buffer("steps", torch.tensor(0))
            self.register_buffer("scratch", torch.tensor([1.0, 2.0]), persistent=False)

    return TNet()


def test_assignment_registers_parameters_modules_and_buffers():
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._modules) == ["fc1", "block"]
    assert list(net._buffers) == ["steps", "scratch"]
    assert "note" in net.__dict__ and "fc1" not in net.__dict__
    assert net.fc1 is net._modules["fc1"] and net.steps is net._buffers["steps"]
    assert net.double_scale().tolist() == [2.0, 2.0, 2.0]


def test_named_members_order_matches_torch():
    torch = pytest.importorskip("torch")
    net, ref = Net(), torch_net(torch)
    assert [k for k, _ in net.named_parameters()] == [k for k, _ in ref.named_parameters()]
    assert [k for k, _ in net.named_buffers()] == [k for k, _ in ref.named_buffers()]
    assert [k for k, _ in net.named_modules()] == [k for k, _ in ref.named_modules()]
    assert [k for k, _ in net.named_children()] == [k for k, _ in ref.named_children()]
    assert list(net.state_dict()) == list(ref.state_dict())
    assert [k for k, _ in net.named_parameters(prefix="m", recurse=False)] == ["m.scale"]


def test_iterators_return_the_registered_objects():
    net = Net()
    params = list(net.parameters())
    assert len(params) == 6 and all(isinstance(p, nn.Parameter) for p in params)
    assert params[0] is net.scale and params[1] is net.fc1.weight
    assert list(net.parameters(recurse=False)) == [net.scale]
    assert list(net.children()) == [net.fc1, net.block]
    assert len(list(net.modules())) == 6
    assert [b is net.steps for b in net.buffers()] == [True, False]


def test_shared_parameters_and_modules_are_listed_once():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(seq.parameters())) == 2
    assert [k for k, _ in seq.named_modules()] == ["", "0", "1"]
    assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
    assert list(seq.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]


def test_reassignment_and_deletion():
    net = Net()
    net.fc1 = None
    assert net._modules["fc1"] is None and net.fc1 is None
    assert len(list(net.parameters())) == 4
    net.scale = None
    assert "scale" in net._parameters and net.scale is None
    del net.block
    assert "block" not in net._modules
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'block'"):
        net.block
    net.steps = rp.tensor(5)
    assert net._buffers["steps"].numpy() == 5
    del net.steps
    assert "steps" not in net._buffers
    del net.note
    assert not hasattr(net, "note")


def test_assigning_wrong_types_to_registered_names_is_a_type_error():
    net = Net()
    with pytest.raises(TypeError, match="parameter 'scale'"):
        net.scale = rp.tensor([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="child module 'fc1'"):
        net.fc1 = 3
    with pytest.raises(TypeError, match="buffer 'steps'"):
        net.steps = 3
    a_module_replaces_a_plain_attribute = nn.ReLU()
    net.note = a_module_replaces_a_plain_attribute
    assert "note" in net._modules and "note" not in net.__dict__


def test_registration_argument_errors():
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_parameter("a.b", None)
    with pytest.raises(KeyError, match="empty"):
        m.register_buffer("", None)
    with pytest.raises(TypeError, match="string"):
        m.add_module(3, nn.ReLU())
    with pytest.raises(TypeError, match="is not a Module subclass"):
        m.add_module("x", 3)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' object to parameter 'w'"):
        m.register_parameter("w", rp.tensor([1.0]))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.register_buffer("b", np.zeros(2))
    with pytest.raises(KeyError, match="attribute 'train' already exists"):
        m.register_buffer("train", rp.tensor(1.0))
    m.register_module("child", nn.ReLU())
    assert m.child.__class__ is nn.ReLU


def test_assignment_before_init_is_an_attribute_error():
    class Early(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)
            super().__init__()

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_missing_forward_is_not_implemented():
    with pytest.raises(NotImplementedError, match=r'Module \[Module\] is missing the required "forward" function'):
        nn.Module()(rp.tensor([1.0]))
    with pytest.raises(NotImplementedError, match="ModuleList"):
        nn.ModuleList()(rp.tensor([1.0]))


def test_call_and_forward_are_the_same():
    class Twice(nn.Module):
        def forward(self, x, factor=2):
            return x * factor

    t = Twice()
    x = rp.tensor([1.0, 2.0])
    assert t(x).numpy().tolist() == t.forward(x).numpy().tolist() == [2.0, 4.0]
    assert t(x, factor=3).numpy().tolist() == [3.0, 6.0]


def test_train_eval_propagate_to_every_descendant():
    net = Net()
    assert net.training and all(m.training for m in net.modules())
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.block.train(False)
    assert net.training and not net.block[1].training
    with pytest.raises(ValueError, match="boolean"):
        net.train("yes")


def test_train_goes_through_overridden_train_of_children():
    class FrozenNorm(nn.Module):
        def __init__(self):
            super().__init__()
            self.bn = nn.BatchNorm1d(2)

        def train(self, mode=True):
            super().train(mode)
            self.bn.eval()  # keep running statistics fixed, a common fine-tuning idiom
            return self

    model = nn.Sequential(nn.Linear(2, 2), FrozenNorm())
    model.train()
    assert model[0].training and model[1].training and not model[1].bn.training


def test_zero_grad_sets_none_or_zeros_in_place():
    net = Net()
    for p in net.parameters():
        p.grad = rp.tensor(np.ones(p.shape, dtype=np.float32))
    grads = [p.grad for p in net.parameters()]
    net.zero_grad(set_to_none=False)
    assert all(p.grad is g and not g._data.any() for p, g in zip(net.parameters(), grads))
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_requires_grad_toggle():
    net = Net()
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())
    net.requires_grad_()
    assert all(p.requires_grad for p in net.parameters())


def test_apply_visits_children_before_parent():
    net = Net()
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Linear", "ReLU", "Linear", "Sequential", "Net"]

    def init_weights(m):
        if isinstance(m, nn.Linear):
            nn.init.zeros_(m.weight)

    net.apply(init_weights)
    assert not net.fc1.weight._data.any() and not net.block[2].weight._data.any()


def test_to_double_and_back_keeps_parameter_identity():
    net = Net()
    params = list(net.parameters())
    before = [p._data.copy() for p in params]
    net.fc1.weight.grad = rp.tensor(np.ones((3, 4), dtype=np.float32))
    assert net.to(np.float64) is net
    assert list(net.parameters()) == params  # same objects: an optimizer built earlier still sees them
    assert all(p.dtype == np.float64 for p in params) and net.fc1.weight.grad.dtype == np.float64
    assert net.steps.dtype == np.int64  # integer buffers are not floating-point state
    net.float()
    assert all(p.dtype == np.float32 for p in params)
    assert all(np.array_equal(a, p._data) for a, p in zip(before, params))
    net.double()
    assert net.scratch.dtype == np.float64
    net.to("cpu", dtype=np.float32)
    assert net.scale.dtype == np.float32
    net.to(rp.tensor([1.0], dtype=np.float64))
    assert net.scale.dtype == np.float64


def test_to_device_forms_and_errors():
    net = nn.Linear(2, 2)
    assert net.to("cpu") is net and net.to("cpu:0") is net and net.to(rp.device("cpu")) is net
    assert net.cpu() is net and net.to(device="cpu") is net
    with pytest.raises(AssertionError, match="CPU only"):  # torch: AssertionError, not compiled with CUDA
        net.to("cuda")
    with pytest.raises(AssertionError, match="CPU only"):
        net.cuda()
    with pytest.raises(RuntimeError, match="CPU only"):
        net.to(0)  # a bare index means a CUDA device in torch
    assert net.to("cpu", np.float64, True) is net and net.weight.dtype == np.float64  # (device, dtype, non_blocking)
    with pytest.raises(TypeError, match="float32 or float64"):
        net.to(rp.int64)
    with pytest.raises(TypeError, match="float32 or float64"):
        net.to(rp.float16)
    with pytest.raises(TypeError, match="float32 or float64"):
        nn.Linear(2, 2, dtype=rp.float16)
    with pytest.raises(AssertionError, match="CPU only"):
        nn.Linear(2, 2, device="cuda")
    with pytest.raises(NotImplementedError, match="float16"):
        net.half()


def test_getattr_dir_and_submodule_lookup():
    net = Net()
    names = dir(net)
    for name in ("fc1", "scale", "steps", "block", "double_scale", "forward"):
        assert name in names
    assert net.get_submodule("block.2") is net.block[2]
    assert net.get_parameter("block.0.weight") is net.block[0].weight
    assert net.get_buffer("steps") is net.steps
    with pytest.raises(AttributeError, match="no attribute"):
        net.get_submodule("block.nope")
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nothing'"):
        net.nothing


REPR_CASES = [
    lambda nn: nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(),
                             nn.Linear(512, 10)),
    lambda nn: nn.Sequential(nn.Linear(3, 4, bias=False), nn.LeakyReLU(0.2), nn.GELU(approximate="tanh"),
                             nn.SiLU(), nn.Tanh(), nn.Sigmoid(), nn.Dropout(0.25), nn.Softmax(dim=1),
                             nn.LogSoftmax(dim=-1), nn.Identity()),
    lambda nn: nn.ModuleDict({"norm": nn.LayerNorm(8), "bn": nn.BatchNorm1d(8, momentum=None),
                              "emb": nn.Embedding(10, 8, padding_idx=0),
                              "layers": nn.ModuleList([nn.Linear(8, 8) for _ in range(3)] + [nn.ReLU()])}),
    lambda nn: nn.Sequential(nn.Unflatten(1, (2, 4)), nn.Flatten(0, -1), nn.ReLU(inplace=True),
                             nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.Identity()))),
    lambda nn: nn.ModuleList([nn.CrossEntropyLoss(label_smoothing=0.1), nn.MSELoss(), nn.BCEWithLogitsLoss(),
                              nn.HuberLoss(), nn.SmoothL1Loss(), nn.NLLLoss(), nn.L1Loss(), nn.BCELoss()]),
    lambda nn: nn.ModuleList(),
    lambda nn: nn.LayerNorm([3, 4], elementwise_affine=False),
    lambda nn: nn.BatchNorm1d(3, affine=False, track_running_stats=False),
]


@pytest.mark.parametrize("build", REPR_CASES)
def test_repr_is_torch_repr(build):
    torch = pytest.importorskip("torch")
    assert repr(build(nn)) == repr(build(torch.nn))


def test_repr_of_a_custom_module_with_extra_repr():
    class Scaled(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Linear(2, 3)

        def extra_repr(self):
            return "factor=2"

    assert repr(Scaled()) == "Scaled(\n  factor=2\n  (inner): Linear(in_features=2, out_features=3, bias=True)\n)"


def test_deepcopy_and_pickle_give_independent_equal_models():
    net = Net()
    for clone in (copy.deepcopy(net), pickle.loads(pickle.dumps(net))):
        assert [k for k, _ in clone.named_parameters()] == [k for k, _ in net.named_parameters()]
        for p, q in zip(net.parameters(), clone.parameters()):
            assert p is not q and isinstance(q, nn.Parameter) and q.requires_grad
            np.testing.assert_array_equal(p._data, q._data)
        clone.fc1.weight._data[...] = 7
        assert not (net.fc1.weight._data == 7).any()
