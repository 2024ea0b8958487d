"""The default information-plane config: a tanh network on the 12-bit task, short.

The architecture, data and estimators of Shwartz-Ziv & Tishby (2017) and Saxe et al.
(2018) (``configs/information_plane/tanh.py`` is the full reproduction), with fewer
seeds and epochs so that it finishes in about a minute on two CPU cores. It is also the
reference every information-plane config is checked against: a field it lacks is
unknown, one it has is required, and values take its types.

    python -m experiments.main --config=configs/information_plane/default.py
"""

import ml_collections

from infojax.runs._distributed import distributed_config


def get_config() -> ml_collections.ConfigDict:
    config = ml_collections.ConfigDict()
    config.experiment = "information_plane"
    # Seed i of a run uses fold_in(key(seed), i): its own initial weights and
    # minibatch order.
    config.seed = 0
    config.seeds = 10

    config.data = ml_collections.ConfigDict()
    config.data.name = "twelve_bit"
    config.data.seed = 0  # the generated task's labels
    config.data.path = ""  # e.g. "../shared/data/var_u.mat": the original task file
    config.data.test_fraction = 0.2
    config.data.split_seed = 0

    config.model = ml_collections.ConfigDict()
    # Layer sizes from the input to the output (12-10-7-5-4-3-2).
    config.model.widths = (12, 10, 7, 5, 4, 3, 2)
    config.model.activation = "tanh"
    config.model.noise_std = 0.0

    config.optimizer = ml_collections.ConfigDict()
    config.optimizer.name = "adam"
    config.optimizer.learning_rate = 4e-4

    config.train = ml_collections.ConfigDict()
    config.train.epochs = 2000
    config.train.batch_size = 256
    # Epochs per compiled chunk: rows are written and a checkpoint saved after each.
    config.train.chunk_epochs = 250

    config.tracking = ml_collections.ConfigDict()
    config.tracking.epochs = ml_collections.ConfigDict()
    config.tracking.epochs.count = 100
    config.tracking.epochs.spacing = "log"
    # label -> estimator name and options; the label names the rows and figures.
    config.tracking.estimators = ml_collections.ConfigDict()
    config.tracking.estimators.bins30 = ml_collections.ConfigDict(
        {"name": "binning", "n_bins": 30, "value_range": (-1.0, 1.0)}
    )
    config.tracking.estimators.kde = ml_collections.ConfigDict(
        {"name": "kde", "noise_variance": 0.1, "bound": "upper"}
    )

    # Runs across processes and hosts (jax.distributed): see infojax.runs.distributed_config.
    config.distributed = distributed_config()
    # On a CPU host: split it into this many JAX devices, the seeds sharded over them
    # (one shard per core: 1.24x faster on 2 cores); 0 keeps one CPU device. GPU and
    # TPU hosts keep their devices either way. Results agree to float rounding.
    config.cpu_devices = 2
    config.progress = True
    return config
