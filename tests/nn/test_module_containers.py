"""Containers: Sequential, ModuleList, ModuleDict, ParameterList, ParameterDict (torch's list/dict API)."""
from collections import OrderedDict

import numpy as np
import pytest

import retroprop as rp
import retroprop.nn as nn


def layers(n):
    return [nn.Linear(i + 1, i + 2) for i in range(n)]


def test_sequential_from_args_and_ordered_dict():
    a, b = layers(2)
    seq = nn.Sequential(a, b)
    assert list(seq._modules) == ["0", "1"] and len(seq) == 2 and list(seq) == [a, b]
    named = nn.Sequential(OrderedDict([("first", a), ("second", b)]))
    assert list(named._modules) == ["first", "second"] and named.first is a and named[1] is b


def test_sequential_indexing_slicing_and_errors():
    mods = layers(4)
    seq = nn.Sequential(*mods)
    assert seq[0] is mods[0] and seq[-1] is mods[3] and seq[-4] is mods[0]
    sub = seq[1:3]
    assert type(sub) is nn.Sequential and list(sub) == mods[1:3] and list(sub._modules) == ["1", "2"]  # as torch
    assert list(seq[::-1]) == mods[::-1]
    with pytest.raises(IndexError, match="index 4 is out of range"):
        seq[4]
    with pytest.raises(IndexError):
        seq[-5]


def test_sequential_mutation_renumbers():
    mods = layers(4)
    seq = nn.Sequential(*mods)
    relu = nn.ReLU()
    seq[1] = relu
    assert seq[1] is relu
    del seq[0]
    assert list(seq._modules) == ["0", "1", "2"] and seq[0] is relu
    del seq[1:]
    assert list(seq) == [relu]
    assert seq.append(mods[0]) is seq and seq[1] is mods[0]
    seq.insert(0, mods[1])
    assert list(seq) == [mods[1], relu, mods[0]]
    seq.extend([mods[2]])
    assert len(seq) == 4 and seq.pop(0) is mods[1] and len(seq) == 3
    both = nn.Sequential(relu) + nn.Sequential(mods[3])
    assert list(both) == [relu, mods[3]]


def test_sequential_forward_chains_modules():
    class AddOne(nn.Module):
        def forward(self, x):
            return x + 1

    class Double(nn.Module):
        def forward(self, x):
            return x * 2

    seq = nn.Sequential(AddOne(), Double(), AddOne())
    assert seq(rp.tensor([1.0])).numpy().tolist() == [5.0]
    assert nn.Sequential()(rp.tensor([3.0])).numpy().tolist() == [3.0]


def test_modulelist_api():
    mods = layers(3)
    ml = nn.ModuleList(mods[:2])
    assert len(ml) == 2 and list(ml) == mods[:2] and ml[-1] is mods[1]
    ml.append(mods[2])
    assert list(ml._modules) == ["0", "1", "2"]
    ml.insert(1, nn.ReLU())
    assert [type(m).__name__ for m in ml] == ["Linear", "ReLU", "Linear", "Linear"] and ml[2] is mods[1]
    ml.extend([nn.Tanh()])
    ml += [nn.Sigmoid()]
    assert len(ml) == 6
    assert type(ml[1:3]) is nn.ModuleList and list(ml[1:3]) == [ml[1], ml[2]]
    del ml[1]
    assert list(ml._modules) == [str(i) for i in range(5)] and ml[1] is mods[1]
    ml[0] = nn.Identity()
    assert type(ml[0]) is nn.Identity
    assert ml.pop(-1).__class__ is nn.Sigmoid and len(ml) == 4
    assert len(list(nn.ModuleList(mods).parameters())) == 6
    with pytest.raises(IndexError, match="out of range"):
        ml[10]
    with pytest.raises(TypeError, match="iterable"):
        ml.extend(5)


def test_modulelist_registers_parameters_with_the_owner():
    class Tower(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])

    assert [k for k, _ in Tower().named_parameters()] == [f"layers.{i}.{n}" for i in range(3) for n in ("weight", "bias")]


def test_moduledict_api():
    md = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()})
    assert list(md) == ["a", "b"] and "a" in md and len(md) == 2
    md["c"] = nn.Linear(1, 1)
    assert list(md.keys()) == ["a", "b", "c"] and type(md["c"]) is nn.Linear
    assert [type(v).__name__ for v in md.values()] == ["ReLU", "Tanh", "Linear"]
    assert [k for k, _ in md.items()] == ["a", "b", "c"]
    md.update([("d", nn.Sigmoid())])
    md.update(OrderedDict(e=nn.SiLU()))
    assert type(md.pop("a")) is nn.ReLU and "a" not in md
    del md["b"]
    assert list(md) == ["c", "d", "e"]
    assert [k for k, _ in md.named_parameters()] == ["c.weight", "c.bias"]
    md.clear()
    assert len(md) == 0
    with pytest.raises(ValueError, match="key/value pair"):
        md.update([("x", nn.ReLU(), 3)])


def test_parameter_list_and_dict():
    plist = nn.ParameterList([nn.Parameter(np.ones(2, dtype=np.float32)), rp.tensor([1.0, 2.0, 3.0])])
    assert len(plist) == 2 and all(isinstance(p, nn.Parameter) and p.requires_grad for p in plist)
    plist.append(rp.tensor(np.zeros((2, 2), dtype=np.float32)))
    assert [k for k, _ in plist.named_parameters()] == ["0", "1", "2"]
    assert plist[-1].shape == (2, 2)
    pdict = nn.ParameterDict({"w": rp.tensor([1.0]), "b": nn.Parameter(np.zeros(1, dtype=np.float32))})
    assert list(pdict) == ["w", "b"] and isinstance(pdict["w"], nn.Parameter)
    assert [k for k, _ in pdict.named_parameters()] == ["w", "b"]
    del pdict["w"]
    assert list(pdict.keys()) == ["b"] and len(list(pdict.parameters())) == 1


def test_parameter_container_reprs_match_torch():
    torch = pytest.importorskip("torch")
    for n in (1, 2):
        ours = nn.ParameterList([nn.Parameter(np.ones((3, 4), dtype=np.float32))] * n)
        ref = torch.nn.ParameterList([torch.nn.Parameter(torch.ones(3, 4))] * n)
        assert repr(ours) == repr(ref)
    ours_d = nn.ParameterDict({"w": nn.Parameter(np.ones(2, dtype=np.float64))})
    ref_d = torch.nn.ParameterDict({"w": torch.nn.Parameter(torch.ones(2, dtype=torch.float64))})
    assert repr(ours_d) == repr(ref_d)


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(st.lists(st.tuples(st.sampled_from(["append", "insert", "del", "set", "slice", "pop"]),
                                     st.integers(-6, 6)), max_size=12))
def test_modulelist_and_sequential_behave_like_a_python_list(ops):
    """Random edits applied to a ModuleList, a Sequential and a plain list give the same order of modules."""
    pool = [nn.Identity() for _ in range(40)]
    fresh = iter(pool)
    ml, seq, ref = nn.ModuleList(), nn.Sequential(), []
    for op, i in ops:
        n = len(ref)
        if op == "append":
            m = next(fresh)
            ml.append(m), seq.append(m), ref.append(m)
        elif op == "insert" and -n <= i <= n:
            m = next(fresh)
            ml.insert(i, m), seq.insert(i, m), ref.insert(i, m)
        elif op in ("del", "set", "pop") and -n <= i < n:
            if op == "del":
                del ml[i], seq[i], ref[i]
            elif op == "pop":
                assert ml.pop(i) is seq.pop(i) is ref.pop(i)
            else:
                m = next(fresh)
                ml[i] = m
                seq[i] = m
                ref[i] = m
        elif op == "slice":
            assert list(ml[i:]) == list(seq[i:]) == ref[i:]
        assert list(ml) == list(seq) == ref
        assert list(ml._modules) == list(seq._modules) == [str(k) for k in range(len(ref))]
