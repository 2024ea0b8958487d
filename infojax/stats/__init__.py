"""infojax.stats."""
