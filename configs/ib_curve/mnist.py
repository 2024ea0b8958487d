"""VIB on MNIST as Alemi et al. (ICLR 2017): a 784-1024-1024 encoder, K = 256, a
softmax decoder, batch 100, Adam at 1e-4, 200 epochs; 13 values of beta from 1e-4 to
1e-1 (1e-3, their reference point, among them). MNIST is read from local files
(nothing is downloaded): give their path,

    python -m experiments.main --config=configs/ib_curve/mnist.py \\
        --config.data.path=/path/to/mnist.npz

(an .npz with x_train, y_train, x_test, y_test, or a directory of the IDX files).
Alemi et al. report 1.13 % test error at beta = 1e-3 (with a learning-rate decay and
a moving average of the weights that this config does not use).
"""

import ml_collections

from infojax.runs.ib_curve import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.data.name = "mnist"
    config.seeds = 1
    config.beta.min = 1e-4
    config.beta.max = 1e-1
    config.beta.count = 13
    config.model.encoder_widths = (1024, 1024)
    config.model.latent_features = 256
    config.optimizer.learning_rate = 1e-4
    config.train.epochs = 200
    config.train.batch_size = 100
    config.train.chunk_epochs = 10
    config.tracking.epochs.count = 10
    config.tracking.max_points = 2048
    return config
