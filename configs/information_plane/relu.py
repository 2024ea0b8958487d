"""The ReLU counterpart of tanh.py (Saxe et al. 2018): same task, network, training
and measured epochs (tanh.py's changes to the default, repeated here so that this file
imports only infojax; tests check the two agree), ReLU hidden layers, bins over each
layer's observed range (the width-0.07 bins start at the layer's minimum, 0 for ReLU
units, as in Saxe et al.'s code, which bins ReLU layers from 0 without an upper end)."""

import ml_collections

from infojax.runs.information_plane import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.seeds = 50
    config.train.epochs = 8000
    config.train.chunk_epochs = 500
    config.tracking.epochs.count = 250
    config.model.activation = "relu"
    config.tracking.estimators.bins30.value_range = None
    config.tracking.estimators.bin_width_007.value_range = None
    return config
