"""bfloat16: named (torch code lists it in dtype tables and disabled autocast regions), never
computed in, since NumPy, retroprop's array type, has no bfloat16."""
import pickle

import pytest

import retroprop as rp


def test_bfloat16_is_a_dtype_by_name():
    assert isinstance(rp.bfloat16, rp.dtype)
    assert repr(rp.bfloat16) == "torch.bfloat16"
    assert pickle.loads(pickle.dumps(rp.bfloat16)) is rp.bfloat16
    assert rp.bfloat16 != rp.float32 and rp.bfloat16 != rp.float16


@pytest.mark.parametrize("make", [
    lambda: rp.zeros(2, dtype=rp.bfloat16),
    lambda: rp.tensor([1.0], dtype=rp.bfloat16),
    lambda: rp.ones(3).to(rp.bfloat16),
    lambda: rp.finfo(rp.bfloat16),
])
def test_making_a_bfloat16_tensor_raises_naming_it(make):
    with pytest.raises(TypeError, match="torch.bfloat16 is not supported by retroprop"):
        make()
