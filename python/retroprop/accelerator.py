"""retroprop.accelerator: no accelerator exists for retroprop (it runs on the CPU only)."""


def is_available():
    return False


def device_count():
    return 0


def current_accelerator(check_available=False):
    return None
