"""Made-up metrics rows of the experiments' runs, with values easy to check by hand."""

import math

from infojax.runs import ib_curve
from infojax.runs import information_plane


def information_plane_rows(epochs, seeds=2, layers=2, estimators=("bins", "kde"), splits=("all",)):
    """Rows of an information-plane run in the default schema's column order.

    With ``e`` the epoch, ``l`` the layer, ``s`` the seed and ``t`` = 0, 1, 2 for the
    splits all, train, test: I(X;T) = e + l, I(T;Y) = 0.1 l + s - 0.05 t bits;
    train loss 1 / (e + 1), train accuracy 0.5 + 0.01 s, test loss 1.1 / (e + 1),
    test accuracy 0.5; gradient mean 1 / (e + 1) + 0.1 s, std 0.5 l, their ratio, and
    weight norm e + l.
    """
    for epoch in epochs:
        for seed in range(seeds):
            for split in splits:
                t = ("all", "train", "test").index(split)
                for layer in range(1, layers + 1):
                    grad_mean, grad_std = 1.0 / (epoch + 1) + 0.1 * seed, 0.5 * layer
                    for estimator in estimators:
                        yield information_plane.SCHEMA.row(
                            {
                                "epoch": epoch,
                                "seed": seed,
                                "split": split,
                                "layer": layer,
                                "estimator": estimator,
                                "input_information_bits": float(epoch + layer),
                                "label_information_bits": 0.1 * layer + seed - 0.05 * t,
                                "grad_mean": grad_mean,
                                "grad_std": grad_std,
                                "grad_snr": grad_mean / grad_std,
                                "weight_norm": float(epoch + layer),
                                "train_loss": 1.0 / (epoch + 1),
                                "train_accuracy": 0.5 + 0.01 * seed,
                                "test_loss": 1.1 / (epoch + 1),
                                "test_accuracy": 0.5,
                            }
                        )


# The experiment's own header: the rows below are written in its column order.
IB_CURVE_COLUMNS = ib_curve.COLUMNS


def ib_curve_rows(epochs, betas=(0.01, 0.1, 1.0), seeds=2, splits=("train", "test"), baseline=True):
    """Rows of an ib_curve run, in ``IB_CURVE_COLUMNS`` order.

    With ``e`` the epoch, ``b`` the beta index, ``s`` the seed and ``t`` = 0 for train,
    1 for test: I(X;Z) in [2 - 0.5 b + 0.1 s + 0.1 e, that + 1] bits; I(Z;Y) in
    [0.5 - 0.1 b + 0.1 s - 0.1 t, that + 0.2] bits; each estimate at the middle of its
    bracket with standard error 0.01; rate 4 - b + 0.2 s nats;
    distortion 0.2 + 0.1 b + 0.1 t nats; accuracy 0.9 - 0.1 b + 0.02 s - 0.1 t,
    single-draw accuracy 0.05 below it. The deterministic baseline (beta_index -1,
    beta 0): distortion 0.1 + 0.1 t nats, accuracy (both) 0.95 + 0.02 s - 0.1 t, NaN
    rate and information.
    """
    for epoch in epochs:
        for seed in range(seeds):
            for split in splits:
                test = float(split == "test")
                if baseline:
                    distortion = 0.1 + 0.1 * test
                    accuracy = 0.95 + 0.02 * seed - 0.1 * test
                    information = (math.nan,) * 8
                    yield (
                        epoch,
                        -1,
                        0.0,
                        seed,
                        split,
                        distortion,
                        distortion,
                        math.nan,
                        accuracy,
                        accuracy,
                        *information,
                    )
                for index, beta in enumerate(betas):
                    input_lower = 2 - 0.5 * index + 0.1 * seed + 0.1 * epoch
                    label_lower = 0.5 - 0.1 * index + 0.1 * seed - 0.1 * test
                    rate = 4.0 - index + 0.2 * seed
                    distortion = 0.2 + 0.1 * index + 0.1 * test
                    accuracy = 0.9 - 0.1 * index + 0.02 * seed - 0.1 * test
                    yield (
                        epoch,
                        index,
                        beta,
                        seed,
                        split,
                        distortion + beta * rate,
                        distortion,
                        rate,
                        accuracy,
                        accuracy - 0.05,
                        input_lower + 0.5,
                        0.01,
                        input_lower,
                        input_lower + 1.0,
                        label_lower + 0.1,
                        0.01,
                        label_lower,
                        label_lower + 0.2,
                    )
