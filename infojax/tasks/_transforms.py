"""Maps that preserve mutual information, and tasks transformed by them.

For injective maps ``f`` and ``g``, :math:`I(f(X); g(Y)) = I(X; Y)`: the transformed
task keeps the true MI while its marginals change shape (bounded, stretched, curled,
embedded in more dimensions), which is what trips estimators up. Densities follow by
change of variables, :math:`\\log p_{f(X)}(f(v)) = \\log p_X(v) - \\log \\mathrm{vol}\\,J_f(v)`
with :math:`\\mathrm{vol}\\,J = \\sqrt{\\det J^\\top J}` (``|det J|`` for a square
Jacobian); the volume terms cancel in the pointwise MI.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import jax
import jax.numpy as jnp
from jax.scipy.special import ndtr
from jax.scipy.special import ndtri

from infojax.tasks._task import Task

_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


@dataclasses.dataclass(frozen=True, eq=False)
class Transform:
    """An injective smooth map applied to every row of one side of a task.

    Attributes:
      name: short name used in task names, e.g. ``"asinh"``.
      forward: one row of shape ``(d,)`` to one row of shape ``(expansion * d,)``.
      inverse: the inverse of ``forward`` on its image.
      log_volume: :math:`\\log \\sqrt{\\det J^\\top J}` of ``forward`` at a row ``(d,)``
        (``log |det J|`` when ``expansion == 1``), a scalar.
      expansion: output dimensions per input dimension.
      min_dim: smallest input dimension the map is defined for.
    """

    name: str
    forward: Callable[[jax.Array], jax.Array] = dataclasses.field(repr=False)
    inverse: Callable[[jax.Array], jax.Array] = dataclasses.field(repr=False)
    log_volume: Callable[[jax.Array], jax.Array] = dataclasses.field(repr=False)
    expansion: int = 1
    min_dim: int = 1

    def output_dim(self, dim: int) -> int:
        """Dimension of the image of a ``dim``-dimensional row."""
        return self.expansion * dim


def normal_cdf_transform() -> Transform:
    r"""Elementwise standard normal CDF :math:`\Phi`: Gaussian margins become uniform.

    .. math::
        f(v) = \Phi(v), \qquad \log|\det J| = \sum_i \log \varphi(v_i)
    """
    return Transform(
        name="normal_cdf",
        forward=ndtr,
        inverse=ndtri,
        log_volume=lambda v: jnp.sum(-0.5 * v**2 - _LOG_SQRT_2PI),
    )


def half_cube_transform() -> Transform:
    r"""Elementwise :math:`f(v) = \operatorname{sign}(v) |v|^{3/2}`: lighter centre,
    heavier tails.

    .. math::
        \log|\det J| = \sum_i \log\left(\tfrac32 |v_i|^{1/2}\right)
    """
    return Transform(
        name="half_cube",
        forward=lambda v: jnp.sign(v) * jnp.abs(v) ** 1.5,
        inverse=lambda z: jnp.sign(z) * jnp.abs(z) ** (2.0 / 3.0),
        log_volume=lambda v: jnp.sum(math.log(1.5) + 0.5 * jnp.log(jnp.abs(v))),
    )


def asinh_transform() -> Transform:
    r"""Elementwise :math:`f(v) = \operatorname{asinh}(v)`: heavy tails become light.

    .. math::
        \log|\det J| = -\tfrac12 \sum_i \log(1 + v_i^2)
    """
    return Transform(
        name="asinh",
        forward=jnp.arcsinh,
        inverse=jnp.sinh,
        log_volume=lambda v: -0.5 * jnp.sum(jnp.log1p(v**2)),
    )


def _rotate_pairs(v: jax.Array, angle: jax.Array) -> jax.Array:
    """Rotates coordinate pairs (0, 1), (2, 3), ... of ``v`` by ``angle``."""
    paired = v.shape[0] // 2 * 2
    pairs = v[:paired].reshape(-1, 2)
    cos, sin = jnp.cos(angle), jnp.sin(angle)
    rotated = jnp.stack(
        [cos * pairs[:, 0] - sin * pairs[:, 1], sin * pairs[:, 0] + cos * pairs[:, 1]], axis=-1
    )
    return jnp.concatenate([rotated.reshape(-1), v[paired:]])


def spiral_transform(*, speed: float = 0.5) -> Transform:
    r"""Rotation by an angle growing with the norm: :math:`f(v) = R(s \|v\|^2)\, v`.

    :math:`R(\theta)` rotates the coordinate pairs (0, 1), (2, 3), ... by
    :math:`\theta` (an odd last coordinate stays). The norm is preserved, so the
    inverse rotates back by :math:`-s\|f(v)\|^2`; with :math:`A` the antisymmetric
    generator of :math:`R`, :math:`\det J = 1 + 2 s\, v^\top R^\top R' v = 1 + 2 s\, v^\top A v
    = 1`: the map keeps volume.

    Args:
      speed: :math:`s`, radians per unit of squared norm.

    References:
      Czyz, Grabowski, Vogt, Beerenwinkel & Marx (2023), Beyond normal: on the
      evaluation of mutual information estimators, https://arxiv.org/abs/2306.11078
    """
    return Transform(
        name=f"spiral{speed:g}",
        forward=lambda v: _rotate_pairs(v, speed * jnp.sum(v**2)),
        inverse=lambda z: _rotate_pairs(z, -speed * jnp.sum(z**2)),
        log_volume=lambda v: jnp.zeros((), v.dtype),
        min_dim=2,
    )


def wiggly_transform(*, amplitude: float = 0.4, frequency: float = 2.0) -> Transform:
    r"""Elementwise wiggly increasing map :math:`f(v) = v + a \sin(\omega v)`.

    Increasing when :math:`a\omega < 1`. The inverse has no closed form; it is found
    by 60 bisection steps in :math:`[z - a, z + a]`, which holds it since
    :math:`|f(v) - v| \le a`.

    .. math::
        \log|\det J| = \sum_i \log(1 + a\omega \cos(\omega v_i))

    Args:
      amplitude: :math:`a > 0`.
      frequency: :math:`\omega > 0`, with :math:`a\omega < 1`.
    """
    if not (amplitude > 0 and frequency > 0 and amplitude * frequency < 1):
        raise ValueError(
            "`amplitude` and `frequency` must be positive with amplitude * frequency < 1 "
            f"(an increasing map), got {amplitude} and {frequency}."
        )

    def forward(v):
        return v + amplitude * jnp.sin(frequency * v)

    def inverse(z):
        def bisect(_, bracket):
            low, high = bracket
            middle = 0.5 * (low + high)
            below = forward(middle) < z
            return jnp.where(below, middle, low), jnp.where(below, high, middle)

        low, high = jax.lax.fori_loop(0, 60, bisect, (z - amplitude, z + amplitude))
        return 0.5 * (low + high)

    return Transform(
        name="wiggly",
        forward=forward,
        inverse=inverse,
        log_volume=lambda v: jnp.sum(jnp.log1p(amplitude * frequency * jnp.cos(frequency * v))),
    )


_ROLL_START = 1.5 * math.pi
_ROLL_SCALE = 4.5 * math.pi


def swiss_roll_transform() -> Transform:
    r"""Embeds each coordinate as a point on a Swiss roll in the plane (2 outputs each).

    With :math:`t = \tfrac32\pi (1 + 2\Phi(v))`, the coordinate ``v`` goes to
    :math:`(t\cos t, t\sin t) / (\tfrac92\pi)`, a point on a spiral curve of radius at
    most one. Densities are with respect to arc length on the curve:

    .. math::
        \log \mathrm{vol}\,J = \sum_i \left[\tfrac12\log(1 + t_i^2) + \log 3\pi
            + \log\varphi(v_i) - \log \tfrac92\pi\right]

    References:
      Czyz, Grabowski, Vogt, Beerenwinkel & Marx (2023), Beyond normal: on the
      evaluation of mutual information estimators, https://arxiv.org/abs/2306.11078
    """

    def angle(v):
        return _ROLL_START * (1.0 + 2.0 * ndtr(v))

    def forward(v):
        t = angle(v)
        return (jnp.stack([t * jnp.cos(t), t * jnp.sin(t)], axis=-1) / _ROLL_SCALE).reshape(-1)

    def inverse(z):
        t = jnp.linalg.norm(z.reshape(-1, 2), axis=-1) * _ROLL_SCALE
        return ndtri(0.5 * (t / _ROLL_START - 1.0))

    def log_volume(v):
        t = angle(v)
        return jnp.sum(
            0.5 * jnp.log1p(t**2) + math.log(3 * math.pi / _ROLL_SCALE) - 0.5 * v**2 - _LOG_SQRT_2PI
        )

    return Transform(
        name="swiss_roll",
        forward=forward,
        inverse=inverse,
        log_volume=log_volume,
        expansion=2,
    )


def _check_transform(transform: Transform | None, dim: int, side: str) -> None:
    if transform is None:
        return
    if not isinstance(transform, Transform):
        raise TypeError(f"`{side}` must be a Transform or None, got {type(transform).__name__}.")
    if dim < transform.min_dim:
        raise ValueError(
            f"Transform {transform.name!r} needs at least {transform.min_dim} dimensions; "
            f"`{side}` has {dim}."
        )


def transform_task(
    task: Task,
    *,
    x: Transform | None = None,
    y: Transform | None = None,
    name: str | None = None,
) -> Task:
    r"""``task`` with ``x`` mapped by one injective transform and ``y`` by another.

    The mutual information is unchanged, :math:`I(f(X); g(Y)) = I(X; Y)`; the family
    and tails of the base task are kept (an ``asinh`` of a heavy-tailed task is still
    listed as ``"heavy"``: the label describes the base distribution).

    Args:
      task: the base task.
      x: transform of ``X`` (not allowed for a discrete ``X``); None keeps ``X``.
      y: transform of ``Y``; None keeps ``Y``.
      name: name of the new task; default ``"{task.name}+{transform}"`` with the
        transform's name, suffixed ``-x`` or ``-y`` when only one side is mapped or
        the sides differ.

    Returns:
      The transformed :class:`Task`.
    """
    if not isinstance(task, Task):
        raise TypeError(f"`task` must be a Task, got {type(task).__name__}.")
    if x is None and y is None:
        raise ValueError("Give a transform for `x`, `y` or both.")
    if x is not None and task.x_discrete:
        raise ValueError(f"`x` of task {task.name!r} is discrete and cannot be transformed.")
    _check_transform(x, task.dim_x, "x")
    _check_transform(y, task.dim_y, "y")

    if x is not None and y is not None and x.name == y.name:
        labels = (x.name,)
    else:
        labels = tuple(
            f"{transform.name}-{side}"
            for transform, side in ((x, "x"), (y, "y"))
            if transform is not None
        )

    def sampler(key, n, dtype):
        samples_x, samples_y = task.sampler(key, n, dtype)
        if x is not None:
            samples_x = jax.vmap(x.forward)(samples_x)
        if y is not None:
            samples_y = jax.vmap(y.forward)(samples_y)
        return samples_x, samples_y

    def pull_back(transform, row):
        if transform is None:
            return row, jnp.zeros((), row.dtype)
        preimage = transform.inverse(row)
        return preimage, transform.log_volume(preimage)

    def log_density(row_x, row_y):
        preimage_x, log_volume_x = pull_back(x, row_x)
        preimage_y, log_volume_y = pull_back(y, row_y)
        log_joint, log_x, log_y = task.log_density(preimage_x, preimage_y)
        return (
            log_joint - log_volume_x - log_volume_y,
            log_x - log_volume_x,
            log_y - log_volume_y,
        )

    applied = tuple(
        f"{transform.name}-{side}"
        for transform, side in ((x, "x"), (y, "y"))
        if transform is not None
    )
    return Task(
        name=name or f"{task.name}+{'+'.join(labels)}",
        family=task.family,
        dim_x=x.output_dim(task.dim_x) if x is not None else task.dim_x,
        dim_y=y.output_dim(task.dim_y) if y is not None else task.dim_y,
        mutual_information=task.mutual_information,
        sampler=sampler,
        log_density=log_density,
        tails=task.tails,
        x_discrete=task.x_discrete,
        transforms=task.transforms + applied,
        params=task.params,
    )
