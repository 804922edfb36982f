"""prevention."""
