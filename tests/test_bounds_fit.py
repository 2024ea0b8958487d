"""fit_mutual_information: vmap equals loop, jit, dtypes, early stopping, errors, accuracy."""

import dataclasses
import math
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
import scipy.stats

import infojax.bounds as bounds
from infojax import _registry

# Most tests share these settings and data shapes, so they reuse one compiled loop.
SMALL = dict(
    steps=15,
    batch_size=16,
    eval_every=5,
    critic_options={"hidden_sizes": (8,), "embedding_dim": 4, "activation": "relu"},
)
N, DIM = 120, 3


def _gaussian_pair(key, n, dim, mutual_information, dtype=float):
    """x, y in R^dim, per-coordinate correlation rho: I(X; Y) = -dim/2 log(1 - rho^2).
    JAX's default float dtype unless ``dtype`` is given."""
    rho = math.sqrt(1 - math.exp(-2 * mutual_information / dim))
    key_x, key_noise = jax.random.split(key)
    x = jax.random.normal(key_x, (n, dim), dtype)
    y = rho * x + math.sqrt(1 - rho**2) * jax.random.normal(key_noise, (n, dim), dtype)
    return x, y


def _close(a, b, rtol=1e-7, atol=1e-9):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=rtol, atol=atol)


def _assert_same_fit(a, b, **tolerances):
    for field in ("estimate", "smoothed_estimate", "training_curve", "held_out_curve"):
        _close(getattr(a, field), getattr(b, field), **tolerances)


def test_vmap_over_seeds_equals_loop():
    x, y = _gaussian_pair(jax.random.key(0), N, DIM, 1.0)
    keys = jax.random.split(jax.random.key(1), 3)
    batched = jax.vmap(lambda k: bounds.fit_mutual_information(k, x, y, **SMALL))(keys)
    assert batched.training_curve.shape == (3, SMALL["steps"])
    assert batched.held_out_curve.shape == (3, 3)
    for i, key in enumerate(keys):
        single = bounds.fit_mutual_information(key, x, y, **SMALL)
        # float32, 15 steps: vmap only reorders sums; the rounding differences (6e-8
        # relative) grow through the steps to 2.4e-7 absolute (measured), hence 1e-6.
        _assert_same_fit(
            jax.tree.map(lambda leaf, i=i: leaf[i], batched), single, rtol=1e-5, atol=1e-6
        )


def test_jit_of_vmap_over_tasks_equals_loop():
    pairs = [_gaussian_pair(jax.random.key(seed), N, DIM, mi) for seed, mi in [(2, 0.2), (3, 1.5)]]
    key = jax.random.key(4)

    def estimate(x, y):
        return bounds.fit_mutual_information(key, x, y, **SMALL).estimate

    xs, ys = (jnp.stack(arrays) for arrays in zip(*pairs, strict=True))
    batched = jax.jit(jax.vmap(estimate))(xs, ys)
    # float32 rounding grown through 15 steps, as in test_vmap_over_seeds_equals_loop.
    _close(batched, [estimate(x, y) for x, y in pairs], rtol=1e-5, atol=1e-6)


@pytest.mark.float64  # float64 samples must give float64 results
def test_result_fields_and_settings_float64():
    x, y = _gaussian_pair(jax.random.key(5), N, DIM, 0.5)
    fit = bounds.fit_mutual_information(jax.random.key(6), x, y, **SMALL)
    for leaf in (fit.estimate, fit.training_curve, fit.held_out_curve, fit.smoothed_curve):
        assert leaf.dtype == jnp.float64 and np.isfinite(leaf).all()
    assert int(fit.steps_run) == SMALL["steps"] and not bool(fit.stopped_early)
    assert fit.settings.bound == "infonce" and fit.settings.critic == "separable"
    assert (fit.settings.n_train, fit.settings.n_held_out) == (96, 24)
    np.testing.assert_array_equal(fit.held_out_steps, [5, 10, 15])
    # The estimate is the held-out value of the selected (best) critic, recomputed from
    # its saved weights on the same rows; the smoothed one the moving average's.
    best = int(np.argmax(fit.held_out_curve))
    assert int(fit.diagnostics.best_step) == fit.held_out_steps[best]
    _close(fit.estimate, fit.held_out_curve[best], rtol=1e-12)
    last = bounds.fit_mutual_information(jax.random.key(6), x, y, selection="last", **SMALL)
    _close(last.estimate, last.held_out_curve[-1], rtol=1e-12)
    assert fit.smoothed_estimate == fit.smoothed_curve[-1]
    # Default smoothing 0.5: bias-corrected exponential moving average of the curve.
    weighted, expected = 0.0, []
    for t, value in enumerate(np.asarray(fit.held_out_curve), start=1):
        weighted = 0.5 * weighted + 0.5 * value
        expected.append(weighted / (1 - 0.5**t))
    _close(fit.smoothed_curve, expected, rtol=1e-12)
    # InfoNCE on a batch of 16 never exceeds log 16.
    assert np.all(fit.training_curve <= math.log(16) + 1e-12)


def test_raw_and_typed_keys_give_the_same_fit():
    # A legacy uint32[2] key (jax.random.PRNGKey) is accepted and draws the same bits.
    x, y = _gaussian_pair(jax.random.key(5), N, DIM, 0.5)
    typed = bounds.fit_mutual_information(jax.random.key(6), x, y, **SMALL)
    raw = bounds.fit_mutual_information(jax.random.key_data(jax.random.key(6)), x, y, **SMALL)
    _assert_same_fit(typed, raw, rtol=0, atol=0)


def test_float32_mine_stays_float32():
    x, y = _gaussian_pair(jax.random.key(7), N, DIM, 0.5, dtype=jnp.float32)
    fit = bounds.fit_mutual_information(jax.random.key(8), x, y, bound="mine", **SMALL)
    for leaf in (fit.estimate, fit.training_curve, fit.held_out_curve, fit.smoothed_curve):
        assert leaf.dtype == jnp.float32 and np.isfinite(leaf).all()


def test_early_stopping_keeps_shapes_and_freezes_the_estimate():
    x, y = _gaussian_pair(jax.random.key(9), N, DIM, 0.5)
    # min_delta so large that no evaluation after the first counts as an improvement.
    fit = bounds.fit_mutual_information(
        jax.random.key(10), x, y, patience=1, min_delta=1e9, **SMALL
    )
    assert bool(fit.stopped_early)
    assert int(fit.steps_run) == 10  # the first evaluation sets the best, the second fails
    assert fit.training_curve.shape == (15,) and fit.held_out_curve.shape == (3,)
    assert np.isfinite(fit.training_curve[:10]).all() and np.isnan(fit.training_curve[10:]).all()
    assert np.isfinite(fit.held_out_curve[:2]).all() and np.isnan(fit.held_out_curve[2]).all()
    # The selected critic is the first one: the only evaluation that set a best.
    assert fit.estimate == fit.held_out_curve[0] and int(fit.diagnostics.best_step) == 5
    # The same run without early stopping agrees on the steps both trained.
    full = bounds.fit_mutual_information(jax.random.key(10), x, y, **SMALL)
    _close(full.training_curve[:10], fit.training_curve[:10], rtol=1e-12)
    _close(full.held_out_curve[:2], fit.held_out_curve[:2], rtol=1e-12)


def test_held_out_estimate_is_computed_on_held_out_pairs():
    # Pure-noise data and a critic free to memorise its 60 training pairs: the training
    # InfoNCE climbs towards log(16) while the held-out estimate stays near 0.
    x, y = _gaussian_pair(jax.random.key(11), 300, 10, 0.0)
    fit = bounds.fit_mutual_information(
        jax.random.key(12),
        x[:, :5],
        y[:, 5:],
        bound="infonce",
        optimizer=optax.adam(1e-2),
        steps=300,
        batch_size=16,
        held_out_fraction=0.8,
        eval_every=100,
        critic_options={"hidden_sizes": (64,), "embedding_dim": 16},
    )
    assert np.mean(fit.training_curve[-20:]) > 1.0
    # 15 held-out batches of 16: sd of their mean InfoNCE ~0.1; an overfit critic is
    # worse than chance on new pairs, so the held-out value sits at or below 0.
    assert float(fit.estimate) < 0.3


@pytest.mark.parametrize(("bound", "critic"), [("infonce", "separable"), ("nwj", "concatenated")])
def test_independent_samples_give_estimates_near_zero(bound, critic):
    key_x, key_y = jax.random.split(jax.random.key(13))
    x = jax.random.normal(key_x, (2000, 3))
    y = jax.random.normal(key_y, (2000, 3))
    fit = bounds.fit_mutual_information(
        jax.random.key(14),
        x,
        y,
        bound=bound,
        critic=critic,
        steps=200,
        batch_size=64,
        eval_every=100,
        critic_options={"hidden_sizes": (16,)},
    )
    # True MI is 0; 400 held-out pairs in 6 batches of 64 give a sd of ~0.05 for the
    # held-out mean, and a lower bound is <= 0 in expectation (NWJ can start well below:
    # it must also learn the constant offset of its optimal critic).
    assert -0.3 < float(fit.estimate) < 0.15


def test_registered_estimators_return_the_fit_estimate():
    x, y = _gaussian_pair(jax.random.key(15), N, DIM, 0.5)
    names = {spec.name for spec in _registry.list_estimators(quantity="mutual_information")}
    assert {f"neural_{name}" for name in bounds.BOUNDS} <= names
    assert _registry.get_estimator("neural_smile").defaults["clip"] == 5.0
    spec = _registry.get_estimator("neural_infonce")
    assert spec.needs_key and spec.jittable
    estimate = spec.bind(
        steps=15, batch_size=16, eval_every=5, hidden_sizes=(8,), embedding_dim=4, activation="relu"
    )(jax.random.key(16), x, y)
    fit = bounds.fit_mutual_information(jax.random.key(16), x, y, **SMALL)
    assert estimate.shape == () and estimate == fit.estimate


def test_club_fits_a_gaussian_conditional_by_default():
    x, y = _gaussian_pair(jax.random.key(17), N, DIM, 0.5)
    fit = bounds.fit_mutual_information(
        jax.random.key(18), x, y, bound="club", steps=15, batch_size=16, eval_every=5
    )
    assert fit.settings.critic == "gaussian_conditional" and np.isfinite(fit.estimate)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(y=np.zeros((99, 2))), ValueError, "same number of rows"),
        (dict(batch_size=90), ValueError, "batch_size"),
        (dict(eval_batch_size=30), ValueError, "eval_batch_size"),
        (dict(x=np.full((100, 2), np.nan)), ValueError, "NaN"),
        (dict(bound="tuba"), ValueError, "Unknown bound"),
        (dict(critic="transformer"), ValueError, "Unknown critic"),
        (dict(bound="club", critic="separable"), ValueError, "conditional"),
        (dict(bound="infonce", critic="gaussian_conditional"), ValueError, "critic"),
        (dict(bound_options={"clip": 1.0}), ValueError, "Unknown option"),
        (dict(bound="smile", bound_options={"clip": -1.0}), ValueError, "clip"),
        (dict(critic_options={"width": 3}), TypeError, "critic_options"),
        (dict(steps=0), ValueError, "steps"),
        (dict(steps=1.5), TypeError, "steps"),
        (dict(held_out_fraction=1.0), ValueError, "held_out_fraction"),
        (dict(smoothing=1.0), ValueError, "smoothing"),
        (dict(key=np.zeros(3)), TypeError, "key"),
        (dict(key=None), TypeError, "key"),
    ],
)
def test_bad_inputs_raise_clear_errors(kwargs, error, match):
    arguments = dict(
        x=np.random.default_rng(0).normal(size=(100, 2)),
        y=np.random.default_rng(1).normal(size=(100, 2)),
        key=jax.random.key(0),
        steps=5,
        batch_size=16,
    )
    arguments.update(kwargs)
    key, x, y = arguments.pop("key"), arguments.pop("x"), arguments.pop("y")
    with pytest.raises(error, match=match):
        bounds.fit_mutual_information(key, x, y, **arguments)


# --- Accuracy in the setting of Poole et al. (2019): 20-d Gaussians ---

POOLE = dict(
    batch_size=128,
    eval_every=250,
    optimizer=optax.adam(3e-3),
    critic_options={"hidden_sizes": (64,), "embedding_dim": 32},
)


@pytest.mark.parametrize("bound", ["infonce", "smile"])
def test_poole_setting_two_nats_small(bound):
    # 50,000 pairs (fresh enough that the critic cannot memorise them in 1000 steps of
    # 128), float32, separable critic. After 1000 steps InfoNCE and SMILE reach ~1.6-1.7
    # of the true 2 nats (Poole et al. need ~10^4 steps to close the gap); the held-out
    # sd over 80 batches is ~0.02, so 0.6 nats of tolerance is the optimisation gap.
    true_mi = 2.0
    x, y = _gaussian_pair(jax.random.key(19), 50_000, 20, true_mi, dtype=jnp.float32)
    fit = bounds.fit_mutual_information(jax.random.key(20), x, y, bound=bound, steps=1000, **POOLE)
    assert true_mi - 0.6 < float(fit.estimate) < true_mi + 0.1
    assert np.all(fit.training_curve <= math.log(128) + 1e-5) or bound != "infonce"


def test_registered_estimator_fits_small_samples_with_raw_keys_under_jit():
    # The benchmark runner vmaps raw uint32[2] keys and may pass n < batch_size: the
    # registered estimator shrinks its batches to the 24 training / 6 held-out pairs.
    x, y = _gaussian_pair(jax.random.key(19), 30, 2, 0.5)
    estimator = _registry.get_estimator("neural_infonce").bind(steps=5, eval_every=5)
    keys = jax.random.key_data(jax.random.split(jax.random.key(20), 2))  # uint32[2, 2]
    estimates = jax.jit(jax.vmap(estimator, in_axes=(0, None, None)))(keys, x, y)
    assert estimates.shape == (2,) and np.all(np.isfinite(estimates))
    assert np.all(estimates <= math.log(6) + 1e-12)  # InfoNCE capped by the held-out batch


# --- Model selection, standard errors, seeds, diagnostics ---


def test_selected_estimate_never_falls_with_more_steps():
    # The memorising setting of test_held_out_estimate_is_computed_on_held_out_pairs,
    # on dependent data: the last critic's held-out value falls with training, the
    # selected one's is the curve's best, the same for 300 steps and for 1200.
    x, y = _gaussian_pair(jax.random.key(30), 400, 5, 1.0)
    kwargs = dict(
        optimizer=optax.adam(1e-2),
        batch_size=32,
        eval_every=20,
        patience=None,
        critic_options={"hidden_sizes": (64,), "embedding_dim": 16},
    )
    short = bounds.fit_mutual_information(jax.random.key(31), x, y, steps=300, **kwargs)
    long = bounds.fit_mutual_information(jax.random.key(31), x, y, steps=1200, **kwargs)
    last = bounds.fit_mutual_information(
        jax.random.key(31), x, y, steps=1200, selection="last", **kwargs
    )
    assert float(last.estimate) < float(long.estimate) - 0.1  # training past the peak hurts
    # The last critic is kept, but the curve peaked long before: not "still rising".
    assert not bool(last.diagnostics.still_improving)
    _close(long.estimate, np.nanmax(long.held_out_curve), rtol=1e-6)
    assert float(long.estimate) >= float(short.estimate) - 1e-6


LOWER_BOUNDS = sorted(name for name, spec in bounds.BOUNDS.items() if spec.kind == "lower")


@pytest.mark.parametrize("bound", LOWER_BOUNDS)
def test_selection_keeps_the_best_held_out_value_of_every_lower_bound(bound):
    # The selection criterion of a lower bound is its held-out value, also where the
    # training objective differs from it (JS and SMILE train with the JS objective and
    # report DV): once the best value was stored as the objective, the value always
    # "improved" on it, and JS/SMILE kept their last, overfitted critic (-0.21 and 0.48
    # nats for a true 1.0 at the defaults).
    x, y = _gaussian_pair(jax.random.key(34), 400, 5, 1.0)
    kwargs = dict(
        bound=bound,
        optimizer=optax.adam(1e-2),
        batch_size=32,
        eval_every=10,
        critic_options={"hidden_sizes": (64,), "embedding_dim": 16},
    )
    fit = bounds.fit_mutual_information(
        jax.random.key(35), x, y, steps=400, patience=None, **kwargs
    )
    curve = np.asarray(fit.held_out_curve)
    best = int(np.nanargmax(curve))
    assert best < len(curve) - 1  # the curve peaked before the end: selection matters
    _close(fit.estimate, curve[best], rtol=1e-6)
    assert int(fit.diagnostics.best_step) == (best + 1) * 10
    # Early stopping after 5 evaluations without a new best, replayed on the same curve
    # (the stopped fit's first rounds are the same computation).
    running, since, stop = -np.inf, 0, None
    for index, value in enumerate(curve):
        if value > running:
            running, chosen, since = value, index, 0
        else:
            since += 1
        if since >= 5:
            stop = index
            break
    stopped = bounds.fit_mutual_information(
        jax.random.key(35), x, y, steps=400, patience=5, **kwargs
    )
    assert stop is not None and bool(stopped.stopped_early)
    assert int(stopped.steps_run) == (stop + 1) * 10
    _close(stopped.estimate, curve[chosen], rtol=1e-6)


def test_report_rows_give_an_estimate_free_of_selection():
    x, y = _gaussian_pair(jax.random.key(32), 600, DIM, 0.5)
    fit = bounds.fit_mutual_information(
        jax.random.key(33), x, y, report_fraction=0.25, steps=60, batch_size=32, eval_every=10
    )
    settings = fit.settings
    assert (settings.n_train, settings.n_held_out, settings.n_report) == (330, 120, 150)
    assert settings.eval_batch_size == 32 and settings.report_batches == 4
    # Reported on rows selection never saw: not one of the held-out curve's values.
    assert not np.any(np.isclose(fit.held_out_curve, fit.estimate, rtol=1e-6))
    assert np.isfinite(fit.estimate) and float(fit.standard_error) > 0


def test_standard_error_is_nan_with_one_report_batch():
    x, y = _gaussian_pair(jax.random.key(34), N, DIM, 0.5)
    fit = bounds.fit_mutual_information(jax.random.key(35), x, y, eval_batch_size=24, **SMALL)
    assert fit.settings.report_batches == 1 and np.isnan(fit.standard_error)


def test_seeds_equal_a_vmap_over_split_keys_and_summarise_the_spread():
    x, y = _gaussian_pair(jax.random.key(36), N, DIM, 0.5)
    fits = bounds.fit_mutual_information(jax.random.key(37), x, y, seeds=3, **SMALL)
    assert fits.estimate.shape == (3,) and fits.diagnostics.best_step.shape == (3,)
    for i, key in enumerate(jax.random.split(jax.random.key(37), 3)):
        single = bounds.fit_mutual_information(key, x, y, **SMALL)
        _assert_same_fit(jax.tree.map(lambda a, i=i: a[i], fits), single, rtol=1e-5, atol=1e-6)
    estimates = np.asarray(fits.estimate, np.float64)
    center, low, high = fits.interval(0.9)
    mean = estimates.mean()
    spread = np.std(estimates, ddof=1) / np.sqrt(3)
    half = scipy.stats.t.ppf(0.95, 2) * spread
    _close([center, low, high], [mean, mean - half, mean + half])
    summary = fits.summary()
    assert "3 seeds" in summary and f"n = {N}" in summary and "infonce" in summary


def test_single_fit_interval_uses_its_standard_error():
    x, y = _gaussian_pair(jax.random.key(38), N, DIM, 0.5)
    fit = bounds.fit_mutual_information(jax.random.key(39), x, y, eval_batch_size=8, **SMALL)
    center, low, high = fit.interval()
    half = scipy.stats.norm.ppf(0.975) * float(fit.standard_error)
    _close([center, low, high], [fit.estimate, fit.estimate - half, fit.estimate + half])
    assert "SE over 3 held-out batches" in fit.summary()
    with pytest.raises(ValueError, match="level"):
        fit.interval(1.5)


def test_infonce_at_its_ceiling_warns_and_names_the_remedy():
    # 3 nats of MI, held-out batches of 8: InfoNCE cannot exceed log 8 = 2.08.
    x, y = _gaussian_pair(jax.random.key(40), 400, 4, 3.0)
    with pytest.warns(UserWarning, match="log\\(eval_batch_size\\).*raise `eval_batch_size`"):
        fit = bounds.fit_mutual_information(
            jax.random.key(41), x, y, steps=100, batch_size=8, eval_every=20
        )
    assert bool(fit.diagnostics.at_ceiling)
    assert float(fit.estimate) <= math.log(8) + 1e-6


def test_flags_stay_in_the_result_under_a_callers_jit_without_warnings():
    x, y = _gaussian_pair(jax.random.key(40), 400, 4, 3.0)
    fit_fn = jax.jit(
        lambda key: bounds.fit_mutual_information(key, x, y, steps=100, batch_size=8, eval_every=20)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = fit_fn(jax.random.key(41))
    assert bool(fit.diagnostics.at_ceiling)
    assert any("log(eval_batch_size)" in message for message in fit.problems())


def test_still_rising_curve_and_early_peak_are_flagged():
    x, y = _gaussian_pair(jax.random.key(42), 2000, DIM, 1.0)
    # Ten slow steps: the held-out value is still climbing when training ends.
    with pytest.warns(UserWarning, match="still rising"):
        rising = bounds.fit_mutual_information(
            jax.random.key(43), x, y, steps=40, eval_every=10, optimizer=optax.adam(1e-4)
        )
    assert bool(rising.diagnostics.still_improving) and not bool(rising.diagnostics.early_peak)
    # Pure noise, a large critic and a large step: it memorises at once.
    noise_x, noise_y = _gaussian_pair(jax.random.key(44), 300, 10, 0.0)
    with pytest.warns(UserWarning, match="peaked at the first evaluation"):
        peaked = bounds.fit_mutual_information(
            jax.random.key(45),
            noise_x[:, :5],
            noise_y[:, 5:],
            optimizer=optax.adam(1e-2),
            steps=300,
            batch_size=16,
            held_out_fraction=0.5,
            eval_every=50,
            patience=None,
            critic_options={"hidden_sizes": (128,), "embedding_dim": 32},
        )
    assert bool(peaked.diagnostics.early_peak)
    assert float(peaked.diagnostics.generalization_gap) > 0


def test_problems_name_each_flag():
    x, y = _gaussian_pair(jax.random.key(46), N, DIM, 0.5)
    fit = bounds.fit_mutual_information(jax.random.key(47), x, y, **SMALL)
    flags = ("overfitting", "still_improving", "early_peak", "at_ceiling", "below_zero")
    quiet = dataclasses.replace(
        fit, diagnostics=dataclasses.replace(fit.diagnostics, **{f: False for f in flags})
    )
    assert quiet.problems() == []
    expected = {
        "overfitting": "training-batch value exceeds",
        "still_improving": "raise `steps`",
        "early_peak": "overfits its training pairs almost at once",
        "at_ceiling": "log(eval_batch_size)",
        "below_zero": "below 0",
        "non_finite": "NaN or infinite",
    }
    for flag, text in expected.items():
        flagged = dataclasses.replace(
            quiet, diagnostics=dataclasses.replace(quiet.diagnostics, **{flag: True})
        )
        (message,) = flagged.problems()
        assert text in message


def test_small_samples_adapt_the_default_batches():
    # The default batch of 256 shrinks to the 24 training / 6 held-out pairs.
    x, y = _gaussian_pair(jax.random.key(48), 30, 2, 0.5)
    fit = bounds.fit_mutual_information(jax.random.key(49), x, y, steps=10, eval_every=5)
    assert (fit.settings.batch_size, fit.settings.eval_batch_size) == (24, 6)
    assert np.isfinite(fit.estimate)


@pytest.mark.parametrize(
    ("n", "kwargs", "smallest"),
    [(4, {}, 8), (7, {"report_fraction": 0.2}, 8), (6, {"held_out_fraction": 0.1}, 15)],
)
def test_too_few_samples_name_the_smallest_n(n, kwargs, smallest):
    x, y = _gaussian_pair(jax.random.key(50), n, 2, 0.5)
    with pytest.raises(ValueError, match=f"smallest n that works is {smallest}"):
        bounds.fit_mutual_information(jax.random.key(51), x, y, steps=5, **kwargs)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(selection="worst"), ValueError, "selection"),
        (dict(report_fraction=-0.1), ValueError, "report_fraction"),
        (dict(report_fraction=0.8), ValueError, "report_fraction"),
        (dict(seeds=0), ValueError, "seeds"),
        (dict(seeds=2.0), TypeError, "seeds"),
        (dict(patience=0), ValueError, "patience"),
    ],
)
def test_bad_new_options_raise_clear_errors(kwargs, error, match):
    x, y = _gaussian_pair(jax.random.key(52), 100, 2, 0.5)
    with pytest.raises(error, match=match):
        bounds.fit_mutual_information(jax.random.key(53), x, y, steps=5, batch_size=16, **kwargs)


def test_gaussianize_maps_each_column_monotonically_to_normal_scores():
    from infojax.bounds._held_out import gaussianized as _gaussianized

    rng = np.random.default_rng(0)
    samples = jnp.asarray(rng.standard_cauchy((500, 3)))
    mapped = np.asarray(_gaussianized(samples, 400))
    train = np.asarray(samples[:400])
    for j in range(3):
        order = np.argsort(train[:, j])
        # The training rows land exactly on the normal scores of their ranks.
        expected = scipy.stats.norm.ppf(np.arange(1, 401) / 401)
        _close(mapped[:400, j][order], expected, rtol=1e-5, atol=1e-5)
        # Held-out rows: the same non-decreasing map, clamped to the training range.
        held = np.asarray(samples[400:, j])
        assert np.all(np.diff(mapped[400:, j][np.argsort(held)]) >= 0)
        assert np.all(np.abs(mapped[:, j]) <= expected[-1] + 1e-5)  # float32 ndtri


def test_gaussianize_helps_on_heavy_tails_and_is_an_option():
    # Cauchy-tailed data through the same fit: both run, and bad names fail clearly.
    x, y = _gaussian_pair(jax.random.key(54), N, DIM, 0.5)
    fit = bounds.fit_mutual_information(jax.random.key(55), x, y, preprocess="gaussianize", **SMALL)
    assert fit.settings.preprocess == "gaussianize" and np.isfinite(fit.estimate)
    with pytest.raises(ValueError, match="preprocess"):
        bounds.fit_mutual_information(jax.random.key(55), x, y, preprocess="rank", **SMALL)


def test_default_infonce_is_within_015_of_one_nat_on_five_dim_gaussians():
    # The case: 5-d correlated Gaussians, true MI 1 nat, n = 5000, every option
    # at its default (it returned 0.12 before model selection). Held-out standard error
    # ~0.03 nats, learned-critic gap 0.03-0.08 (experiments/sweep_bounds.py): 0.15.
    x, y = _gaussian_pair(jax.random.key(60), 5000, 5, 1.0, dtype=jnp.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = bounds.fit_mutual_information(jax.random.key(61), x, y)
    assert abs(float(fit.estimate) - 1.0) < 0.15
    assert float(fit.standard_error) < 0.1


def test_sweep_script_prints_its_table(capsys):
    from experiments import sweep_bounds

    sweep_bounds.main(
        [
            "--n",
            "300",
            "--tasks",
            "normal-dense-1x1-rho0.75",
            "--settings",
            "default",
            "--bounds",
            "infonce",
            "--report",
        ]
    )
    out = capsys.readouterr().out
    assert "| infonce | default |" in out and "selection - report" in out
