"""infojax.training."""
