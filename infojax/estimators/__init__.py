"""Information quantities estimated from samples.

Every estimator takes one sample set and returns one scalar (nats unless ``base`` is
given); batch over seeds, tasks or layers with ``jax.vmap``. All are registered by
name in :data:`infojax.estimators.ESTIMATORS`.
"""

# Registry.
from infojax._registry import ESTIMATORS
from infojax._registry import EstimatorSpec
from infojax._registry import get_estimator
from infojax._registry import list_estimators

# --- discrete, binning, Gaussian (modules _discrete.py, _binning.py, _gaussian.py) ---
# (imports added here by their author)

# --- nearest-neighbour and kernel (modules _neighbours.py, _kernel.py) ---
# (imports added here by their author)

__all__ = [
    "ESTIMATORS",
    "EstimatorSpec",
    "get_estimator",
    "list_estimators",
]
