"""infojax.bounds."""
