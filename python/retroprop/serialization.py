"""retroprop.save / retroprop.load: checkpoints as safetensors files, never pickle.

The file is safetensors (8-byte little-endian header length N, N bytes of JSON header
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then the
byte buffer). Tensors live in the buffer, named by their path in the saved object ("model.fc.weight"),
so a flat state_dict is stored under its own keys and any safetensors reader gets the weights.
The Python structure around the tensors (dicts, lists, tuples, numbers, strings) is JSON in the
metadata, referring to tensors by name. Loading validates the whole header before reading a byte
of data and runs no code from the file.
"""
import contextlib
import json
import math
import os
import secrets

import numpy as np

from ._tensor import Tensor
from .nn.parameter import Parameter

_ST_DTYPES = {
    "BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "U16": np.uint16, "I16": np.int16,
    "F16": np.float16, "U32": np.uint32, "I32": np.int32, "F32": np.float32,
    "U64": np.uint64, "I64": np.int64, "F64": np.float64,
}
_ST_DTYPES = {k: np.dtype(v).newbyteorder("<") for k, v in _ST_DTYPES.items()}
_NP_TO_ST = {v: k for k, v in _ST_DTYPES.items()}
_STRUCTURE_KEY = "retroprop.structure"
_MAX_HEADER = 100_000_000  # safetensors' own limit on the header size
_MAX_DEPTH = 200  # nesting limit for the structure, far beyond any real checkpoint


# ------------------------------------------------------------------------------------- save
def save(obj, f):
    """Save `obj` (tensors, NumPy arrays, and dicts / lists / tuples of them and of int, float,
    bool, str, None) to `f`, a path (str or os.PathLike) or a binary file object.

    Saving to a path is atomic: the data goes to a temporary file in the same directory, is
    fsync'ed, then renamed over `f`, so a crash mid-save leaves the previous file intact.
    """
    encoder = _Encoder()
    structure = encoder.encode(obj, ())
    metadata = {"format": "pt",  # what HF tools expect of a torch-convention state_dict file
                _STRUCTURE_KEY: json.dumps(structure, separators=(",", ":"), allow_nan=False)}
    chunks = _layout(encoder.arrays, metadata)
    if hasattr(f, "write"):
        for chunk in chunks:
            f.write(chunk)
        return
    _atomic_write(os.path.realpath(os.fspath(f)), chunks)


class _Encoder:
    """Turns a Python object into JSON-able structure, collecting its arrays under unique names."""

    def __init__(self):
        self.arrays = {}  # name -> little-endian C-contiguous array
        self._names = {}  # id(tensor or array) -> name: an object saved twice is stored once
        self._seen = []  # keeps ids valid while encoding

    def encode(self, obj, path):
        if len(path) > _MAX_DEPTH:
            raise ValueError(f"save: object nested deeper than {_MAX_DEPTH} levels at {_where(path)}")
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (np.bool_, np.number)):  # before float: np.float64 subclasses float
            return {"npscalar": self._array(obj, np.asarray(obj), path)}
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            return float(obj) if math.isfinite(obj) else {"float": repr(float(obj))}
        if isinstance(obj, Tensor):
            return self._tensor(obj, path)
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._array(obj, obj, path)}
        if isinstance(obj, dict):
            return self._dict(obj, path)
        if isinstance(obj, list):
            return [self.encode(v, path + (i,)) for i, v in enumerate(obj)]
        if isinstance(obj, tuple):
            return {"tuple": [self.encode(v, path + (i,)) for i, v in enumerate(obj)]}
        raise TypeError(f"save: cannot store a {type(obj).__name__} at {_where(path)}: retroprop.save stores "
                        "tensors, NumPy arrays, dicts, lists, tuples, int, float, bool, str and None "
                        "(save model.state_dict() rather than the model)")

    def _tensor(self, t, path):
        name = self._array(t, t._data, path)
        if isinstance(t, Parameter):
            return {"parameter": name, "requires_grad": bool(t.requires_grad)}
        if t.requires_grad:
            return {"tensor": name, "requires_grad": True}
        return {"tensor": name}

    def _dict(self, d, path):
        if all(isinstance(k, str) for k in d):
            return {"dict": {k: self.encode(v, path + (k,)) for k, v in d.items()}}
        items = []
        for k, v in d.items():
            if not _is_plain_key(k):
                raise TypeError(f"save: cannot store dict key {k!r} ({type(k).__name__}) at {_where(path)}: "
                                "keys must be str, int, float, bool, None or tuples of them")
            items.append([self.encode(k, path), self.encode(v, path + (k,))])
        return {"items": items}

    def _array(self, owner, arr, path):
        if id(owner) in self._names:
            return self._names[id(owner)]
        le = arr.dtype.newbyteorder("<") if arr.dtype.byteorder != "|" else arr.dtype
        if le not in _NP_TO_ST:
            raise TypeError(f"save: dtype {arr.dtype} at {_where(path)} has no safetensors equivalent")
        name = _unique(".".join(str(p) for p in path) or "tensor", self.arrays)
        arr = arr.astype(le, copy=False)
        self.arrays[name] = arr if arr.flags.c_contiguous else arr.copy(order="C")  # (ascontiguousarray makes 0-d 1-d)
        self._names[id(owner)] = name
        self._seen.append(owner)
        return name


def _is_plain_key(k):
    if isinstance(k, tuple):
        return all(_is_plain_key(x) for x in k)
    return k is None or isinstance(k, (str, int, float))


def _unique(name, taken):
    candidate, i = name, 0
    while candidate in taken or candidate == "__metadata__":
        i += 1
        candidate = f"{name}#{i}"
    return candidate


def _where(path):
    return "obj" + "".join(f"[{p!r}]" for p in path)


def _layout(arrays, metadata):
    """The file as a list of byte chunks: header length, header, then each array's bytes.

    Arrays are placed by decreasing item size and the header is padded to 8 bytes, so every
    array starts aligned to its item size and loads without a copy.
    """
    order = sorted(arrays, key=lambda n: -arrays[n].dtype.itemsize)  # stable: keeps save order within a size
    header, offset = {}, 0
    for name in order:
        a = arrays[name]
        header[name] = {"dtype": _NP_TO_ST[a.dtype], "shape": list(a.shape), "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
    header["__metadata__"] = metadata
    text = json.dumps(header, separators=(",", ":"), allow_nan=False).encode("utf-8")
    text += b" " * (-(8 + len(text)) % 8)
    return [len(text).to_bytes(8, "little"), text] + [memoryview(arrays[n]).cast("B") for n in order if arrays[n].nbytes]


def _atomic_write(path, chunks):
    """Write to a fresh temporary file beside `path`, fsync it, rename it over `path`, fsync the
    directory: readers see the old file or the complete new one, never a partial one."""
    directory = os.path.dirname(path)
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory):
    if os.name != "posix":  # directories cannot be opened for fsync elsewhere
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------------- load
def load(f, map_location=None, weights_only=None, mmap=None):
    """Load what `save` wrote (or any safetensors file: then a dict name -> Tensor) from `f`,
    a path or a binary file object. Raises ValueError for anything that is not a well-formed
    safetensors file. `map_location`, `weights_only` and `mmap` are accepted as torch.load's:
    everything is on the CPU, and loading never runs code from the file.
    """
    _check_map_location(map_location)
    buf = _read_all(f)
    header, start = _parse_header(buf)
    metadata = header.pop("__metadata__", None)
    entries = _check_entries(header, metadata, len(buf) - start)
    arrays = {name: _view(buf, start, b, e, dtype, shape) for b, e, name, dtype, shape in entries}
    structure = (metadata or {}).get(_STRUCTURE_KEY)
    if structure is None:  # a plain safetensors file from another tool
        return {name: Tensor._wrap(arrays[name]) for name in header}
    try:
        tree = json.loads(structure, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"load: the {_STRUCTURE_KEY} metadata is not valid JSON: {e}") from None
    return _Decoder(arrays).decode(tree, 0)


def _check_map_location(loc):
    if loc is None or callable(loc) or isinstance(loc, dict):
        return  # every tensor is already on the CPU
    device = loc if isinstance(loc, str) else getattr(loc, "type", None)
    if not isinstance(device, str) or device.split(":")[0] != "cpu":
        raise RuntimeError(f"load: map_location={loc!r} is not available: retroprop runs on the CPU only")


def _read_all(f):
    """The file's bytes in a writable, aligned NumPy buffer (so tensors can view it)."""
    if hasattr(f, "read"):
        return np.frombuffer(f.read(), dtype=np.uint8).copy()
    with open(os.fspath(f), "rb") as src:
        size = os.fstat(src.fileno()).st_size
        buf = np.empty(size, dtype=np.uint8)
        view, got = memoryview(buf), 0
        while got < size:
            n = src.readinto(view[got:])
            if not n:
                break
            got += n
    return buf[:got]


def _parse_header(buf):
    total = len(buf)
    if total < 8:
        raise ValueError(f"load: not a safetensors file: {total} bytes is too short for the 8-byte header length")
    if bytes(buf[:4]) == b"PK\x03\x04":
        raise ValueError("load: this looks like a PyTorch zip (pickle) checkpoint; retroprop.load reads only "
                         "safetensors files and never unpickles")
    n = int.from_bytes(bytes(buf[:8]), "little")
    if n > total - 8:
        raise ValueError(f"load: header length {n} exceeds the file size ({total} bytes)")
    if n > _MAX_HEADER:
        raise ValueError(f"load: header length {n} exceeds the limit of {_MAX_HEADER} bytes")
    try:
        text = bytes(buf[8:8 + n]).decode("utf-8")
    except UnicodeDecodeError:
        raise ValueError("load: header is not valid UTF-8") from None
    if not text.startswith("{"):
        raise ValueError("load: header does not start with '{'")
    try:
        header = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise ValueError(f"load: header is not valid JSON: {e}") from None
    return header, 8 + n


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"duplicate key {k!r}")
        out[k] = v
    return out


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def _is_int(x):
    return isinstance(x, int) and not isinstance(x, bool)


def _check_entries(header, metadata, buffer_len):
    """Each tensor's (begin, end, name, dtype, shape), sorted by offset, after checking that the
    entries are well formed, inside the buffer, consistent with dtype x shape, and tile the
    buffer exactly (no overlap, no gap), as the safetensors specification requires."""
    if metadata is not None and not (isinstance(metadata, dict) and
                                     all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items())):
        raise ValueError("load: __metadata__ must map strings to strings")
    entries = [_check_entry(name, info, buffer_len) for name, info in header.items()]
    entries.sort(key=lambda e: (e[0], e[1]))
    pos = 0
    for b, e, name, _, _ in entries:
        if b != pos:
            raise ValueError(f"load: tensor {name!r} starts at byte {b} of the buffer but the previous tensor ends "
                             f"at {pos} (tensors overlap or leave a gap)")
        pos = e
    if pos != buffer_len:
        raise ValueError(f"load: tensors cover {pos} bytes but the data buffer holds {buffer_len}")
    return entries


def _check_entry(name, info, buffer_len):
    where = f"load: tensor {name!r}"
    if not isinstance(info, dict) or set(info) != {"dtype", "shape", "data_offsets"}:
        raise ValueError(f"{where}: expected exactly the fields dtype, shape and data_offsets")
    dtype = _ST_DTYPES.get(info["dtype"]) if isinstance(info["dtype"], str) else None
    if dtype is None:
        raise ValueError(f"{where}: unknown or unsupported dtype {info['dtype']!r}")
    shape = info["shape"]
    if not isinstance(shape, list) or not all(_is_int(s) and s >= 0 for s in shape):
        raise ValueError(f"{where}: shape must be a list of non-negative integers, got {shape!r}")
    offsets = info["data_offsets"]
    if not (isinstance(offsets, list) and len(offsets) == 2 and all(_is_int(o) for o in offsets)):
        raise ValueError(f"{where}: data_offsets must be two integers, got {offsets!r}")
    b, e = offsets
    if not 0 <= b <= e <= buffer_len:
        raise ValueError(f"{where}: data_offsets {offsets} lie outside the {buffer_len}-byte data buffer")
    nbytes = math.prod(shape) * dtype.itemsize
    if e - b != nbytes:
        raise ValueError(f"{where}: data_offsets span {e - b} bytes but {info['dtype']} x {shape} needs {nbytes}")
    return b, e, name, dtype, tuple(shape)


def _view(buf, start, b, e, dtype, shape):
    arr = buf[start + b:start + e].view(dtype).reshape(shape)
    if not dtype.isnative:
        arr = arr.astype(dtype.newbyteorder("="))
    return arr if arr.flags.aligned else arr.copy()  # foreign files need not align their tensors


class _Decoder:
    """Rebuilds the saved object from its JSON structure and the loaded arrays."""

    def __init__(self, arrays):
        self.arrays = arrays
        self._made = {}  # (kind, name) -> object: a tensor saved once per id comes back shared

    def decode(self, node, depth):
        if depth > _MAX_DEPTH:
            raise ValueError(f"load: structure nested deeper than {_MAX_DEPTH} levels")
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if isinstance(node, list):
            return [self.decode(x, depth + 1) for x in node]
        if isinstance(node, dict):
            return self._tagged(node, depth)
        raise ValueError(f"load: unrecognised structure node {node!r:.80}")

    def _tagged(self, node, depth):
        keys = set(node)
        if keys == {"dict"} and isinstance(node["dict"], dict):
            return {k: self.decode(v, depth + 1) for k, v in node["dict"].items()}
        if keys == {"items"} and isinstance(node["items"], list):
            return dict(self._item(pair, depth) for pair in node["items"])
        if keys == {"tuple"} and isinstance(node["tuple"], list):
            return tuple(self.decode(x, depth + 1) for x in node["tuple"])
        if keys == {"float"} and node["float"] in ("nan", "inf", "-inf"):
            return float(node["float"])
        for kind in ("tensor", "parameter", "ndarray", "npscalar"):
            if kind in node and keys <= {kind, "requires_grad"}:
                return self._leaf(kind, node[kind], node.get("requires_grad", kind == "parameter"))
        raise ValueError(f"load: unrecognised structure node {node!r:.80}")

    def _item(self, pair, depth):
        if not (isinstance(pair, list) and len(pair) == 2):
            raise ValueError(f"load: a dict item must be a [key, value] pair, got {pair!r:.80}")
        key = self.decode(pair[0], depth + 1)
        try:
            hash(key)
        except TypeError:
            raise ValueError(f"load: dict key {key!r:.80} is not hashable") from None
        return key, self.decode(pair[1], depth + 1)

    def _leaf(self, kind, name, requires_grad):
        if not isinstance(name, str) or name not in self.arrays:
            raise ValueError(f"load: the structure refers to tensor {name!r:.80}, which the file does not hold")
        if not isinstance(requires_grad, bool):
            raise ValueError(f"load: requires_grad of tensor {name!r} must be a bool")
        if (kind, name) not in self._made:
            self._made[(kind, name)] = self._make(kind, self.arrays[name], requires_grad, name)
        return self._made[(kind, name)]

    @staticmethod
    def _make(kind, arr, requires_grad, name):
        if kind == "ndarray":
            return arr
        if kind == "npscalar":
            if arr.ndim != 0:
                raise ValueError(f"load: NumPy scalar {name!r} has shape {arr.shape}, expected ()")
            return arr[()]
        if requires_grad and arr.dtype.kind != "f":
            raise ValueError(f"load: tensor {name!r} of dtype {arr.dtype} cannot require grad")
        if kind == "parameter":
            return Parameter(Tensor._wrap(arr), requires_grad=requires_grad)
        t = Tensor._wrap(arr)
        t.requires_grad = requires_grad
        return t
