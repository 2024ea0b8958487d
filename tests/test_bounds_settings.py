"""The settings of the neural fit: one vocabulary of options for the function, its
low-level settings and the registry; optimizers compared by what they compute, so an
inline ``optax.adam(1e-3)`` compiles the loop once."""

import inspect

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import infojax.bounds as bounds
from infojax import _registry
from infojax.bounds import _fit
from infojax.bounds._settings import REGISTRY_ALIASES
from infojax.bounds._settings import optimizer_fingerprint


def _keywords(function, leave_out=()):
    parameters = inspect.signature(function).parameters.values()
    return {
        p.name: p.default
        for p in parameters
        if p.kind == p.KEYWORD_ONLY and p.name not in leave_out
    }


def test_make_settings_takes_the_options_of_fit_mutual_information():
    assert _keywords(bounds.make_settings) == _keywords(
        bounds.fit_mutual_information, leave_out=("seeds",)
    )


@pytest.mark.parametrize("bound", sorted(bounds.BOUNDS))
def test_registry_options_are_the_options_of_fit_mutual_information(bound):
    spec = _registry.get_estimator(f"neural_{bound}")
    fit_options = _keywords(bounds.fit_mutual_information)
    bound_options = bounds.BOUNDS[bound].defaults
    # Everything but `bound` (the entry's name), `seeds` (one call, one estimate) and
    # the two object-valued options, which the registry spells flat.
    replaced = {"bound", "seeds", *REGISTRY_ALIASES.values()}
    aliases = set(REGISTRY_ALIASES) - (
        set() if "embedding_dim" in spec.defaults else {"embedding_dim"}
    )
    assert set(spec.defaults) == (set(fit_options) - replaced) | aliases | set(bound_options)
    assert "embedding_dim" in spec.defaults or spec.defaults["critic"] != "separable"
    # The same defaults where the function has a fixed one (its None of `critic` and
    # `batch_size` means "chosen from the data"; the registry caps the batch instead).
    for name, default in fit_options.items():
        if name in spec.defaults and default is not None:
            assert spec.defaults[name] == default, name
    assert spec.defaults["batch_size"] == bounds.DEFAULTS["batch_size"]
    for name in REGISTRY_ALIASES:
        if name in spec.defaults:
            assert spec.defaults[name] == bounds.DEFAULTS[name], name
    # The entry's own signature shows the same options.
    assert _keywords(spec.fn) == dict(spec.defaults)


def test_registry_entry_rejects_an_unknown_option():
    fn = _registry.get_estimator("neural_infonce").fn
    x = np.zeros((40, 1), np.float32)
    with pytest.raises(TypeError, match="no_such_option"):
        fn(jax.random.key(0), x, x, no_such_option=1)


@pytest.mark.parametrize(
    "make",
    [
        lambda: optax.adam(1e-3),
        lambda: optax.adamw(1e-3, weight_decay=0.1),
        lambda: optax.sgd(0.1, momentum=0.9),
        lambda: optax.chain(optax.clip(1.0), optax.adam(optax.cosine_decay_schedule(1e-3, 100))),
    ],
)
def test_separately_built_equal_optimizers_have_one_fingerprint(make):
    first, second = make(), make()
    assert first is not second
    assert optimizer_fingerprint(first) == optimizer_fingerprint(second)
    assert optimizer_fingerprint(first)[0] == "contents"


def test_optimizers_that_differ_have_different_fingerprints():
    optimizers = [
        optax.adam(1e-3),
        optax.adam(2e-3),
        optax.adam(1e-3, b1=0.8),
        optax.adamw(1e-3),
        optax.sgd(1e-3),
        optax.sgd(1e-3, momentum=0.9),
        optax.chain(optax.clip(1.0), optax.adam(1e-3)),
        optax.chain(optax.clip(2.0), optax.adam(1e-3)),
    ]
    fingerprints = [optimizer_fingerprint(optimizer) for optimizer in optimizers]
    assert len(set(fingerprints)) == len(optimizers)


def test_an_optimizer_that_cannot_be_followed_is_compared_by_identity():
    unhashable = {1, 2}  # a set in a closure: its contents are not followed

    def update(updates, state, params=None):
        del params
        return jax.tree.map(lambda u: u * len(unhashable), updates), state

    optimizer = optax.GradientTransformation(lambda params: optax.EmptyState(), update)
    assert optimizer_fingerprint(optimizer) == ("identity", id(optimizer))


def test_settings_equal_but_for_an_equal_optimizer_are_equal():
    x = np.random.default_rng(0).normal(size=(100, 2)).astype(np.float32)
    first = bounds.make_settings(x, x, optimizer=optax.adam(1e-3))
    assert first == bounds.make_settings(x, x, optimizer=optax.adam(1e-3))
    assert hash(first) == hash(bounds.make_settings(x, x, optimizer=optax.adam(1e-3)))
    assert first == bounds.make_settings(x, x)  # the default optimizer is adam(1e-3)
    assert first != bounds.make_settings(x, x, optimizer=optax.adam(2e-3))


@pytest.mark.filterwarnings("ignore:fit_mutual_information")
def test_inline_optimizer_compiles_the_loop_once(monkeypatch):
    # The critic is built while the loop is traced, once per compilation (a jit cache
    # hit runs no Python), so counting its builds counts compilations. Sizes no other
    # test uses keep earlier compilations out of the count.
    built = []
    build_critic = _fit.build_critic

    def counting_build_critic(*args, **kwargs):
        built.append(1)
        return build_critic(*args, **kwargs)

    monkeypatch.setattr(_fit, "build_critic", counting_build_critic)
    rng = np.random.default_rng(1)
    x = rng.normal(size=(77, 2)).astype(np.float32)
    y = (x + rng.normal(size=x.shape)).astype(np.float32)
    options = dict(
        steps=6, eval_every=3, batch_size=13, critic_options={"hidden_sizes": (5,)}, patience=None
    )
    fits = [
        bounds.fit_mutual_information(
            jax.random.key(2), x, y, optimizer=optax.adam(1e-3), **options
        )
        for _ in range(3)
    ]
    assert len(built) == 1
    for fit in fits[1:]:
        assert np.asarray(fit.estimate).tobytes() == np.asarray(fits[0].estimate).tobytes()
    bounds.fit_mutual_information(jax.random.key(2), x, y, optimizer=optax.adam(3e-3), **options)
    assert len(built) == 2


def _fit_with(estimate, standard_error):
    x = np.random.default_rng(2).normal(size=(100, 1)).astype(np.float32)
    nan = np.float32(np.nan)
    return bounds.MutualInformationFit(
        estimate=np.asarray(estimate, np.float32),
        standard_error=np.asarray(standard_error, np.float32),
        smoothed_estimate=nan,
        training_curve=np.zeros(3, np.float32),
        held_out_curve=np.zeros(1, np.float32),
        smoothed_curve=np.zeros(1, np.float32),
        steps_run=np.int32(3),
        stopped_early=np.bool_(False),
        diagnostics=None,
        settings=bounds.make_settings(x, x, steps=3, batch_size=8),
    )


def test_interval_takes_confidence_as_bootstrap_ci_does():
    import scipy.stats

    fit = _fit_with(1.0, 0.1)
    center, low, high = fit.interval(confidence=0.9)
    np.testing.assert_allclose(
        (low, high), scipy.stats.norm.interval(0.9, loc=1.0, scale=0.1), rtol=1e-6
    )
    assert center == pytest.approx(1.0)
    assert "90 % interval" in fit.summary(confidence=0.9)
    # Three seeds: the Student-t interval of their mean.
    seeds = _fit_with([1.0, 1.2, 0.8], [0.1, 0.1, 0.1])
    _, low, high = seeds.interval(0.8)
    expected = scipy.stats.t.interval(0.8, 2, loc=1.0, scale=scipy.stats.sem([1.0, 1.2, 0.8]))
    np.testing.assert_allclose((low, high), expected, rtol=1e-6)


def test_interval_level_keyword_still_works_with_a_deprecation_warning():
    fit = _fit_with(1.0, 0.1)
    with pytest.warns(DeprecationWarning, match="confidence"):
        old = fit.interval(level=0.9)
    assert old == fit.interval(0.9)
    with pytest.warns(DeprecationWarning, match="confidence"):
        assert fit.summary(level=0.9) == fit.summary(0.9)
    with pytest.raises(ValueError, match="`confidence`"):
        fit.interval(confidence=1.5)


@pytest.mark.parametrize("option", ["batch_size", "eval_batch_size"])
def test_registry_refuses_a_batch_of_one_pair(option):
    # One pair has no negatives: no bound is defined (it used to be raised to 2 silently).
    fn = _registry.get_estimator("neural_infonce").bind(steps=2, eval_every=1)
    x = np.random.default_rng(3).normal(size=(40, 1)).astype(np.float32)
    with pytest.raises(ValueError, match=f"`{option}` must be >= 2.*no bound is defined"):
        fn(jax.random.key(0), x, x, **{option: 1})


@pytest.mark.parametrize("scale", [1e19, 1e30, 1e-30, 1e-15])
def test_standardize_gives_the_columns_of_scale_one_at_every_scale(scale):
    from infojax.bounds._held_out import standardized

    rng = np.random.default_rng(4)
    samples = rng.normal(size=(200, 2)) * [1.0, 3.0] + [0.5, -2.0]
    # Plain NumPy in float64 on the samples at scale 1.
    expected = (samples - samples[:150].mean(0)) / samples[:150].std(0)
    got = standardized(jnp.asarray(samples * scale, jnp.float32), 150)
    assert got.dtype == jnp.float32
    np.testing.assert_allclose(np.asarray(got), expected, rtol=1e-4, atol=2e-5)


def test_standardize_at_ordinary_scales_is_the_plain_formula_bit_for_bit():
    from infojax.bounds._held_out import standardized

    samples = jnp.asarray(np.random.default_rng(5).normal(size=(100, 3)) * 1e3, jnp.float32)
    train = samples[:80]
    plain = (samples - jnp.mean(train, axis=0)) / jnp.std(train, axis=0)
    assert np.asarray(standardized(samples, 80)).tobytes() == np.asarray(plain).tobytes()


@pytest.mark.filterwarnings("ignore:fit_mutual_information")
def test_club_far_above_its_own_lower_bound_is_flagged():
    # 1-D Gaussians with I = 1 nat: CLUB with the true conditional is
    # rho^2 / (1 - rho^2) = 6.39 nats, far above; the InfoNCE bound of the same model
    # is a lower bound, so it stays below 1 nat (up to its batch noise).
    rho = np.sqrt(1 - np.exp(-2.0))
    rng = np.random.default_rng(6)
    x = rng.normal(size=(1000, 1))
    y = rho * x + np.sqrt(1 - rho**2) * rng.normal(size=(1000, 1))
    x, y = x.astype(np.float32), y.astype(np.float32)
    fit = bounds.fit_mutual_information(
        jax.random.key(7), x, y, bound="club", steps=200, eval_every=50, batch_size=128
    )
    lower = float(fit.estimate) - float(fit.diagnostics.upper_bound_gap)
    assert lower < 1.0 + 0.15
    assert float(fit.estimate) > 1.0
    assert bool(fit.diagnostics.loose_upper_bound)
    assert any("CLUB's upper bound is" in message for message in fit.problems())
    with pytest.warns(UserWarning, match="CLUB's upper bound"):
        bounds.fit_mutual_information(
            jax.random.key(7), x, y, bound="club", steps=200, eval_every=50, batch_size=128
        )
