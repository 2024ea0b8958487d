"""infojax.tracking."""
