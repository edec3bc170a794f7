"""The demo (`python -m retroprop.demo`) and the NumPy baseline it is compared with."""
