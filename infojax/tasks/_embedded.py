r"""High-dimensional tasks with a low-dimensional dependence.

A base task ``(X, Y)`` of a few dimensions is padded on each side with independent
standard normal columns and rotated by a fixed random orthogonal matrix:

.. math::
    X' = Q_X \begin{pmatrix} X \\ E_X \end{pmatrix}, \qquad
    Y' = Q_Y \begin{pmatrix} Y \\ E_Y \end{pmatrix}, \qquad
    E_X \sim \mathcal N(0, I_{D_X - d_X}),\ E_Y \sim \mathcal N(0, I_{D_Y - d_Y}),

with :math:`E_X, E_Y` independent of each other and of ``(X, Y)``. The dependence lives
in a ``d_X + d_Y``-dimensional subspace that no coordinate axis points along, hidden
among ``D_X + D_Y`` dimensions of noise of the same scale: the setting where
nearest-neighbour estimators in the ambient space and critics trained from few samples
fail, and a learned low-dimensional representation helps.
"""

from __future__ import annotations

import math

import jax
import jax.numpy as jnp
import numpy as np

from infojax._validation import check_positive_int
from infojax.tasks._elliptical import canonical_normal_task
from infojax.tasks._elliptical import paired_correlation
from infojax.tasks._elliptical import student_t_task
from infojax.tasks._task import Task
from infojax.tasks._transforms import Transform
from infojax.tasks._transforms import half_cube_transform
from infojax.tasks._transforms import transform_task

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def random_rotation(dim: int, *, seed: int = 0) -> np.ndarray:
    """A random orthogonal matrix of size ``dim``, drawn from the Haar measure.

    The Q factor of a standard normal matrix with the signs of ``R``'s diagonal moved
    into it (Mezzadri, 2007), drawn with NumPy's generator from ``seed``, so the same
    arguments always give the same matrix.

    Args:
      dim: size of the matrix.
      seed: seed of ``numpy.random.default_rng``.

    Returns:
      A float64 array of shape ``(dim, dim)`` with ``Q @ Q.T == I``.

    References:
      Mezzadri (2007), How to generate random matrices from the classical compact
      groups, https://arxiv.org/abs/math-ph/0609050
    """
    check_positive_int(dim, "dim")
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((dim, dim)))
    return q * np.sign(np.diag(r))


def _standard_normal_log_density(v: jax.Array) -> jax.Array:
    return jnp.sum(-0.5 * v * v - _LOG_SQRT_2PI)


def embedded_task(
    task: Task,
    dim_x: int,
    dim_y: int,
    *,
    seed: int = 0,
    transform: Transform | None = None,
    name: str | None = None,
) -> Task:
    r"""``task`` padded with independent noise to ``dim_x`` / ``dim_y`` and rotated.

    Each side is completed with independent standard normal columns and multiplied by
    a fixed random orthogonal matrix (:func:`random_rotation`, seeds ``seed`` for
    ``x`` and ``seed + 1`` for ``y``), then optionally mapped by ``transform`` on both
    sides. The mutual information is that of the base task exactly:

    .. math::
        I(X'; Y') = I\big((X, E_X); (Y, E_Y)\big) = I(X; Y),

    since invertible maps of each side (the rotations and ``transform``) leave it
    unchanged, and noise independent of everything else adds none (the chain rule
    gives :math:`I(X E_X; Y E_Y) = I(X; Y) + I(E_X; Y E_Y | X) + I(X; E_Y | Y) = I(X; Y)`).
    The rotation has :math:`|\det Q| = 1`, so the densities are those of the base task
    at the rotated-back point times the standard normal density of the noise
    coordinates (the same factor in the joint and in the marginal, so the pointwise MI
    is that of the base task).

    Args:
      task: the base task, with a continuous ``x``; ``task.dim_x <= dim_x`` and
        ``task.dim_y <= dim_y``.
      dim_x: dimension of the embedded ``x``.
      dim_y: dimension of the embedded ``y``.
      seed: seed of the two rotations (the task is deterministic given it).
      transform: an MI-preserving map of one row to a row of the same size (e.g.
        :func:`~infojax.tasks.half_cube_transform`) applied to both sides after the
        rotation, via :func:`~infojax.tasks.transform_task`; None: no map.
      name: task name; default ``"{task.name}-in-{dim_x}x{dim_y}-seed{seed}"`` (plus
        the transform's name).

    Returns:
      A :class:`Task` with the base task's family, tails and mutual information (nats);
      its ``params`` hold the base task's name and dimensions, the seed, and the
      rotations ``rotation_x`` and ``rotation_y`` (the embedded ``x`` is
      ``[x, noise] @ rotation_x.T``).

    Example:
      >>> base = canonical_normal_task([0.8, 0.8])
      >>> task = embedded_task(base, 100, 100)
      >>> x, y = task.sample(jax.random.key(0), 5000)  # (5000, 100) each
      >>> task.mutual_information == base.mutual_information
      True
    """
    if not isinstance(task, Task):
        raise TypeError(f"`task` must be a Task, got {type(task).__name__}.")
    if task.x_discrete:
        raise ValueError(f"`task` {task.name!r} has a discrete `x`, which cannot be rotated.")
    check_positive_int(dim_x, "dim_x")
    check_positive_int(dim_y, "dim_y")
    for dim, base_dim, side in ((dim_x, task.dim_x, "dim_x"), (dim_y, task.dim_y, "dim_y")):
        if dim < base_dim:
            raise ValueError(
                f"`{side}`={dim} is smaller than the base task's {base_dim} dimensions."
            )
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"`seed` must be a non-negative int, got {seed!r}.")
    if transform is not None:
        if not isinstance(transform, Transform):
            raise TypeError(
                f"`transform` must be a Transform or None, got {type(transform).__name__}."
            )
        if transform.expansion != 1:
            raise ValueError(
                f"`transform` must keep the dimension; {transform.name!r} multiplies it "
                f"by {transform.expansion}."
            )
    base_x, base_y = task.dim_x, task.dim_y
    rotation_x = random_rotation(dim_x, seed=int(seed))
    rotation_y = random_rotation(dim_y, seed=int(seed) + 1)

    def sampler(key, n, dtype):
        base_key, noise_x_key, noise_y_key = jax.random.split(key, 3)
        x, y = task.sampler(base_key, n, dtype)
        noise_x = jax.random.normal(noise_x_key, (n, dim_x - base_x), dtype)
        noise_y = jax.random.normal(noise_y_key, (n, dim_y - base_y), dtype)
        x = jnp.concatenate([x, noise_x], axis=1) @ jnp.asarray(rotation_x.T, dtype)
        y = jnp.concatenate([y, noise_y], axis=1) @ jnp.asarray(rotation_y.T, dtype)
        return x, y

    def log_density(row_x, row_y):
        # Row times Q is Q^T times the column: the rotation undone.
        back_x = row_x @ jnp.asarray(rotation_x, row_x.dtype)
        back_y = row_y @ jnp.asarray(rotation_y, row_y.dtype)
        log_joint, log_x, log_y = task.log_density(back_x[:base_x], back_y[:base_y])
        noise_x = _standard_normal_log_density(back_x[base_x:])
        noise_y = _standard_normal_log_density(back_y[base_y:])
        return log_joint + noise_x + noise_y, log_x + noise_x, log_y + noise_y

    default_name = f"{task.name}-in-{dim_x}x{dim_y}-seed{seed}"
    embedded = Task(
        name=default_name if transform is not None or name is None else name,
        family=task.family,
        dim_x=dim_x,
        dim_y=dim_y,
        mutual_information=task.mutual_information,
        sampler=sampler,
        log_density=log_density,
        tails=task.tails,
        transforms=(*task.transforms, "embedded"),
        params={
            "base_task": task.name,
            "base_dim_x": base_x,
            "base_dim_y": base_y,
            "seed": int(seed),
            "rotation_x": rotation_x,
            "rotation_y": rotation_y,
        },
    )
    if transform is None:
        return embedded
    return transform_task(embedded, x=transform, y=transform, name=name)


def high_dimensional_suite() -> tuple[Task, ...]:
    """5 tasks with 100 to 500 dimensions per side and a 2-dimensional dependence.

    Each embeds a 2 x 2 base task with :func:`embedded_task` (seed 0), so the true MI
    is known in closed form:

    * Gaussian with canonical correlations (0.8, 0.8), :math:`I = -\\log(1 - 0.64)
      = 1.02` nats, in 100 x 100, 250 x 250 and 500 x 500 dimensions;
    * the same in 100 x 100, then the half-cube map on every coordinate (non-Gaussian
      marginals, same MI);
    * Student-t with 5 degrees of freedom and the same dispersion (heavy tails),
      in 100 x 100 (MI 1.02 plus the Student-t term).

    Not part of :func:`~infojax.tasks.default_suite`: at these dimensions the
    nearest-neighbour estimators of the default benchmark are slow and far off.

    Returns:
      A tuple of :class:`Task` with unique names, in a fixed order.
    """
    normal = canonical_normal_task([0.8, 0.8])
    student = student_t_task(
        paired_correlation([0.8, 0.8], 2, 2),
        dim_x=2,
        dof=5.0,
        name="student-t-canonical-2x2-rho0.8_0.8-nu5",
    )
    return (
        embedded_task(normal, 100, 100),
        embedded_task(normal, 250, 250),
        embedded_task(normal, 500, 500),
        embedded_task(normal, 100, 100, transform=half_cube_transform()),
        embedded_task(student, 100, 100),
    )
