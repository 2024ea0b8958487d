"""The noisy network's information plane and clustering, and its report.

References: 1-D numerical integration (scipy.integrate.quad) of Gaussian channels with
two and four inputs; the pairwise-distance brackets of Kolchinsky & Tracey
(``kde_information_plane``, ``gaussian_mixture_information_bounds``) for a first layer;
the Monte Carlo estimators of :mod:`infojax.measures` on the same points; a NumPy loop
for the clustering; made-up metrics for the report.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.integrate
from flax import nnx

from infojax.estimators import kde_information_plane
from infojax.measures import gaussian_mixture_information_bounds
from infojax.measures import gaussian_mixture_information_estimate
from infojax.measures import noisy_network_input_information
from infojax.models import MLP
from infojax.models import noisy_layer_centres
from infojax.runs.information_plane._report_noisy import noisy_summary
from infojax.runs.information_plane._report_noisy import plot_noisy
from infojax.tracking import NoisyPlane
from infojax.tracking import noisy_information_plane

LOG2 = math.log(2)


def normal_pdf(t, mean, std):
    return np.exp(-0.5 * ((t - mean) / std) ** 2) / (std * np.sqrt(2 * np.pi))


def mixture_entropy(means, std):
    """Differential entropy (nats) of the equal-weight 1-D mixture of N(mean, std^2), by quad."""
    means = np.asarray(means, float)

    def integrand(t):
        p = np.mean(normal_pdf(t, means, std))
        return -p * np.log(p) if p > 0 else 0.0

    low, high = means.min() - 12 * std, means.max() + 12 * std
    entropy, _ = scipy.integrate.quad(integrand, low, high, limit=400, points=list(means))
    return entropy


def channel_informations(means, labels, std):
    """(I(X;T), I(T;Y)) in bits for T = mu_X + Z, X uniform, by 1-D quadrature."""
    means, labels = np.asarray(means, float), np.asarray(labels)
    noise_entropy = 0.5 * np.log(2 * np.pi * np.e * std**2)
    total = mixture_entropy(means, std)
    conditional = sum(
        np.mean(labels == y) * mixture_entropy(means[labels == y], std) for y in np.unique(labels)
    )
    return (total - noise_entropy) / LOG2, (total - conditional) / LOG2


def linear_model(kernel, noise_std, dtype=jnp.float32):
    """One linear hidden layer of width 1 on 1-D inputs: T_1 = kernel * x + Z."""
    model = MLP(
        1, (1,), 2, activation="linear", noise_std=noise_std, param_dtype=dtype, rngs=nnx.Rngs(0)
    )
    model.hidden_layers[0].kernel[...] = jnp.asarray([[kernel]], dtype)
    model.hidden_layers[0].bias[...] = jnp.zeros((1,), dtype)
    return model


def twelve_bit_model(noise_std, widths=(10, 7, 5), seed=0, dtype=jnp.float32):
    return MLP(12, widths, 2, noise_std=noise_std, param_dtype=dtype, rngs=nnx.Rngs(seed))


def bit_inputs(n, dtype=jnp.float32):
    codes = np.arange(n)[:, None] >> np.arange(12)[None, :] & 1
    return jnp.asarray(codes, dtype), jnp.asarray(np.arange(n) % 3 % 2, jnp.int32)


@pytest.mark.float64
@pytest.mark.parametrize("distance, std", [(2.0, 0.5), (0.6, 1.0)])
def test_binary_input_gaussian_channel_matches_quadrature(distance, std):
    model = linear_model(distance, std, jnp.float64)
    x = jnp.asarray([[0.0], [1.0]])
    plane = noisy_information_plane(
        jax.random.key(0), model, x, jnp.asarray([0, 1]), n_classes=2, samples=1, draws=20000
    )
    assert isinstance(plane, NoisyPlane)
    assert plane.input_information.shape == (1,)
    assert plane.input_information.dtype == jnp.float64
    exact, _ = channel_informations([0.0, distance], [0, 1], std)
    for value, error in (
        (plane.input_information, plane.input_information_se),
        # One input per class: I(T;Y) = I(X;T).
        (plane.label_information, plane.label_information_se),
    ):
        assert 0 < float(error[0]) < 0.01
        assert abs(float(value[0]) - exact) < 4 * float(error[0]) + 1e-4


@pytest.mark.float64
def test_label_information_matches_quadrature_of_the_mixture():
    model = linear_model(1.0, 0.7, jnp.float64)
    x = jnp.asarray([[0.0], [1.0], [2.0], [3.5]])
    labels = jnp.asarray([0, 0, 1, 1])
    plane = noisy_information_plane(
        jax.random.key(1), model, x, labels, n_classes=2, samples=1, draws=20000
    )
    input_exact, label_exact = channel_informations([0.0, 1.0, 2.0, 3.5], labels, 0.7)
    assert abs(float(plane.input_information[0]) - input_exact) < (
        4 * float(plane.input_information_se[0]) + 1e-4
    )
    assert abs(float(plane.label_information[0]) - label_exact) < (
        4 * float(plane.label_information_se[0]) + 1e-4
    )


def test_well_separated_and_merged_inputs_give_the_closed_forms():
    x = jnp.asarray([[0.0], [1.0], [2.0], [3.0]])
    separated = noisy_information_plane(
        jax.random.key(2),
        linear_model(100.0, 1.0),
        x,
        jnp.asarray([0, 0, 1, 1]),
        n_classes=2,
        samples=1,
    )
    np.testing.assert_allclose(separated.input_information, [2.0], atol=1e-5)
    np.testing.assert_allclose(separated.label_information, [1.0], atol=1e-5)
    np.testing.assert_allclose(separated.clustering, [0.0], atol=1e-6)
    merged = noisy_information_plane(
        jax.random.key(3),
        linear_model(0.0, 1.0),
        x,
        jnp.asarray([0, 1, 0, 1]),
        n_classes=2,
        samples=2,
    )
    np.testing.assert_allclose(merged.input_information, [0.0], atol=1e-6)
    np.testing.assert_allclose(merged.label_information, [0.0], atol=1e-6)
    np.testing.assert_allclose(merged.clustering, [1.0], rtol=1e-6)


def test_one_class_gives_no_label_information():
    model = twelve_bit_model(0.3)
    x, _ = bit_inputs(32)
    plane = noisy_information_plane(
        jax.random.key(4), model, x, jnp.zeros(32, jnp.int32), n_classes=2, samples=2
    )
    np.testing.assert_allclose(plane.label_information, 0.0, atol=1e-6)
    np.testing.assert_allclose(plane.label_information_se, 0.0, atol=1e-6)


def test_first_layer_lies_inside_the_pairwise_distance_brackets():
    std = 0.3
    model = twelve_bit_model(std)
    x, labels = bit_inputs(256)
    plane = noisy_information_plane(
        jax.random.key(5), model, x, labels, n_classes=2, samples=2, draws=8
    )
    _, hidden = model(x)
    lower, _ = kde_information_plane(
        hidden[0], labels, noise_variance=std**2, bound="lower", base=2
    )
    upper, _ = kde_information_plane(
        hidden[0], labels, noise_variance=std**2, bound="upper", base=2
    )
    bounds = gaussian_mixture_information_bounds(hidden[0], std, labels, n_classes=2, base=2)
    value, error = float(plane.input_information[0]), float(plane.input_information_se[0])
    assert float(lower) < float(upper)
    assert float(lower) - 3 * error < value < float(upper) + 3 * error
    value, error = float(plane.label_information[0]), float(plane.label_information_se[0])
    assert float(bounds.label_lower) - 3 * error < value < float(bounds.label_upper) + 3 * error


def test_equals_the_measures_on_the_same_points():
    model = twelve_bit_model(0.2)
    x, labels = bit_inputs(48)
    key = jax.random.key(6)
    samples, draws = 3, 2
    plane = noisy_information_plane(
        key, model, x, labels, n_classes=2, samples=samples, draws=draws
    )
    centres_key, points_key = jax.random.split(key)
    centres = noisy_layer_centres(centres_key, model, x, samples=samples)
    for layer, layer_centres in enumerate(centres):
        layer_draws = draws
        if layer == 0:
            # The first layer's coinciding centres: one per input, m R points each.
            layer_centres, layer_draws = layer_centres[:, :1], draws * samples
        layer_key = jax.random.fold_in(points_key, layer)
        information = noisy_network_input_information(
            layer_key, layer_centres, noise_std=0.2, draws=layer_draws, base=2
        )
        m, width = layer_centres.shape[1:]
        mixture = gaussian_mixture_information_estimate(
            layer_key,
            layer_centres.reshape(-1, width),
            0.2,
            jnp.repeat(labels, m),
            n_classes=2,
            draws=layer_draws,
            base=2,
        )
        np.testing.assert_allclose(
            plane.input_information[layer], information.information, rtol=1e-5
        )
        np.testing.assert_allclose(
            plane.input_information_se[layer], information.standard_error, rtol=1e-4
        )
        np.testing.assert_allclose(
            plane.label_information[layer], mixture.label_information, rtol=1e-5, atol=1e-6
        )
        np.testing.assert_allclose(
            plane.label_information_se[layer], mixture.label_standard_error, rtol=1e-4
        )


def clustering_loop(means, labels, std):
    total, pairs = 0.0, 0
    for i in range(len(means)):
        for j in range(len(means)):
            if i != j and labels[i] == labels[j]:
                total += math.erfc(np.linalg.norm(means[i] - means[j]) / (2 * math.sqrt(2) * std))
                pairs += 1
    return total / pairs


@pytest.mark.float64
@pytest.mark.parametrize("block_size", [None, 7])
def test_clustering_matches_a_numpy_loop(block_size):
    std = 0.25
    model = twelve_bit_model(std, dtype=jnp.float64)
    x, _ = bit_inputs(40, jnp.float64)
    labels = np.random.default_rng(0).integers(0, 3, 40)
    plane = noisy_information_plane(
        jax.random.key(7),
        model,
        x,
        jnp.asarray(labels),
        n_classes=3,
        samples=1,
        block_size=block_size,
    )
    _, hidden = model(x)
    expected = [clustering_loop(np.asarray(t), labels, std) for t in hidden]
    np.testing.assert_allclose(plane.clustering, expected, rtol=1e-10)
    assert 0 < min(expected) and max(expected) < 1


def test_clustering_is_nan_without_a_same_class_pair():
    x = jnp.asarray([[0.0], [1.0]])
    plane = noisy_information_plane(
        jax.random.key(8), linear_model(1.0, 0.5), x, jnp.asarray([0, 1]), n_classes=2, samples=1
    )
    assert np.isnan(plane.clustering).all()
    assert np.isfinite(plane.input_information).all()


def test_block_size_does_not_change_the_result():
    model = twelve_bit_model(0.2)
    x, labels = bit_inputs(50)
    key = jax.random.key(9)
    default = noisy_information_plane(key, model, x, labels, n_classes=2, samples=2)
    blocked = noisy_information_plane(key, model, x, labels, n_classes=2, samples=2, block_size=7)
    for got, expected in zip(blocked, default, strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)


def test_jit_equals_eager_and_vmap_over_seeds_equals_a_loop():
    x, labels = bit_inputs(64)
    models = [twelve_bit_model(0.2, seed=seed) for seed in (0, 1)]
    graph, _ = nnx.split(models[0])
    states = [nnx.split(model)[1] for model in models]
    keys = jax.random.split(jax.random.key(10), 2)

    def plane(key, state):
        return noisy_information_plane(
            key, nnx.merge(graph, state), x, labels, n_classes=2, samples=2, draws=2
        )

    eager = [plane(key, state) for key, state in zip(keys, states, strict=True)]
    jitted = jax.jit(plane)(keys[0], states[0])
    for got, expected in zip(jitted, eager[0], strict=True):
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7)
    stacked = jax.tree.map(lambda *leaves: jnp.stack(leaves), *states)
    batched = jax.jit(jax.vmap(plane))(keys, stacked)
    for field, got in zip(NoisyPlane._fields, batched, strict=True):
        assert got.shape == (2, 3), field
        expected = np.stack([getattr(result, field) for result in eager])
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-7, err_msg=field)


@pytest.mark.float64
def test_float64_and_float32_agree_and_keep_their_dtype():
    x64, labels = bit_inputs(64, jnp.float64)
    model64 = twelve_bit_model(0.2, dtype=jnp.float64)
    # The initialisers draw different numbers per dtype: give both the float32 weights.
    weights32 = nnx.state(twelve_bit_model(0.2, dtype=jnp.float32), nnx.Param)
    nnx.update(model64, jax.tree.map(lambda value: value.astype(jnp.float64), weights32))
    plane64 = noisy_information_plane(
        jax.random.key(11), model64, x64, labels, n_classes=2, samples=2, draws=4
    )
    model32 = twelve_bit_model(0.2, dtype=jnp.float32)
    plane32 = noisy_information_plane(
        jax.random.key(11),
        model32,
        x64.astype(jnp.float32),
        labels,
        n_classes=2,
        samples=2,
        draws=4,
    )
    for field in NoisyPlane._fields:
        assert getattr(plane64, field).dtype == jnp.float64, field
        assert getattr(plane32, field).dtype == jnp.float32, field
    # Same weights (float32 values), different Monte Carlo points: within their errors.
    # Past the first layer the centres differ too, so allow the spread of the centres.
    error = np.hypot(plane64.input_information_se, plane32.input_information_se)
    difference = np.abs(
        np.asarray(plane64.input_information) - np.asarray(plane32.input_information)
    )
    assert difference[0] < 5 * error[0]
    assert (difference < 5 * error + 0.3).all()
    np.testing.assert_allclose(plane64.clustering, plane32.clustering, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize(
    "change, error, match",
    [
        ({"samples": 0}, ValueError, "`samples`"),
        ({"samples": 1.5}, TypeError, "`samples`"),
        ({"draws": 0}, ValueError, "`draws`"),
        ({"n_classes": 0}, ValueError, "`n_classes`"),
        ({"block_size": 0}, ValueError, "`block_size`"),
        ({"labels": jnp.arange(16) % 3}, ValueError, "`labels` must lie"),
        ({"labels": jnp.zeros(16)}, TypeError, "`labels` must be integers"),
        ({"labels": jnp.zeros(15, jnp.int32)}, ValueError, "`labels` must have shape"),
        ({"x": jnp.zeros((16, 11))}, ValueError, "`x` must have shape"),
        ({"model": "mlp"}, TypeError, "`model`"),
        ({"model": twelve_bit_model(0.0)}, ValueError, "`model.noise_std`"),
        ({"key": None}, TypeError, "`key`"),
    ],
)
def test_bad_arguments_raise_errors_naming_them(change, error, match):
    x, labels = bit_inputs(16)
    arguments = {"key": jax.random.key(0), "model": twelve_bit_model(0.1), "x": x, "labels": labels}
    options = {"n_classes": 2, "samples": 1}
    for name, value in change.items():
        (arguments if name in arguments else options)[name] = value
    with pytest.raises(error, match=match):
        noisy_information_plane(
            arguments["key"], arguments["model"], arguments["x"], arguments["labels"], **options
        )


def test_a_negative_noise_std_is_refused_by_the_model():
    with pytest.raises(ValueError, match="`noise_std`"):
        twelve_bit_model(-0.1)


# The report.

COLUMNS = (
    "epoch",
    "seed",
    "layer",
    "input_information_bits",
    "input_information_se_bits",
    "label_information_bits",
    "label_information_se_bits",
    "clustering",
)
EPOCHS = (0, 1, 2, 4, 8, 16, 32, 64)


def fake_noisy_metrics(coincide: bool, seeds: int = 3) -> dict[str, np.ndarray]:
    """Two layers. I(X;T) rises to a peak at epoch 4 (6 bits) and falls 0.5 bit per
    logged epoch after it. Clustering is 0.1 + 0.1 per logged epoch after the peak when
    ``coincide`` (it rises as I(X;T) falls); otherwise it falls 0.05 per logged epoch.
    Seeds differ by 0.01 s."""
    rows = []
    peak = EPOCHS.index(4)
    for index, epoch in enumerate(EPOCHS):
        after = max(index - peak, 0)
        for seed in range(seeds):
            for layer in (1, 2):
                jitter = 0.01 * seed
                information = (
                    6.0 - (peak - index) if index < peak else 6.0 - 0.5 * after
                ) - 0.1 * layer
                clustering = 0.1 + (0.1 * after if coincide else 0.5 - 0.05 * index)
                rows.append(
                    (
                        epoch,
                        seed,
                        layer,
                        information + jitter,
                        0.01,
                        0.5 + jitter,
                        0.01,
                        clustering + jitter,
                    )
                )
    columns = np.asarray(rows, dtype=float).T
    metrics = dict(zip(COLUMNS, columns, strict=True))
    for name in ("epoch", "seed", "layer"):
        metrics[name] = metrics[name].astype(int)
    return metrics


def test_plot_noisy_writes_a_png(tmp_path):
    path = tmp_path / "noisy.png"
    plot_noisy(fake_noisy_metrics(True), path, title="fake")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_noisy_refuses_empty_metrics(tmp_path):
    empty = {name: np.zeros(0) for name in COLUMNS}
    with pytest.raises(ValueError, match="`metrics`"):
        plot_noisy(empty, tmp_path / "noisy.png")


def test_summary_says_compression_and_clustering_coincide():
    text = "\n".join(noisy_summary(fake_noisy_metrics(True)))
    assert "| 1 | 4 |" in text and "| 2 | 4 |" in text
    # The fall after the peak: 6 - 0.1 - (6 - 0.1 - 0.5 * 4) = 2 bits in both layers.
    assert "2.000" in text
    assert "Spearman -1.00" in text and "Pearson -1.00" in text
    assert "coincide in layers 1, 2" in text
    assert "do not coincide" not in text


def test_summary_says_when_they_do_not_coincide():
    text = "\n".join(noisy_summary(fake_noisy_metrics(False)))
    assert "Spearman 1.00" in text
    assert "do not coincide in layers 1, 2" in text


def test_summary_makes_no_claim_with_one_seed():
    text = "\n".join(noisy_summary(fake_noisy_metrics(True, seeds=1)))
    assert "No claim for layers 1, 2: fewer than two seeds" in text
    assert "coincide in layer" not in text


def test_summary_leaves_out_a_layer_without_measurements():
    # The noiseless output layer's noisy rows are NaN: no table row, no verdict.
    metrics = fake_noisy_metrics(True)
    output = metrics["layer"] == 2
    for name in COLUMNS[3:]:
        metrics[name] = np.where(output, np.nan, metrics[name])
    text = "\n".join(noisy_summary(metrics))
    assert "| 1 | 4 |" in text and "| 2 |" not in text
    assert "coincide in layer 1:" in text
    assert "No claim" not in text


def test_summary_without_rows():
    assert noisy_summary({name: np.zeros(0) for name in COLUMNS}) == ["No noisy-network rows."]


def test_summary_takes_a_title():
    lines = noisy_summary(fake_noisy_metrics(True), title="Noisy network, test inputs")
    assert lines[0] == "## Noisy network, test inputs"
