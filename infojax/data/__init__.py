"""infojax.data."""
