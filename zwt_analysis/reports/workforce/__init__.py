"""workforce."""
