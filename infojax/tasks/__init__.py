"""infojax.tasks."""
