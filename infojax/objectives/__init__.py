"""Information in the loss: the rate terms of information-bottleneck objectives.

An information-bottleneck objective trades how much a representation Z keeps about
the input X (the *rate*, a bound on I(X;Z)) against how well Z predicts the label Y
(the *distortion*, a decoder's cross-entropy, which bounds I(Z;Y) from below through
``I(Z;Y) >= H(Y) - distortion``). Every function here returns one value per example
in nats, to be averaged by the training loop:

* VIB (Alemi et al. 2017): ``ib_lagrangian(cross_entropy, vib_rate(mean, std),
  beta=beta)``, or with a learned marginal ``r(z)``,
  ``sampled_rate(z, mean, std, prior.log_prob(z))``;
* nonlinear IB (Kolchinsky et al. 2019): ``ib_lagrangian(cross_entropy,
  kde_rate(mean, noise_std), beta=beta, power=2)`` (``power=1``: the plain IB
  Lagrangian);
* CEB (Fischer 2020): ``ib_lagrangian(cross_entropy, ceb_rate(z, mean, std,
  backward_mean, backward_std), beta=beta)``.

``cross_entropy`` is ``optax.softmax_cross_entropy_with_integer_labels(logits, y)``
of the decoder's logits of the sampled Z.
"""

from infojax.objectives._ib import ceb_rate
from infojax.objectives._ib import diagonal_gaussian_log_prob
from infojax.objectives._ib import ib_lagrangian
from infojax.objectives._ib import kde_rate
from infojax.objectives._ib import sampled_rate
from infojax.objectives._ib import vib_rate

__all__ = [
    "ceb_rate",
    "diagonal_gaussian_log_prob",
    "ib_lagrangian",
    "kde_rate",
    "sampled_rate",
    "vib_rate",
]
