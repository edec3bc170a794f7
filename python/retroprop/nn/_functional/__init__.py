"""Implementation of retroprop.nn.functional, split by concern (linear, losses, the rest)."""
