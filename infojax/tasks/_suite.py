"""The default benchmark suite of tasks with known mutual information."""

from __future__ import annotations

from infojax.tasks._elliptical import canonical_normal_task
from infojax.tasks._elliptical import dense_correlation
from infojax.tasks._elliptical import dense_normal_task
from infojax.tasks._elliptical import gaussian_channel_task
from infojax.tasks._elliptical import paired_correlation
from infojax.tasks._elliptical import sparse_normal_task
from infojax.tasks._elliptical import student_t_task
from infojax.tasks._task import Task
from infojax.tasks._transforms import asinh_transform
from infojax.tasks._transforms import half_cube_transform
from infojax.tasks._transforms import normal_cdf_transform
from infojax.tasks._transforms import spiral_transform
from infojax.tasks._transforms import swiss_roll_transform
from infojax.tasks._transforms import transform_task
from infojax.tasks._transforms import wiggly_transform
from infojax.tasks._uniform import additive_uniform_task
from infojax.tasks._uniform import discrete_continuous_task


def _student_dense(dim_x: int, dim_y: int, *, dof: float, correlation: float) -> Task:
    return student_t_task(
        dense_correlation(dim_x, dim_y, correlation),
        dim_x=dim_x,
        dof=dof,
        name=f"student-t-dense-{dim_x}x{dim_y}-rho{correlation:g}-nu{dof:g}",
    )


def _student_identity(dim: int, *, dof: float) -> Task:
    return student_t_task(
        dense_correlation(dim, dim, 0.0),
        dim_x=dim,
        dof=dof,
        name=f"student-t-identity-{dim}x{dim}-nu{dof:g}",
    )


def default_suite() -> tuple[Task, ...]:
    """57 tasks: 1 to 50 dimensions per side, true MI from 0.12 to 4.75 nats.

    Families: Gaussian (dense, sparse, canonical correlations, additive Gaussian
    channel), Student-t with 1 to 5 degrees of freedom (heavy tails, including identity
    dispersion: uncorrelated but dependent), additive uniform noise (bounded), a
    discrete-continuous pair, and 13 tasks with MI-preserving transforms (normal CDF,
    half-cube, asinh, spiral, wiggly, Swiss roll). Maps that saturate in floating point
    far out (normal CDF, Swiss roll) are applied to light-tailed tasks only.

    Returns:
      A tuple of :class:`Task` with unique names, in a fixed order.
    """
    normal_1d = dense_normal_task(1, 1, correlation=0.75)
    normal_3d = dense_normal_task(3, 3, correlation=0.5)
    normal_5d = dense_normal_task(5, 5, correlation=0.5)
    sparse_5d = sparse_normal_task(5, 5, n_pairs=2, correlation=0.8)
    channel_1d = gaussian_channel_task(1, signal_to_noise=1.0)
    channel_5d = gaussian_channel_task(5, signal_to_noise=1.0)
    cauchy_identity = _student_identity(1, dof=1.0)
    student_5d = _student_dense(5, 5, dof=3.0, correlation=0.5)
    uniform_noise = additive_uniform_task(epsilon=0.1)
    normal = (
        dense_normal_task(1, 1, correlation=0.5),
        normal_1d,
        dense_normal_task(1, 1, correlation=0.9),
        dense_normal_task(2, 2, correlation=0.5),
        normal_3d,
        normal_5d,
        dense_normal_task(10, 10, correlation=0.1),
        dense_normal_task(10, 10, correlation=0.5),
        dense_normal_task(25, 25, correlation=0.5),
        dense_normal_task(50, 50, correlation=0.5),
        sparse_normal_task(2, 2, n_pairs=1, correlation=0.8),
        sparse_5d,
        sparse_normal_task(10, 10, n_pairs=2, correlation=0.8),
        sparse_normal_task(25, 25, n_pairs=2, correlation=0.8),
        sparse_normal_task(50, 50, n_pairs=2, correlation=0.8),
        sparse_normal_task(50, 50, n_pairs=10, correlation=0.5),
        canonical_normal_task([0.99]),
        canonical_normal_task([0.999]),
        canonical_normal_task([0.9, 0.5, 0.1]),
        canonical_normal_task([0.95, 0.95, 0.95, 0.95], dim_x=5, dim_y=5),
        canonical_normal_task([0.99, 0.99], dim_x=2, dim_y=5),
        canonical_normal_task([0.99, 0.99, 0.9], dim_x=5, dim_y=5),
        canonical_normal_task([0.9], dim_x=1, dim_y=10),
        channel_1d,
        channel_5d,
        gaussian_channel_task(10, signal_to_noise=0.025),
        gaussian_channel_task(3, signal_to_noise=10.0),
    )
    student = (
        cauchy_identity,
        _student_identity(2, dof=1.0),
        _student_identity(5, dof=2.0),
        _student_identity(10, dof=3.0),
        _student_identity(25, dof=5.0),
        _student_dense(1, 1, dof=1.0, correlation=0.5),
        _student_dense(1, 1, dof=5.0, correlation=0.9),
        student_5d,
        student_t_task(
            paired_correlation([0.8, 0.8], 3, 3),
            dim_x=3,
            dof=2.0,
            name="student-t-sparse-3x3-2pairs-rho0.8-nu2",
        ),
    )
    bounded = (
        additive_uniform_task(epsilon=0.01),
        uniform_noise,
        additive_uniform_task(epsilon=0.5),
        additive_uniform_task(epsilon=0.75),
        additive_uniform_task(epsilon=2.0),
        discrete_continuous_task(n_symbols=2),
        discrete_continuous_task(n_symbols=4),
        discrete_continuous_task(n_symbols=10),
    )
    cdf = normal_cdf_transform()
    half_cube = half_cube_transform()
    asinh = asinh_transform()
    spiral = spiral_transform()
    wiggly = wiggly_transform()
    swiss_roll = swiss_roll_transform()
    transformed = (
        transform_task(normal_1d, x=cdf, y=cdf),
        transform_task(sparse_5d, x=cdf, y=cdf),
        transform_task(normal_1d, x=half_cube, y=half_cube),
        transform_task(normal_5d, x=half_cube, y=half_cube),
        transform_task(channel_5d, x=half_cube, y=half_cube),
        transform_task(cauchy_identity, x=asinh, y=asinh),
        transform_task(student_5d, x=asinh, y=asinh),
        transform_task(normal_3d, x=spiral, y=spiral),
        transform_task(sparse_5d, x=spiral),
        transform_task(normal_1d, x=wiggly, y=wiggly),
        transform_task(uniform_noise, x=wiggly, y=wiggly),
        transform_task(normal_1d, x=swiss_roll),
        transform_task(channel_1d, y=swiss_roll),
    )
    return normal + student + bounded + transformed
