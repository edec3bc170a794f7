"""retroprop.device: torch.device's shape, for the one device retroprop has (the CPU)."""


class device:
    """A device; only "cpu" exists (torch.device("cpu") works, "cuda" is a clear error)."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        if not isinstance(type, str):
            raise TypeError(f"device: expected a string or a device, got {type.__class__.__name__}")
        name, _, idx = type.partition(":")
        if name != "cpu":
            raise RuntimeError(
                f"device {type!r} is not available: retroprop runs on the CPU only (use 'cpu')")
        if idx:
            index = int(idx)
        self.type = "cpu"
        self.index = index

    def __repr__(self):
        return f"device(type='cpu')" if self.index is None else f"device(type='cpu', index={self.index})"

    def __str__(self):
        return "cpu" if self.index is None else f"cpu:{self.index}"

    def __eq__(self, other):
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))


CPU = device("cpu")


def check_device(d, op):
    """Accept None, "cpu", "cpu:N" or a cpu device; anything else raises, naming the operation."""
    if d is None or d is CPU or d == "cpu":
        return
    if isinstance(d, int) and not isinstance(d, bool):
        d = f"cuda:{d}"  # torch reads a bare index as a CUDA device
    try:
        device(d)
    except RuntimeError as e:
        raise RuntimeError(f"{op}: {e}") from None


def set_default_device(d):
    """Only the CPU can be the default device."""
    check_device(d, "set_default_device")


def get_default_device():
    return CPU
