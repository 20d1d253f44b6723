"""The national portal."""
