"""Test configuration: float64 is enabled so both precisions can be checked.

Tests that check float32 pass float32 inputs explicitly; the library never relies on
the global default dtype.
"""

import jax

jax.config.update("jax_enable_x64", True)
