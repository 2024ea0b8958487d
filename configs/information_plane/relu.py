"""The ReLU counterpart of tanh.py (Saxe et al. 2018): same task, network and
training, ReLU hidden layers, bins over each layer's observed range."""

import ml_collections

from configs.information_plane import tanh


def get_config() -> ml_collections.ConfigDict:
    config = tanh.get_config()
    config.model.activation = "relu"
    config.tracking.estimators.bins30.value_range = None
    return config
