"""Grad mode: whether operations record themselves for backward (no_grad / enable_grad)."""
import functools
import threading

class _State(threading.local):
    enabled = True  # the class attribute is every new thread's default


_state = _State()


def is_grad_enabled():
    return _state.enabled


def set_grad_enabled_flag(mode):
    _state.enabled = bool(mode)


class _GradMode:
    """Context manager and decorator that sets grad mode for its extent, restoring it after."""

    _mode = True

    def __new__(cls, *args):
        if len(args) == 1 and callable(args[0]) and cls is not set_grad_enabled:
            return cls()(args[0])  # used as @no_grad, without parentheses
        return super().__new__(cls)

    def __enter__(self):
        self._prev = is_grad_enabled()
        set_grad_enabled_flag(self._mode)
        return self

    def __exit__(self, *exc):
        set_grad_enabled_flag(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Operations inside do not record a graph (torch.no_grad)."""

    _mode = False


class enable_grad(_GradMode):
    """Operations inside record a graph even within no_grad (torch.enable_grad)."""

    _mode = True


class set_grad_enabled(_GradMode):
    """Sets grad mode to `mode` on construction, and for a with-block's extent (torch.set_grad_enabled)."""

    def __init__(self, mode):
        self._prev = is_grad_enabled()
        self._mode = bool(mode)
        set_grad_enabled_flag(self._mode)

    def __enter__(self):
        return self

    def __call__(self, fn):
        set_grad_enabled_flag(self._prev)
        mode = self._mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            prev = is_grad_enabled()
            set_grad_enabled_flag(mode)
            try:
                return fn(*args, **kwargs)
            finally:
                set_grad_enabled_flag(prev)

        return wrapper


class inference_mode(_GradMode):
    """torch.inference_mode: like no_grad here (retroprop has no separate inference tensors)."""

    def __init__(self, mode=True):
        self._mode = not mode
