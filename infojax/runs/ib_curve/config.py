"""The default IB-curve config: VIB on the 12-bit task, 12 values of beta x 3 seeds.

Every beta and seed (and a deterministic network of the same size, the baseline)
trains in one compiled program. It is also the reference every IB-curve config is
checked against: a field it lacks is unknown, one it has is required, and values take
its types. ``configs/ib_curve/nib.py`` and ``ceb.py`` switch the objective.

    python -m experiments.main --config=configs/ib_curve/default.py
"""

import ml_collections

from infojax.runs._distributed import distributed_config


def get_config() -> ml_collections.ConfigDict:
    config = ml_collections.ConfigDict()
    config.experiment = "ib_curve"
    # Network m of a run (beta index b, seed s: m = b * seeds + s; the baselines
    # last) starts from fold_in(key(seed), m).
    config.seed = 0
    config.seeds = 3

    # "vib" (Alemi et al. 2017), "nib" (nonlinear IB, Kolchinsky et al. 2019) or
    # "ceb" (Fischer 2020).
    config.objective = "vib"
    # beta, log-spaced from min to max (count values); the loss is
    # distortion + beta * rate (nats).
    config.beta = ml_collections.ConfigDict()
    config.beta.min = 1e-3
    config.beta.max = 1.0
    config.beta.count = 12
    # Also train `seeds` deterministic networks of the same size with plain
    # cross-entropy (no noise, beta = 0), to compare accuracies.
    config.baseline = True

    config.data = ml_collections.ConfigDict()
    config.data.name = "twelve_bit"  # or "digits", "mnist" (with data.path)
    config.data.seed = 0  # the generated task's labels
    config.data.path = ""  # a local file (var_u.mat, MNIST .npz or IDX directory)
    config.data.test_fraction = 0.2  # MNIST keeps its own test set
    config.data.split_seed = 0

    config.model = ml_collections.ConfigDict()
    config.model.encoder_widths = (64, 32)  # hidden layers of the encoder
    config.model.latent_features = 4  # K, the size of Z
    config.model.decoder_widths = ()  # () : a softmax regression on Z, as Alemi et al.
    config.model.activation = "relu"
    # VIB and CEB: encoder std = softplus(a(x) - std_offset) (5 in Alemi et al.).
    config.model.std_offset = 5.0
    # VIB: "normal" (rate = KL to N(0, I)) or "mixture" (a learned mixture marginal
    # of `prior_components` Gaussians, rate sampled).
    config.model.prior = "normal"
    config.model.prior_components = 10
    # Nonlinear IB: the initial noise std, trained with the network when learn_noise;
    # power 1 is the IB Lagrangian, 2 the squared-IB functional.
    config.model.noise_std = 1.0
    config.model.learn_noise = True
    config.model.power = 1

    config.optimizer = ml_collections.ConfigDict()
    config.optimizer.name = "adam"
    config.optimizer.learning_rate = 1e-3

    config.train = ml_collections.ConfigDict()
    config.train.epochs = 600
    config.train.batch_size = 256
    # Epochs per compiled chunk: rows are written and a checkpoint saved after each.
    config.train.chunk_epochs = 200

    config.tracking = ml_collections.ConfigDict()
    config.tracking.epochs = ml_collections.ConfigDict()
    config.tracking.epochs.count = 12
    config.tracking.epochs.spacing = "log"
    # Draws of Z per input for the reported distortion, rate and accuracy (the
    # prediction averages the softmax over them, as Alemi et al.).
    config.tracking.samples = 12
    # The mixture bounds and estimates of I(X;Z) and I(Z;Y) use at most this many
    # inputs of each split (a fixed random subset when the split is larger): their
    # cost grows as the square of it, and I(X;Z) <= log2 of it.
    config.tracking.max_points = 1024

    # What the report shows (changing it on resume is allowed: it computes nothing).
    config.report = ml_collections.ConfigDict()
    # The split ("train" or "test") of the information plane over training
    # (information_plane.png).
    config.report.plane_split = "train"

    # Runs across processes and hosts (jax.distributed): see infojax.runs.distributed_config.
    config.distributed = distributed_config()
    # On a CPU host: split it into this many JAX devices, the networks sharded over
    # them; 0 keeps one CPU device.
    config.cpu_devices = 2
    config.progress = True
    return config
