"""Ground-truth tasks: closed forms against Monte Carlo and quadrature, densities against
scipy, transforms by change of variables, samplers under jit and vmap."""

import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import reference
from scipy import integrate
from scipy import stats as scipy_stats

from infojax import tasks

KEY = jax.random.key(20231106)

# Monte-Carlo checks: |mean pointwise MI - closed form| <= 5 standard errors of the mean.
# With fixed seeds a correct closed form fails with probability below 1e-6 per case, while
# at n = 20,000 five standard errors are 0.005 to 0.05 nats here: a wrong constant, sign or
# factor in a closed form is larger than that.
MONTE_CARLO_SAMPLES = 20_000
STANDARD_ERRORS = 5.0


def _normal_reference(task):
    return lambda x, y: reference.normal_log_densities_reference(
        task.params["cov"], task.dim_x, x, y
    )


def _student_reference(task):
    return lambda x, y: reference.student_t_log_densities_reference(
        task.params["dispersion"], task.params["dof"], task.dim_x, x, y
    )


def _uniform_reference(task):
    return lambda x, y: reference.additive_uniform_log_densities_reference(
        task.params["epsilon"], x, y
    )


def _discrete_reference(task):
    return lambda x, y: reference.discrete_continuous_log_densities_reference(
        task.params["n_symbols"], x, y
    )


CLOSED_FORM_CASES = {
    "dense": (tasks.dense_normal_task(3, 2, correlation=0.5), _normal_reference),
    "sparse": (tasks.sparse_normal_task(5, 5, n_pairs=2, correlation=0.8), _normal_reference),
    "canonical": (tasks.canonical_normal_task([0.9, 0.5, 0.1], dim_y=4), _normal_reference),
    "channel": (tasks.gaussian_channel_task(3, signal_to_noise=2.0), _normal_reference),
    "student-identity": (
        tasks.student_t_task(np.eye(4), dim_x=2, dof=1.0),
        _student_reference,
    ),
    "student-dense": (
        tasks.student_t_task(tasks.dense_correlation(2, 3, 0.5), dim_x=2, dof=3.0),
        _student_reference,
    ),
    "uniform-narrow": (tasks.additive_uniform_task(epsilon=0.1), _uniform_reference),
    "uniform-half": (tasks.additive_uniform_task(epsilon=0.5), _uniform_reference),
    "uniform-wide": (tasks.additive_uniform_task(epsilon=1.5), _uniform_reference),
    "discrete-2": (tasks.discrete_continuous_task(n_symbols=2), _discrete_reference),
    "discrete-7": (tasks.discrete_continuous_task(n_symbols=7), _discrete_reference),
}


# The task's densities are compared with scipy's at 1e-9, which needs float64 samples.
@pytest.mark.float64
@pytest.mark.parametrize("case", sorted(CLOSED_FORM_CASES))
def test_closed_form_matches_monte_carlo_of_reference_densities(case):
    task, make_reference = CLOSED_FORM_CASES[case]
    x, y = task.sample(KEY, MONTE_CARLO_SAMPLES)
    expected = make_reference(task)(np.asarray(x), np.asarray(y))
    log_joint, log_x, log_y = expected
    pointwise = log_joint - log_x - log_y
    standard_error = pointwise.std(ddof=1) / math.sqrt(len(pointwise))
    assert abs(pointwise.mean() - task.mutual_information) <= STANDARD_ERRORS * standard_error
    # The task's own densities evaluate the same formulas in float64 by another route
    # (a precomputed inverse Cholesky factor vs scipy's decompositions): 1e-9 relative.
    for got, want in zip(task.log_densities(x, y), expected, strict=True):
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-9, atol=1e-10)


def test_samplers_have_the_stated_marginals():
    """Kolmogorov-Smirnov tests of one coordinate per family against scipy's CDF.

    A correct sampler gives a KS p-value below 1e-4 with probability 1e-4 per check; a
    wrong scale, shift or tail at n = 20,000 gives p-values far below that. The samples
    are those of the Monte-Carlo test above (same tasks, key and size).
    """

    def draw(case):
        return CLOSED_FORM_CASES[case][0].sample(KEY, MONTE_CARLO_SAMPLES)

    checks = []
    x, _ = draw("student-dense")
    checks.append((x[:, 1], scipy_stats.t(df=3.0)))
    _, y = draw("channel")
    checks.append((y[:, 2], scipy_stats.norm(scale=math.sqrt(1.5))))
    x, y = draw("uniform-narrow")
    checks.append((x[:, 0], scipy_stats.uniform()))
    checks.append((y[:, 0] - x[:, 0], scipy_stats.uniform(loc=-0.1, scale=0.2)))
    x, y = draw("discrete-7")
    checks.append((y[:, 0] - x[:, 0], scipy_stats.uniform(scale=2.0)))
    for sample, distribution in checks:
        assert scipy_stats.kstest(np.asarray(sample), distribution.cdf).pvalue > 1e-4
    counts = np.bincount(np.asarray(x[:, 0]), minlength=7)
    assert scipy_stats.chisquare(counts).pvalue > 1e-4


@pytest.mark.parametrize("epsilon", [0.02, 0.3, 0.5, 0.7, 1.0, 3.0])
def test_additive_uniform_closed_form_by_quadrature(epsilon):
    # Adaptive quadrature of -p log p on the trapezoid's linear pieces: 1e-9 relative.
    np.testing.assert_allclose(
        tasks.additive_uniform_mutual_information(epsilon),
        reference.additive_uniform_mi_reference(epsilon),
        rtol=1e-9,
    )


@pytest.mark.parametrize("n_symbols", [1, 2, 3, 10, 64])
def test_discrete_continuous_closed_form_by_enumeration(n_symbols):
    np.testing.assert_allclose(
        tasks.discrete_continuous_mutual_information(n_symbols),
        reference.discrete_continuous_mi_reference(n_symbols),
        rtol=1e-12,
        atol=1e-15,
    )


@pytest.mark.parametrize(("dim_x", "dim_y", "rho"), [(1, 1, 0.5), (3, 7, 0.3), (50, 50, 0.5)])
def test_dense_normal_closed_form_from_equicorrelation_eigenvalues(dim_x, dim_y, rho):
    def logdet(m):  # eigenvalues 1 - rho (m - 1 times) and 1 + (m - 1) rho
        return (m - 1) * math.log(1 - rho) + math.log(1 + (m - 1) * rho)

    expected = 0.5 * (logdet(dim_x) + logdet(dim_y) - logdet(dim_x + dim_y))
    task = tasks.dense_normal_task(dim_x, dim_y, correlation=rho)
    np.testing.assert_allclose(task.mutual_information, expected, rtol=1e-10)


def test_canonical_and_channel_closed_forms():
    task = tasks.canonical_normal_task([0.9, -0.5, 0.1], dim_x=4, dim_y=3)
    expected = -0.5 * sum(math.log(1 - rho**2) for rho in (0.9, 0.5, 0.1))
    np.testing.assert_allclose(task.mutual_information, expected, rtol=1e-12)
    channel = tasks.gaussian_channel_task(4, signal_to_noise=3.0)
    np.testing.assert_allclose(channel.mutual_information, 2 * math.log(4.0), rtol=1e-12)
    sparse = tasks.sparse_normal_task(6, 4, n_pairs=3, correlation=0.6)
    np.testing.assert_allclose(sparse.mutual_information, -1.5 * math.log(1 - 0.36), rtol=1e-12)


def test_student_t_correction_vanishes_for_large_dof_and_is_positive():
    # The t tends to the Gaussian as nu grows: the correction decays like 1 / nu^2.
    assert 0 < tasks.student_t_correction(1e4, 3, 2) < 1e-6
    values = [tasks.student_t_correction(dof, 2, 2) for dof in (1.0, 2.0, 5.0, 30.0)]
    assert all(value > 0 for value in values)
    assert values == sorted(values, reverse=True)
    identity = tasks.student_t_task(np.eye(2), dim_x=1, dof=1.0)
    np.testing.assert_allclose(
        identity.mutual_information, tasks.student_t_correction(1.0, 1, 1), rtol=1e-14
    )


TRANSFORMS = {
    "normal_cdf": tasks.normal_cdf_transform(),
    "half_cube": tasks.half_cube_transform(),
    "asinh": tasks.asinh_transform(),
    "spiral": tasks.spiral_transform(speed=0.7),
    "wiggly": tasks.wiggly_transform(amplitude=0.3, frequency=3.0),
    "swiss_roll": tasks.swiss_roll_transform(),
}
BASE_TASK = tasks.dense_normal_task(3, 2, correlation=0.5)


def _autodiff_log_volume(transform, rows):
    """log sqrt(det J^T J) of ``transform.forward`` from its Jacobian by forward-mode AD."""

    def one(row):
        jacobian = jax.jacfwd(transform.forward)(row)
        return 0.5 * jnp.linalg.slogdet(jacobian.T @ jacobian)[1]

    return jax.jit(jax.vmap(one))(rows)


# Inverses and densities checked to float64 rounding (1e-9, 1e-8); the float32 path of
# the transforms is checked in test_float32_samples_and_densities.
@pytest.mark.float64
@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_transformed_density_is_change_of_variables_and_keeps_pointwise_mi(name):
    transform = TRANSFORMS[name]
    mapped = tasks.transform_task(BASE_TASK, x=transform, y=transform)
    assert mapped.mutual_information == BASE_TASK.mutual_information
    assert (mapped.dim_x, mapped.dim_y) == (transform.output_dim(3), transform.output_dim(2))
    key = jax.random.key(3)
    base_x, base_y = BASE_TASK.sample(key, 256)
    x, y = mapped.sample(key, 256)
    np.testing.assert_allclose(x, jax.jit(jax.vmap(transform.forward))(base_x), rtol=1e-12)
    # Inverses are closed forms or 60 bisection steps: exact to float64 rounding, 1e-9.
    np.testing.assert_allclose(jax.jit(jax.vmap(transform.inverse))(x), base_x, atol=1e-9)

    volume_x = _autodiff_log_volume(transform, base_x)
    volume_y = _autodiff_log_volume(transform, base_y)
    np.testing.assert_allclose(
        jax.jit(jax.vmap(transform.log_volume))(base_x), volume_x, rtol=1e-9, atol=1e-9
    )
    base_joint, base_log_x, base_log_y = BASE_TASK.log_densities(base_x, base_y)
    log_joint, log_x, log_y = mapped.log_densities(x, y)
    # Inverse (bisection or closed form) then density: float64 rounding, 1e-8.
    tolerance = {"rtol": 1e-8, "atol": 1e-8}
    np.testing.assert_allclose(log_joint, base_joint - volume_x - volume_y, **tolerance)
    np.testing.assert_allclose(log_x, base_log_x - volume_x, **tolerance)
    np.testing.assert_allclose(log_y, base_log_y - volume_y, **tolerance)
    np.testing.assert_allclose(
        mapped.pointwise_mutual_information(x, y),
        BASE_TASK.pointwise_mutual_information(base_x, base_y),
        **tolerance,
    )


# Adaptive quadrature to 1e-6 needs an integrand smoother than float32 rounding.
@pytest.mark.float64
@pytest.mark.parametrize("name", ["normal_cdf", "half_cube", "asinh", "wiggly"])
def test_transformed_marginal_density_integrates_to_one(name):
    transform = TRANSFORMS[name]
    mapped = tasks.transform_task(tasks.dense_normal_task(1, 1, correlation=0.5), x=transform)

    log_density_x = jax.jit(lambda row: mapped.log_densities(row, jnp.zeros((1, 1)))[1][0])

    def density(value):
        return float(jnp.exp(log_density_x(jnp.full((1, 1), value))))

    low, high = (0.0, 1.0) if name == "normal_cdf" else (-60.0, 60.0)
    total = integrate.quad(density, low, high, points=[0.0] if low < 0 else None, limit=200)[0]
    # Quadrature of a smooth density (integrable |z|^(-1/3) spike for half_cube): 1e-6.
    np.testing.assert_allclose(total, 1.0, atol=1e-6)


SAMPLER_CASES = [
    tasks.dense_normal_task(2, 3, correlation=0.4),
    tasks.student_t_task(np.eye(3), dim_x=1, dof=2.0),
    tasks.discrete_continuous_task(n_symbols=4),
    tasks.transform_task(
        tasks.dense_normal_task(2, 1, correlation=0.4),
        x=tasks.spiral_transform(),
        y=tasks.swiss_roll_transform(),
    ),
]


@pytest.mark.parametrize("task", SAMPLER_CASES, ids=lambda task: task.name)
def test_sampler_is_pure_under_jit_and_vmap(task):
    keys = jax.random.split(jax.random.key(4), 3)
    x, y = task.sample(keys[0], 16)
    assert x.shape == (16, task.dim_x) and y.shape == (16, task.dim_y)
    # JAX's default dtypes: float32 and int32 as users run (float64 and int64 under x64).
    assert y.dtype == jnp.result_type(float)
    assert x.dtype == jnp.result_type(int if task.x_discrete else float)
    batch_x, batch_y = jax.jit(jax.vmap(lambda key: task.sample(key, 16)))(keys)
    assert batch_x.shape == (3, 16, task.dim_x)
    for index, key in enumerate(keys):
        single_x, single_y = task.sample(key, 16)
        np.testing.assert_allclose(batch_x[index], single_x, rtol=1e-12)
        np.testing.assert_allclose(batch_y[index], single_y, rtol=1e-12)
    pointwise = jax.jit(task.pointwise_mutual_information)(x, y)
    assert pointwise.shape == (16,) and np.isfinite(pointwise).all()


# float32 samples against float64 densities of the same points (int64 symbols).
@pytest.mark.float64
@pytest.mark.parametrize("task", SAMPLER_CASES, ids=lambda task: task.name)
def test_float32_samples_and_densities(task):
    x, y = task.sample(jax.random.key(5), 64, dtype=jnp.float32)
    assert y.dtype == jnp.float32
    assert x.dtype == (jnp.int64 if task.x_discrete else jnp.float32)
    pointwise = task.pointwise_mutual_information(x, y)
    assert pointwise.dtype == jnp.float32
    reference_pmi = task.pointwise_mutual_information(
        x if task.x_discrete else x.astype(jnp.float64), y.astype(jnp.float64)
    )
    assert reference_pmi.dtype == jnp.float64
    # Same points evaluated in float32 (inverse maps and Cholesky solves lose ~1e-5).
    np.testing.assert_allclose(pointwise, reference_pmi, rtol=1e-3, atol=1e-3)


def test_default_suite_spans_dimensions_information_and_tails():
    suite = tasks.default_suite()
    assert len(suite) >= 40
    assert len({task.name for task in suite}) == len(suite)
    dims = [dim for task in suite for dim in (task.dim_x, task.dim_y)]
    assert min(dims) == 1 and max(dims) == 50
    values = [task.mutual_information for task in suite]
    assert 0.1 <= min(values) <= 0.15 and 4.5 <= max(values) <= 5.0
    assert {task.tails for task in suite} == {"light", "heavy", "bounded"}
    transformed = [task for task in suite if task.transforms]
    assert len(transformed) >= 10 and len(transformed) < len(suite)
    used = {label.rsplit("-", 1)[0] for task in transformed for label in task.transforms}
    assert {"normal_cdf", "half_cube", "asinh", "wiggly", "swiss_roll"} <= used
    assert any(label.startswith("spiral") for label in used)
    assert {task.family for task in suite} == {
        "normal",
        "gaussian_channel",
        "student_t",
        "additive_uniform",
        "discrete_continuous",
    }


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(tasks.default_suite())))
def test_every_suite_task_matches_its_monte_carlo_mean(index):
    task = tasks.default_suite()[index]
    x, y = task.sample(jax.random.key(index), MONTE_CARLO_SAMPLES)
    pointwise = np.asarray(task.pointwise_mutual_information(x, y))
    assert np.isfinite(pointwise).all()
    standard_error = pointwise.std(ddof=1) / math.sqrt(len(pointwise))
    assert abs(pointwise.mean() - task.mutual_information) <= STANDARD_ERRORS * standard_error


def test_raw_and_typed_keys_draw_the_same_samples():
    # A legacy uint32[2] key (jax.random.PRNGKey) is accepted and draws the same bits.
    task = tasks.dense_normal_task(2, 2, correlation=0.5)
    typed = task.sample(KEY, 16)
    raw = task.sample(jax.random.key_data(KEY), 16)
    for a, b in zip(typed, raw, strict=True):
        np.testing.assert_array_equal(a, b)


def test_bad_inputs_raise_clear_errors():
    task = tasks.dense_normal_task(1, 1, correlation=0.5)
    with pytest.raises(TypeError, match="single PRNG key"):
        task.sample(jax.random.split(KEY, 2), 10)
    with pytest.raises(ValueError, match="`n`"):
        task.sample(KEY, 0)
    with pytest.raises(TypeError, match="`n`"):
        task.sample(KEY, 10.0)
    with pytest.raises(TypeError, match="`key`"):
        task.sample(0, 10)
    with pytest.raises(TypeError, match="`dtype`"):
        task.sample(KEY, 10, dtype=jnp.int32)
    with pytest.raises(ValueError, match="`x`"):
        task.log_densities(jnp.zeros((4, 2)), jnp.zeros((4, 1)))
    with pytest.raises(ValueError, match="same number of rows"):
        task.log_densities(jnp.zeros((4, 1)), jnp.zeros((3, 1)))
    with pytest.raises(ValueError, match="`correlations`"):
        tasks.canonical_normal_task([1.0])
    with pytest.raises(ValueError, match="`correlations`"):
        tasks.paired_correlation([0.5, 0.5], 1, 3)
    with pytest.raises(ValueError, match="positive definite"):
        tasks.dense_normal_task(2, 2, correlation=-0.5)
    with pytest.raises(ValueError, match="`cov`"):
        tasks.normal_task(np.ones((2, 3)), dim_x=1)
    with pytest.raises(ValueError, match="`dim_x`"):
        tasks.normal_task(np.eye(2), dim_x=2)
    with pytest.raises(ValueError, match="`dof`"):
        tasks.student_t_task(np.eye(2), dim_x=1, dof=0.0)
    with pytest.raises(ValueError, match="`epsilon`"):
        tasks.additive_uniform_task(epsilon=0.0)
    with pytest.raises(ValueError, match="`n_symbols`"):
        tasks.discrete_continuous_task(n_symbols=0)
    with pytest.raises(ValueError, match="`signal_to_noise`"):
        tasks.gaussian_channel_task(2, signal_to_noise=-1.0)
    with pytest.raises(ValueError, match="amplitude"):
        tasks.wiggly_transform(amplitude=0.5, frequency=2.0)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        tasks.transform_task(task, x=tasks.spiral_transform())
    discrete = tasks.discrete_continuous_task(n_symbols=3)
    with pytest.raises(ValueError, match="discrete"):
        tasks.transform_task(discrete, x=tasks.asinh_transform())
    with pytest.raises(ValueError, match="transform"):
        tasks.transform_task(task)
    with pytest.raises(TypeError, match="`y`"):
        tasks.transform_task(task, y=np.arcsinh)
