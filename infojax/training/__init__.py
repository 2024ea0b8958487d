"""Pure training of Flax NNX models with Optax on any loss function: one seed per
function, many seeds with ``vmap``, epochs with ``lax.scan``, the seed axis sharded
over devices."""

from infojax.training._gradient_statistics import GradientStatistics
from infojax.training._optimizers import make_optimizer
from infojax.training._seeds import SEED_AXIS
from infojax.training._seeds import padded_seed_count
from infojax.training._seeds import replicated
from infojax.training._seeds import run_epochs
from infojax.training._seeds import seed_keys
from infojax.training._seeds import seed_mesh
from infojax.training._seeds import seed_sharding
from infojax.training._trainer import LossFn
from infojax.training._trainer import Trainer
from infojax.training._trainer import TrainState
from infojax.training._trainer import shuffled_indices

__all__ = [
    "SEED_AXIS",
    "GradientStatistics",
    "LossFn",
    "TrainState",
    "Trainer",
    "make_optimizer",
    "padded_seed_count",
    "replicated",
    "run_epochs",
    "seed_keys",
    "seed_mesh",
    "seed_sharding",
    "shuffled_indices",
]
