"""infojax.io."""
