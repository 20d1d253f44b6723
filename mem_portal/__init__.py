"""The mem portal."""
