"""The ReLU counterpart of tanh.py (Saxe et al. 2018): same task, network, training
and measured epochs (tanh.py's changes to the default, repeated here so that this file
imports only infojax; tests check the two agree), ReLU hidden layers, bins over each
layer's observed range."""

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
    return config
