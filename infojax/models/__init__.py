"""infojax.models."""
