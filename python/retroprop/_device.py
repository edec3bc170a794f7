"""retroprop.device: torch.device. Any device torch knows can be named (torch.device("cuda") is
fine on a CPU-only torch too); only the CPU holds data, so moving a tensor elsewhere raises as
a CPU-only torch does."""

# The device types torch.device accepts (its parser's list), in its order for the error message.
_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
          "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")


class device:
    """A device: a type ("cpu", "cuda", "mps", ...) and an optional index, as torch.device."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            if index is not None:
                raise RuntimeError("device: a device and an index cannot both be given")
            type, index = type.type, type.index
        elif isinstance(type, int) and not isinstance(type, bool):
            # torch reads a bare index as the current accelerator's device, and there is none
            raise RuntimeError("Cannot access accelerator device when none is available (retroprop runs on the CPU only).")
        elif not isinstance(type, str):
            raise TypeError(f"device(): argument 'type' must be str, not {type.__class__.__name__}")
        else:
            name, sep, idx = type.partition(":")
            if name not in _TYPES:
                raise RuntimeError(f"Expected one of {', '.join(_TYPES)} device type at start of device string: {type}")
            if sep:
                if not idx.isdigit() or (len(idx) > 1 and idx[0] == "0"):
                    raise RuntimeError(f"Invalid device string: '{type}'")
                if index is not None:
                    raise RuntimeError(f"type (string) must not include an index because index was passed "
                                       f"explicitly: {type}")
                index = int(idx)
            type = name
        if index is not None:
            if not isinstance(index, int) or isinstance(index, bool):
                raise TypeError(f"device(): argument 'index' must be int, not {index.__class__.__name__}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
        self.type = type
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else \
            f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        # torch: device("cuda") != device("cuda:0"), and a device never equals a string
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))


CPU = device("cpu")


def unavailable(d, op):
    """The error a CPU-only torch raises for putting data on device `d` (already parsed)."""
    if d.type == "cuda":
        # torch: AssertionError("Torch not compiled with CUDA enabled"); same type, so the same except catches it
        return AssertionError(f"Torch not compiled with CUDA enabled ({op}: retroprop runs on the CPU only)")
    if d.type == "mps":
        return RuntimeError(f"PyTorch is not linked with support for mps devices ({op}: retroprop runs on the "
                            f"CPU only)")
    return RuntimeError(f"{op}: device '{d}' is not available: retroprop runs on the CPU only (use 'cpu')")


def check_device(d, op):
    """Accept None, "cpu", "cpu:N" or a cpu device; any other device raises as a CPU-only torch does."""
    if d is None or d is CPU or d == "cpu":
        return
    d = device(d)
    if d.type != "cpu":
        raise unavailable(d, op)


def set_default_device(d):
    """Only the CPU can be the default device."""
    check_device(d, "set_default_device")


def get_default_device():
    return CPU
