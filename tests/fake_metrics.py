"""Made-up metrics rows of an information-plane run, with values easy to check by hand."""


def information_plane_rows(epochs, seeds=2, layers=2, estimators=("bins", "kde")):
    for epoch in epochs:
        for seed in range(seeds):
            for layer in range(1, layers + 1):
                for estimator in estimators:
                    yield (
                        epoch,
                        seed,
                        layer,
                        estimator,
                        float(epoch + layer),
                        0.1 * layer + seed,
                        1.0 / (epoch + 1),
                        0.5 + 0.01 * seed,
                        1.1 / (epoch + 1),
                        0.5,
                    )
