"""torch.backends.cuda: retroprop is built without CUDA. `matmul` holds cuBLAS's switches with
torch's defaults, type checks and links (allow_tf32 is the float32 matmul precision seen from
cuBLAS); they change nothing in retroprop, whose float32 products are always full float32."""
from . import _flags


def is_built():
    """Whether retroprop was built with CUDA: never."""
    return False


def _parse_reduction_setting(value, attr_name):
    """(allow_reduced_precision, allow_splitk) from a bool or a 1-2 element tuple/list (torch's rules)."""
    def ensure_bool(obj, which):
        if isinstance(obj, bool):
            return obj
        raise TypeError(f"{attr_name} expects a bool for {which}, but got {type(obj)!r}")

    if isinstance(value, bool):
        return value, True
    if isinstance(value, (list, tuple)):
        if not value:
            raise TypeError(f"{attr_name} expects at least one boolean argument")
        if len(value) > 2:
            raise TypeError(f"{attr_name} expects at most two boolean arguments")
        allow = ensure_bool(value[0], "allow_reduced_precision")
        splitk = ensure_bool(value[1], "allow_splitk") if len(value) == 2 else True
        if allow and not splitk:
            raise RuntimeError("allow_splitk=False is not supported when reduced precision reductions are enabled")
        return allow, splitk
    raise TypeError(f"{attr_name} expects a bool or a tuple/list of bools, but got {type(value)!r}")


class cuBLASModule:
    """torch.backends.cuda.matmul: unknown names raise AttributeError, as in torch."""

    def __init__(self):
        object.__setattr__(self, "_values", {"fp16": (True, True), "bf16": (True, True), "fp16_accumulation": False})

    def __getattr__(self, name):
        values = object.__getattribute__(self, "_values")
        if name == "allow_tf32":
            return _flags.get_float32_matmul_precision() != "highest"
        if name.startswith(("allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction")):
            pair = values[name[6:10]]
            if name.endswith("_reduction"):
                return pair[0]
            if name.endswith("_reduction_split_k"):
                return pair[1]
        if name == "allow_fp16_accumulation":
            return values["fp16_accumulation"]
        raise AttributeError("Unknown attribute " + name)

    def __setattr__(self, name, value):
        values = object.__getattribute__(self, "_values")
        if name == "allow_tf32":
            _flags._check_bool(value, "set_allow_tf32_cublas")
            current = _flags.get_float32_matmul_precision()
            if not value:
                _flags.set_float32_matmul_precision("highest")
            elif current == "highest":
                _flags.set_float32_matmul_precision("high")
            return
        if name in ("allow_fp16_reduced_precision_reduction", "allow_bf16_reduced_precision_reduction"):
            values[name[6:10]] = _parse_reduction_setting(value, name)
            return
        if name == "allow_fp16_accumulation":
            values["fp16_accumulation"] = _flags._check_bool(value, "set_allow_fp16_accumulation_cublas")
            return
        raise AttributeError("Unknown attribute " + name)


matmul = cuBLASModule()
