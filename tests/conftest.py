"""Test configuration: tests run in JAX's default precision, as users run.

``jax_enable_x64`` is off, so JAX makes float32 arrays by default. A test marked
``@pytest.mark.float64`` (or a module with ``pytestmark = pytest.mark.float64``) runs
inside ``jax.enable_x64(True)``: it is for tests that build float64 inputs (to check
that the result's dtype follows the input) or that need float64 precision for a tight
comparison with a reference. Only the test call and its function-scoped fixtures run
with x64; arrays built at import or collection time are built without it.
"""

import jax
import pytest


@pytest.fixture(autouse=True)
def _float64_when_marked(request):
    if request.node.get_closest_marker("float64") is None:
        yield
        return
    with jax.enable_x64(True):
        yield
