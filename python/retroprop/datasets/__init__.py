"""Small datasets bundled with retroprop, loaded without network access."""
from .digits import Bunch, load_digits

__all__ = ["Bunch", "load_digits"]
