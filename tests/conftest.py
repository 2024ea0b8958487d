"""Test configuration: tests run in JAX's default precision, as users run.

``jax_enable_x64`` is off, so JAX makes float32 arrays by default. A test marked
``@pytest.mark.float64`` (or a module with ``pytestmark = pytest.mark.float64``) runs
inside ``jax.enable_x64(True)``: it is for tests that build float64 inputs (to check
that the result's dtype follows the input) or that need float64 precision for a tight
comparison with a reference. Only the test call and its function-scoped fixtures run
with x64; arrays built at import or collection time are built without it.

The tests leave JAX's persistent compilation cache off (``INFOJAX_COMPILATION_CACHE``,
which the command line turns on): they write nothing under the user's cache folder, and
the tests of the cache set the variable themselves.
"""

import os

import jax
import pytest

os.environ.setdefault("INFOJAX_COMPILATION_CACHE", "off")


@pytest.fixture(autouse=True)
def _float64_when_marked(request):
    if request.node.get_closest_marker("float64") is None:
        yield
        return
    with jax.enable_x64(True):
        yield
