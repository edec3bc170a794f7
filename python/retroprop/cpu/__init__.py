"""retroprop.cpu: torch.cpu's device queries for the one device retroprop runs on."""
from . import amp


def is_available():
    return True


def device_count():
    return 1


def current_device():
    return "cpu"


def synchronize(device=None):
    """Wait for the CPU's queued work: retroprop's ops finish before they return, so nothing waits."""


__all__ = ["amp", "current_device", "device_count", "is_available", "synchronize"]
