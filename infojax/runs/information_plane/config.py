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
    # The inputs every layer is measured on, any of "all" (the papers' choice: Saxe et
    # al.'s FULL_MI), "train" and "test"; one row per split. With both "train" and
    # "test" the report adds the generalisation gap I(T;Y) train minus test.
    config.tracking.splits = ("all",)
    # label -> estimator name and options; the label names the rows and figures.
    # The settings of Saxe et al.'s reference code for the 12-bit network
    # (IBnet_ComputeMI.ipynb): KDE noise variance 1e-3 and bins of width 0.07 (here
    # anchored at 0 as theirs: -1.05 = -15 x 0.07), beside Shwartz-Ziv & Tishby's 30
    # bins over [-1, 1] (`bin_width_007`: width 0.07; labels cannot hold dots).
    config.tracking.estimators = ml_collections.ConfigDict()
    config.tracking.estimators.bins30 = ml_collections.ConfigDict(
        {"name": "binning", "n_bins": 30, "value_range": (-1.0, 1.0)}
    )
    config.tracking.estimators.bin_width_007 = ml_collections.ConfigDict(
        {"name": "binning", "bin_width": 0.07, "value_range": (-1.05, 1.05)}
    )
    config.tracking.estimators.kde = ml_collections.ConfigDict(
        {"name": "kde", "noise_variance": 1e-3, "bound": "upper"}
    )
    # Per-layer statistics of the weight gradients over the minibatches of each
    # measured epoch (Shwartz-Ziv & Tishby's drift and diffusion phases): the columns
    # grad_mean, grad_std, grad_snr and weight_norm.
    config.tracking.gradients = True
    # Partial information decomposition of the label with a layer's units as sources,
    # on the bins of the binning estimator labelled here ("" turns it off): see
    # configs/information_plane/pid.py.
    config.tracking.pid = ml_collections.ConfigDict()
    config.tracking.pid.estimator = ""
    # The noisy network of Goldfeld et al. (2019) (needs model.noise_std > 0): I(X;T)
    # and I(T;Y) of every noisy hidden layer by sample propagation, `samples` draws of
    # the noise per input ("noisy" rows); 0 turns it off. See configs/information_plane/noisy.py.
    config.tracking.noisy = ml_collections.ConfigDict()
    config.tracking.noisy.samples = 0
    config.tracking.noisy.draws = 1

    # Runs across processes and hosts (jax.distributed): see infojax.runs.distributed_config.
    config.distributed = distributed_config()
    # On a CPU host: split it into this many JAX devices, the seeds sharded over them
    # (one shard per core: 1.24x faster on 2 cores); 0 keeps one CPU device. GPU and
    # TPU hosts keep their devices either way. Results agree to float rounding.
    config.cpu_devices = 2
    config.progress = True
    return config
