"""A clear error for torch names retroprop does not provide (say `torch.nn.Conv2d`).

Raised from a module-level `__getattr__` at the point of use. It is both an AttributeError (so
`hasattr` and feature probes keep working) and a NotImplementedError (so it reads as what it is).
"""


class NotImplementedByRetroprop(AttributeError, NotImplementedError):
    pass


def missing_name(module_name, name, available):
    """The error for `module_name.name`, listing what the module does provide."""
    if name.startswith("__") and name.endswith("__"):
        return AttributeError(f"module '{module_name}' has no attribute '{name}'")
    return NotImplementedByRetroprop(
        f"{module_name}.{name} is not implemented by retroprop (the torch-shaped '{module_name}' provides: "
        f"{', '.join(sorted(n for n in available if not n.startswith('_')))})"
    )
