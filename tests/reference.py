# --- Nearest-neighbour and kernel estimators (brute force, plain NumPy) ---
import numpy as np
from scipy.special import digamma as _digamma
from scipy.special import gammaln as _gammaln


def _max_norm_distances(a):
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    d = np.abs(a[:, None, :] - a[None, :, :]).max(axis=-1)
    np.fill_diagonal(d, np.inf)
    return d


def _side_distances(a, metric):
    """Pairwise distances within one side (max-norm or Euclidean), inf on the diagonal."""
    if metric == "chebyshev":
        return _max_norm_distances(a)
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    d = np.sqrt(((a[:, None, :] - a[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    return d


def _kth_sorted(d, k):
    return np.sort(d, axis=1)[:, k - 1]


def kl_entropy_reference(x, k, metric="chebyshev"):
    """Kozachenko-Leonenko entropy in nats; distances by brute force and a full sort."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    n, d = x.shape
    if metric == "chebyshev":
        dist = _max_norm_distances(x)
        log_volume = d * np.log(2.0)
    else:
        dist = np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))
        np.fill_diagonal(dist, np.inf)
        log_volume = 0.5 * d * np.log(np.pi) - _gammaln(0.5 * d + 1)
    eps = _kth_sorted(dist, k)
    return _digamma(n) - _digamma(k) + log_volume + d * np.mean(np.log(eps))


def ksg_reference(x, y, k, variant=1, metric="chebyshev"):
    """KSG mutual information (Kraskov et al. 2004, algorithms 1 and 2) in nats; the
    joint distance is the larger of the within-side distances in ``metric``."""
    dx, dy = _side_distances(x, metric), _side_distances(y, metric)
    n = len(dx)
    joint = np.maximum(dx, dy)
    order = np.argsort(joint, axis=1, kind="stable")[:, :k]
    eps = np.take_along_axis(joint, order, 1)[:, -1]
    if variant == 1:
        nx = (dx < eps[:, None]).sum(1)
        ny = (dy < eps[:, None]).sum(1)
        return _digamma(k) + _digamma(n) - np.mean(_digamma(nx + 1) + _digamma(ny + 1))
    eps_x = np.take_along_axis(dx, order, 1).max(1)
    eps_y = np.take_along_axis(dy, order, 1).max(1)
    nx = (dx <= eps_x[:, None]).sum(1)
    ny = (dy <= eps_y[:, None]).sum(1)
    return _digamma(k) - 1.0 / k + _digamma(n) - np.mean(_digamma(nx) + _digamma(ny))


def ksg_cmi_reference(x, y, z, k, metric="chebyshev"):
    """Frenzel-Pompe conditional mutual information in nats; joint distances are the
    largest of the within-side distances in ``metric``."""
    dx, dy, dz = (_side_distances(a, metric) for a in (x, y, z))
    eps = _kth_sorted(np.maximum(np.maximum(dx, dy), dz), k)[:, None]
    nxz = (np.maximum(dx, dz) < eps).sum(1)
    nyz = (np.maximum(dy, dz) < eps).sum(1)
    nz = (dz < eps).sum(1)
    return _digamma(k) - np.mean(_digamma(nxz + 1) + _digamma(nyz + 1) - _digamma(nz + 1))


def mixed_ksg_reference(x, y, k):
    """Gao et al. (2017) mixed KSG, written after the authors' loop (counts include i)."""
    dx, dy = _max_norm_distances(x), _max_norm_distances(y)
    np.fill_diagonal(dx, 0.0)
    np.fill_diagonal(dy, 0.0)
    joint = np.maximum(dx, dy)
    n = len(joint)
    total = 0.0
    for i in range(n):
        rho = np.sort(joint[i])[k]  # joint[i, i] = 0 is the 0-th entry
        if rho == 0:
            k_tilde = (joint[i] == 0).sum()
            nx, ny = (dx[i] == 0).sum(), (dy[i] == 0).sum()
        else:
            k_tilde = k
            nx, ny = (dx[i] < rho).sum(), (dy[i] < rho).sum()
        total += _digamma(k_tilde) + np.log(n) - _digamma(nx) - _digamma(ny)
    return total / n


def _squared_euclidean(a):
    a = np.asarray(a, np.float64).reshape(len(a), -1)
    return ((a[:, None, :] - a[None, :, :]) ** 2).sum(-1)


def kde_entropy_reference(t, noise_variance, bound="upper"):
    """Kolchinsky-Tracey pairwise-distance bound on the entropy of the Gaussian mixture
    (1/n) sum_i N(t_i, s2 I), written with explicit per-pair divergences (nats)."""
    t = np.asarray(t, np.float64).reshape(len(t), -1)
    n, d = t.shape
    squared = _squared_euclidean(t)
    if bound == "upper":
        divergence = squared / (2 * noise_variance)  # KL(N(t_i, s2) || N(t_j, s2))
    else:
        divergence = squared / (8 * noise_variance)  # Bhattacharyya distance
    component_entropy = 0.5 * d * np.log(2 * np.pi * np.e * noise_variance)
    total = 0.0
    for i in range(n):
        total += np.log(np.mean(np.exp(-divergence[i])))
    return component_entropy - total / n


def kde_label_information_reference(t, labels, noise_variance, bound="upper"):
    """H(T) - sum_c p(c) H(T | Y = c), each entropy by ``kde_entropy_reference``."""
    labels = np.asarray(labels)
    total = kde_entropy_reference(t, noise_variance, bound)
    for c in np.unique(labels):
        members = labels == c
        total -= members.mean() * kde_entropy_reference(t[members], noise_variance, bound)
    return total


def gaussian_mixture_entropy_monte_carlo(t, noise_variance, n_draws, seed):
    """Monte Carlo estimate and its standard error of the entropy of the mixture."""
    from scipy.special import logsumexp as _logsumexp

    t = np.asarray(t, np.float64).reshape(len(t), -1)
    n, d = t.shape
    rng = np.random.default_rng(seed)
    centres = t[rng.integers(0, n, n_draws)]
    draws = centres + np.sqrt(noise_variance) * rng.standard_normal((n_draws, d))
    squared = ((draws[:, None, :] - t[None, :, :]) ** 2).sum(-1)
    log_density = (
        _logsumexp(-squared / (2 * noise_variance), axis=1)
        - np.log(n)
        - 0.5 * d * np.log(2 * np.pi * noise_variance)
    )
    return -log_density.mean(), log_density.std() / np.sqrt(n_draws)


def matrix_renyi_entropy_reference(x, alpha, sigma):
    """Giraldo et al. (2015) with numpy's dense eigenvalue routine (nats)."""
    gram = np.exp(-_squared_euclidean(x) / (2 * sigma**2)) / len(x)
    eigenvalues = np.clip(np.linalg.eigvals(gram).real, 0, None)
    if alpha == 1:
        positive = eigenvalues[eigenvalues > 0]
        return -np.sum(positive * np.log(positive))
    return np.log(np.sum(eigenvalues**alpha)) / (1 - alpha)


def matrix_renyi_mutual_information_reference(x, y, alpha, sigma_x, sigma_y):
    def normalised_gram(a, sigma):
        return np.exp(-_squared_euclidean(a) / (2 * sigma**2)) / len(a)

    def entropy(gram):
        eigenvalues = np.clip(np.linalg.eigvals(gram).real, 0, None)
        return np.log(np.sum(eigenvalues**alpha)) / (1 - alpha)

    gram_x, gram_y = normalised_gram(x, sigma_x), normalised_gram(y, sigma_y)
    joint = gram_x * gram_y
    return entropy(gram_x) + entropy(gram_y) - entropy(joint / np.trace(joint))


def median_heuristic_reference(x):
    """Median of ||x_i - x_j|| over pairs i < j."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    n = len(x)
    return np.median([np.linalg.norm(x[i] - x[j]) for i in range(n) for j in range(i + 1, n)])


def hsic_reference(x, y, sigma_x, sigma_y):
    """Gretton et al. (2005): tr(K H L H) / (n - 1)^2 with explicit matrices."""
    n = len(x)
    kernel_x = np.exp(-_squared_euclidean(x) / (2 * sigma_x**2))
    kernel_y = np.exp(-_squared_euclidean(y) / (2 * sigma_y**2))
    centring = np.eye(n) - np.ones((n, n)) / n
    return np.trace(kernel_x @ centring @ kernel_y @ centring) / (n - 1) ** 2


# --- Exact measures on probability tables (plain NumPy, float64, explicit loops) ---
from scipy.special import logsumexp as _logsumexp  # noqa: E402


def _plogp_sum(p):
    p = np.asarray(p, np.float64).ravel()
    return float(sum(v * np.log(v) for v in p if v > 0))


def entropy_reference(p):
    """H(p) in nats for one distribution (any shape, all entries are outcomes)."""
    return -_plogp_sum(p)


def conditional_entropy_reference(pxy):
    """H(X|Y) = -sum p(x,y) log(p(x,y)/p(y)) by a double loop."""
    pxy = np.asarray(pxy, np.float64)
    py = pxy.sum(axis=0)
    total = 0.0
    for i in range(pxy.shape[0]):
        for j in range(pxy.shape[1]):
            if pxy[i, j] > 0:
                total -= pxy[i, j] * np.log(pxy[i, j] / py[j])
    return total


def mutual_information_reference(pxy):
    """I(X;Y) = sum p(x,y) log(p(x,y)/(p(x)p(y))) by a double loop."""
    pxy = np.asarray(pxy, np.float64)
    px, py = pxy.sum(axis=1), pxy.sum(axis=0)
    total = 0.0
    for i in range(pxy.shape[0]):
        for j in range(pxy.shape[1]):
            if pxy[i, j] > 0:
                total += pxy[i, j] * np.log(pxy[i, j] / (px[i] * py[j]))
    return total


def conditional_mutual_information_reference(pxyz):
    """I(X;Y|Z) = sum_z p(z) I(X;Y | Z=z), one conditional table per z."""
    pxyz = np.asarray(pxyz, np.float64)
    total = 0.0
    for k in range(pxyz.shape[2]):
        pz = pxyz[:, :, k].sum()
        if pz > 0:
            total += pz * mutual_information_reference(pxyz[:, :, k] / pz)
    return total


def interaction_information_reference(pxyz):
    """I(X;Y) - I(X;Y|Z)."""
    pxyz = np.asarray(pxyz, np.float64)
    pairwise = mutual_information_reference(pxyz.sum(axis=2))
    return pairwise - conditional_mutual_information_reference(pxyz)


def total_correlation_reference(p):
    """sum_i H(X_i) - H(X_1..X_k), every axis a variable."""
    p = np.asarray(p, np.float64)
    marginals = 0.0
    for axis in range(p.ndim):
        others = tuple(a for a in range(p.ndim) if a != axis)
        marginals += entropy_reference(p.sum(axis=others))
    return marginals - entropy_reference(p)


def dual_total_correlation_reference(p):
    """sum_i H(X_{-i}) - (k - 1) H(X_1..X_k), every axis a variable (Han 1978)."""
    p = np.asarray(p, np.float64)
    leave_one_out = sum(entropy_reference(p.sum(axis=axis)) for axis in range(p.ndim))
    return leave_one_out - (p.ndim - 1) * entropy_reference(p)


def kl_divergence_reference(p, q):
    """sum p log(p/q); inf where q = 0 < p."""
    total = 0.0
    for a, b in zip(np.asarray(p, np.float64), np.asarray(q, np.float64), strict=True):
        if a > 0:
            total += np.inf if b == 0 else a * np.log(a / b)
    return total


def cross_entropy_reference(p, q):
    """-sum p log q; inf where q = 0 < p."""
    total = 0.0
    for a, b in zip(np.asarray(p, np.float64), np.asarray(q, np.float64), strict=True):
        if a > 0:
            total += np.inf if b == 0 else -a * np.log(b)
    return total


def js_divergence_reference(p, q):
    """(KL(p||m) + KL(q||m)) / 2 with m the mixture."""
    p, q = np.asarray(p, np.float64), np.asarray(q, np.float64)
    m = 0.5 * (p + q)
    return 0.5 * (kl_divergence_reference(p, m) + kl_divergence_reference(q, m))


def renyi_entropy_reference(p, alpha):
    """Renyi entropy in nats, with the limits at alpha = 0, 1 and inf."""
    p = np.asarray(p, np.float64)
    support = p[p > 0]
    if alpha == 0:
        return float(np.log(support.size))
    if alpha == 1:
        return entropy_reference(p)
    if np.isinf(alpha):
        return float(-np.log(support.max()))
    # log sum p^alpha by scipy's logsumexp: p^alpha itself underflows for large alpha.
    return float(_logsumexp(alpha * np.log(support)) / (1.0 - alpha))


def variation_of_information_reference(pxy):
    """H(X|Y) + H(Y|X)."""
    pxy = np.asarray(pxy, np.float64)
    return conditional_entropy_reference(pxy) + conditional_entropy_reference(pxy.T)


def normalized_mutual_information_reference(pxy, normalization="arithmetic"):
    """I(X;Y) / N(H(X), H(Y)), 0 when the normaliser is 0."""
    pxy = np.asarray(pxy, np.float64)
    hx, hy = entropy_reference(pxy.sum(axis=1)), entropy_reference(pxy.sum(axis=0))
    normaliser = {
        "arithmetic": 0.5 * (hx + hy),
        "geometric": np.sqrt(hx * hy),
        "min": min(hx, hy),
        "max": max(hx, hy),
        "joint": entropy_reference(pxy),
    }[normalization]
    return 0.0 if normaliser == 0 else mutual_information_reference(pxy) / normaliser


def random_table(seed, shape, zero_fraction=0.25):
    """A random probability table over all of ``shape`` with some exact zeros (float64).

    Entries are Gamma(0.5) draws, a ``zero_fraction`` of them set to zero (at least one
    entry stays positive), normalised to sum to one.
    """
    rng = np.random.default_rng(seed)
    weights = rng.gamma(0.5, size=shape)
    weights[rng.random(shape) < zero_fraction] = 0.0
    flat = weights.reshape(-1)
    if not (flat > 0).any():
        flat[rng.integers(flat.size)] = 1.0
    return flat.reshape(shape) / flat.sum()


# --- Data and models: spherical-harmonic power spectrum, activations (plain NumPy / SciPy) ---
import numpy as np  # noqa: E402, F811
from scipy.special import erf as _erf  # noqa: E402
from scipy.special import sph_harm_y as _sph_harm_y  # noqa: E402


def spherical_power_spectrum_reference(patterns, points, max_degree):
    """Power per band l = 0..max_degree of sum_i x_i delta(v_i), Schmidt semi-normalised.

    Computed from the spherical harmonics themselves (not the addition theorem):
    a_lm = sum_i x_i conj(Y_lm(v_i)) with orthonormal Y_lm, and
    S_l = 4 pi / (2 l + 1) * sum_m |a_lm|^2. Returns shape (n_patterns, max_degree + 1).
    """
    points = np.asarray(points, np.float64)
    polar = np.arccos(np.clip(points[:, 2], -1.0, 1.0))
    azimuth = np.mod(np.arctan2(points[:, 1], points[:, 0]), 2 * np.pi)
    patterns = np.asarray(patterns, np.float64)
    spectrum = np.zeros((patterns.shape[0], max_degree + 1))
    for degree in range(max_degree + 1):
        for order in range(-degree, degree + 1):
            harmonic = _sph_harm_y(degree, order, polar, azimuth)
            coefficient = patterns @ np.conj(harmonic)
            spectrum[:, degree] += np.abs(coefficient) ** 2
        spectrum[:, degree] *= 4 * np.pi / (2 * degree + 1)
    return spectrum


ACTIVATIONS_REFERENCE = {
    "tanh": np.tanh,
    "relu": lambda x: np.maximum(x, 0.0),
    "linear": lambda x: x,
    "sigmoid": lambda x: 1.0 / (1.0 + np.exp(-x)),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "gelu": lambda x: 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0))),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "silu": lambda x: x / (1.0 + np.exp(-x)),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.01 * x),
}


def mlp_forward_reference(params, x, activation):
    """Noiseless MLP forward pass in float64 NumPy; params = [(kernel, bias), ...]."""
    act = ACTIVATIONS_REFERENCE[activation]
    h = np.asarray(x, np.float64)
    hidden = []
    for kernel, bias in params[:-1]:
        h = act(h @ np.asarray(kernel, np.float64) + np.asarray(bias, np.float64))
        hidden.append(h)
    kernel, bias = params[-1]
    return h @ np.asarray(kernel, np.float64) + np.asarray(bias, np.float64), hidden


# --- Discrete, binning and Gaussian estimators (plain NumPy / SciPy, float64) ---
import numpy as np  # noqa: E402
import scipy.integrate  # noqa: E402
import scipy.special  # noqa: E402
import scipy.stats  # noqa: E402


def grassberger_g_reference(count):
    """G_n = psi(n) + (-1)^n int_0^1 x^(n-1) / (1 + x) dx (Grassberger 2003, eq. 30)."""
    integral, _ = scipy.integrate.quad(lambda x: x ** (count - 1) / (1 + x), 0, 1, epsabs=1e-14)
    return scipy.special.digamma(count) + (-1) ** count * integral


def discrete_entropy_reference(counts, method, n_symbols=None):
    """Entropy (nats) of a count vector from the published formula, cell by cell.

    ``counts`` may contain zeros (unobserved symbols); for ``james_stein`` the shrinkage
    target is uniform over ``n_symbols`` cells (default: the observed ones).
    """
    counts = np.asarray(counts, np.float64)
    n = counts.sum()
    observed = counts[counts > 0]
    p = observed / n
    plugin = -sum(q * np.log(q) for q in p)
    if method == "plugin":
        return plugin
    if method == "miller_madow":
        return plugin + (len(observed) - 1) / (2 * n)
    if method == "grassberger":
        return np.log(n) - sum(c * grassberger_g_reference(int(c)) for c in observed) / n
    if method == "chao_shen":
        singletons = np.sum(observed == 1)
        if singletons == n:
            singletons = n - 1
        coverage = 1 - singletons / n
        total = 0.0
        for q in p:
            pa = coverage * q
            total -= pa * np.log(pa) / (1 - (1 - pa) ** n)
        return total
    if method == "james_stein":
        k = len(observed) if n_symbols is None else n_symbols
        u = np.concatenate([p, np.zeros(k - len(p))])
        target = np.full(k, 1.0 / k)
        denominator = (n - 1) * np.sum((target - u) ** 2)
        shrinkage = (
            1.0 if denominator == 0 else min(1.0, max(0.0, (1 - np.sum(u**2)) / denominator))
        )
        shrunk = shrinkage * target + (1 - shrinkage) * u
        return -sum(q * np.log(q) for q in shrunk if q > 0)
    if method == "nsb":
        return nsb_entropy_reference(counts, n_symbols)
    raise ValueError(method)


def nsb_entropy_reference(counts, n_symbols):
    """NSB posterior-mean entropy (nats) by adaptive quadrature over log(beta).

    The K - len(counts) unlisted symbols have count zero. The posterior weight is
    d xi / d beta * Gamma(K b) / Gamma(N + K b) * prod_k Gamma(n_k + b) / Gamma(b),
    written out for every one of the K cells.
    """
    k = n_symbols
    cells = np.concatenate([np.asarray(counts, np.float64), np.zeros(k - len(counts))])
    n = cells.sum()
    gammaln, psi = scipy.special.gammaln, scipy.special.digamma

    def log_weight(log_beta):
        beta = np.exp(log_beta)
        prior = k * scipy.special.polygamma(1, k * beta + 1) - scipy.special.polygamma(1, beta + 1)
        likelihood = gammaln(k * beta) - gammaln(n + k * beta)
        likelihood += np.sum(gammaln(cells + beta) - gammaln(beta))
        return np.log(prior) + likelihood + log_beta

    def mean_entropy(log_beta):
        beta = np.exp(log_beta)
        total = n + k * beta
        return psi(total + 1) - np.sum((cells + beta) / total * psi(cells + beta + 1))

    grid = np.linspace(-30, 20, 2001)
    values = np.array([log_weight(b) for b in grid])
    peak = grid[np.argmax(values)]
    shift = values.max()
    options = {"points": [peak], "limit": 1000, "epsabs": 0, "epsrel": 1e-12}
    normaliser, _ = scipy.integrate.quad(
        lambda b: np.exp(log_weight(b) - shift), -30, 20, **options
    )
    moment, _ = scipy.integrate.quad(
        lambda b: np.exp(log_weight(b) - shift) * mean_entropy(b), -30, 20, **options
    )
    return moment / normaliser


def plugin_entropy_of_rows_reference(symbols):
    """Plug-in entropy (nats) of the rows of an integer array, by np.unique(axis=0)."""
    symbols = np.asarray(symbols).reshape(len(symbols), -1)
    _, counts = np.unique(symbols, axis=0, return_counts=True)
    return scipy.stats.entropy(counts)


def bin_reference(t, n_bins=None, bin_width=None, value_range=None, equal_mass=False):
    """Bin indices of ``t`` (n, d) with np.digitize on explicit edges."""
    t = np.asarray(t, np.float64).reshape(len(t), -1)
    bins = np.empty(t.shape, dtype=np.int64)
    if equal_mass:
        for j in range(t.shape[1]):
            edges = np.quantile(t[:, j], np.linspace(0, 1, n_bins + 1)[1:-1])
            bins[:, j] = np.digitize(t[:, j], edges)
        return bins
    if value_range is None:
        low, high = np.full(t.shape[1], t.min()), np.full(t.shape[1], t.max())
    else:
        low = np.broadcast_to(np.asarray(value_range[0], np.float64), (t.shape[1],))
        high = np.broadcast_to(np.asarray(value_range[1], np.float64), (t.shape[1],))
    for j in range(t.shape[1]):
        if bin_width is None:
            edges = np.linspace(low[j], high[j], n_bins + 1)
        else:
            count = int(np.ceil((high[j] - low[j]) / bin_width))
            edges = low[j] + bin_width * np.arange(count + 1)
        bins[:, j] = np.digitize(t[:, j], edges[1:-1])
    return bins


def binned_entropy_reference(t, **binning):
    return plugin_entropy_of_rows_reference(bin_reference(t, **binning))


def binned_mutual_information_reference(t, labels, **binning):
    bins = bin_reference(t, **binning)
    labels = np.asarray(labels).reshape(len(labels), -1)
    return (
        plugin_entropy_of_rows_reference(bins)
        + plugin_entropy_of_rows_reference(labels)
        - plugin_entropy_of_rows_reference(np.concatenate([bins, labels], axis=1))
    )


def histogram_mutual_information_reference(x, y, n_bins, equal_mass=False):
    """Plug-in MI (nats) of np.histogramdd counts, each column binned on its own range
    (or between its quantiles); marginals by summing the joint histogram."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    y = np.asarray(y, np.float64).reshape(len(y), -1)
    joint = np.concatenate([x, y], axis=1)
    edges = []
    for column in joint.T:
        if equal_mass:
            inner = np.quantile(column, np.linspace(0, 1, n_bins + 1)[1:-1])
            edges.append(np.concatenate([[column.min()], inner, [column.max()]]))
        else:
            edges.append(np.linspace(column.min(), column.max(), n_bins + 1))
    counts, _ = np.histogramdd(joint, bins=edges)
    counts = counts.reshape(n_bins ** x.shape[1], n_bins ** y.shape[1])
    return (
        scipy.stats.entropy(counts.sum(axis=1))
        + scipy.stats.entropy(counts.sum(axis=0))
        - scipy.stats.entropy(counts.ravel())
    )


def gaussian_mi_reference(x, y, bias_correction=False):
    """Ince et al.'s ``mi_gg`` (gcmi toolbox) in NumPy, in nats."""
    x = np.asarray(x, np.float64).reshape(len(x), -1).T
    y = np.asarray(y, np.float64).reshape(len(y), -1).T
    n_trials = x.shape[1]
    n_x, n_y = x.shape[0], y.shape[0]
    xy = np.vstack([x, y])
    xy = xy - xy.mean(axis=1, keepdims=True)
    cov = xy @ xy.T / (n_trials - 1)
    h_x = np.sum(np.log(np.diag(np.linalg.cholesky(cov[:n_x, :n_x]))))
    h_y = np.sum(np.log(np.diag(np.linalg.cholesky(cov[n_x:, n_x:]))))
    h_xy = np.sum(np.log(np.diag(np.linalg.cholesky(cov))))
    if bias_correction:
        psi_terms = scipy.special.digamma((n_trials - np.arange(1, n_x + n_y + 1)) / 2.0) / 2.0
        d_term = (np.log(2.0) - np.log(n_trials - 1.0)) / 2.0
        h_x -= n_x * d_term + psi_terms[:n_x].sum()
        h_y -= n_y * d_term + psi_terms[:n_y].sum()
        h_xy -= (n_x + n_y) * d_term + psi_terms.sum()
    return h_x + h_y - h_xy


def copula_normalise_reference(x):
    """Standard-normal scores of ordinal ranks / (n + 1), column by column."""
    x = np.asarray(x, np.float64).reshape(len(x), -1)
    ranks = scipy.stats.rankdata(x, method="ordinal", axis=0)
    return scipy.stats.norm.ppf(ranks / (len(x) + 1))


# --- Ground-truth tasks and resampling statistics (NumPy / SciPy, float64) ---

import itertools  # noqa: E402

import numpy as np  # noqa: E402
from scipy import integrate  # noqa: E402
from scipy import stats as scipy_stats  # noqa: E402


def normal_log_densities_reference(cov, dim_x, x, y):
    """(log p(x, y), log p(x), log p(y)) of a zero-mean Gaussian, by scipy."""
    cov = np.asarray(cov, dtype=np.float64)
    joint = scipy_stats.multivariate_normal(np.zeros(len(cov)), cov)
    marginal_x = scipy_stats.multivariate_normal(np.zeros(dim_x), cov[:dim_x, :dim_x])
    marginal_y = scipy_stats.multivariate_normal(np.zeros(len(cov) - dim_x), cov[dim_x:, dim_x:])
    xy = np.concatenate([x, y], axis=1)
    return (
        np.atleast_1d(joint.logpdf(xy)),
        np.atleast_1d(marginal_x.logpdf(x)),
        np.atleast_1d(marginal_y.logpdf(y)),
    )


def student_t_log_densities_reference(dispersion, dof, dim_x, x, y):
    """(log p(x, y), log p(x), log p(y)) of a zero-mean multivariate t, by scipy."""
    dispersion = np.asarray(dispersion, dtype=np.float64)

    def logpdf(shape, values):
        dim = len(shape)
        return np.atleast_1d(
            scipy_stats.multivariate_t(np.zeros(dim), shape, df=dof).logpdf(values)
        )

    return (
        logpdf(dispersion, np.concatenate([x, y], axis=1)),
        logpdf(dispersion[:dim_x, :dim_x], x),
        logpdf(dispersion[dim_x:, dim_x:], y),
    )


def additive_uniform_density_y_reference(y, epsilon):
    """Density of X + U(-eps, eps) with X ~ U(0, 1): the trapezoid, case by case."""
    width = 2.0 * epsilon
    shifted = np.asarray(y, dtype=np.float64) + epsilon  # Y + eps = X + U(0, width)
    density = np.zeros_like(shifted)
    short, long = min(1.0, width), max(1.0, width)
    rising = (shifted > 0) & (shifted < short)
    flat = (shifted >= short) & (shifted <= long)
    falling = (shifted > long) & (shifted < 1.0 + width)
    density[rising] = shifted[rising] / width
    density[flat] = short / width
    density[falling] = (1.0 + width - shifted[falling]) / width
    return density


def additive_uniform_log_densities_reference(epsilon, x, y):
    x, y = x[:, 0], y[:, 0]
    inside = (x >= 0) & (x <= 1) & (np.abs(y - x) <= epsilon)
    with np.errstate(divide="ignore"):
        return (
            np.where(inside, -np.log(2 * epsilon), -np.inf),
            np.where((x >= 0) & (x <= 1), 0.0, -np.inf),
            np.log(additive_uniform_density_y_reference(y, epsilon)),
        )


def additive_uniform_mi_reference(epsilon):
    """h(Y) by adaptive quadrature of -p log p, minus h(Y | X) = log(2 eps)."""

    def integrand(t):
        p = additive_uniform_density_y_reference(np.array([t]), epsilon)[0]
        return -p * np.log(p) if p > 0 else 0.0

    breakpoints = sorted({-epsilon, epsilon, 1 - epsilon, 1 + epsilon})
    entropy_y = sum(
        integrate.quad(integrand, low, high, epsabs=1e-13, epsrel=1e-12)[0]
        for low, high in itertools.pairwise(breakpoints)
    )
    return entropy_y - np.log(2 * epsilon)


def discrete_continuous_log_densities_reference(n_symbols, x, y):
    """Joint mass-density, P(X = x) and p(y), counting compatible symbols in a loop."""
    x, y = np.asarray(x[:, 0]), np.asarray(y[:, 0], dtype=np.float64)
    density_y = np.zeros(len(y))
    for symbol in range(n_symbols):
        density_y += ((y >= symbol) & (y <= symbol + 2)) / (2.0 * n_symbols)
    inside = (x <= y) & (y <= x + 2)
    return (
        np.where(inside, -np.log(2.0 * n_symbols), -np.inf),
        np.full(len(x), -np.log(n_symbols)),
        np.log(density_y),
    )


def discrete_continuous_mi_reference(n_symbols):
    """H(X) - H(X | Y): the posterior of X on each unit interval of y, enumerated."""
    conditional_entropy = 0.0
    for start in range(n_symbols + 1):  # y in [start, start + 1)
        compatible = [s for s in range(n_symbols) if s <= start and start + 1 <= s + 2]
        probability_y = len(compatible) / (2.0 * n_symbols)
        conditional_entropy += probability_y * np.log(len(compatible))
    return np.log(n_symbols) - conditional_entropy


def permutation_p_value_reference(estimate, null_samples):
    """(1 + #{null >= estimate}) / (1 + m), counted in a loop."""
    exceed = 0
    for value in np.asarray(null_samples).tolist():
        exceed += value >= float(estimate)
    return (exceed + 1) / (len(null_samples) + 1)


# --- Variational MI bounds on a score matrix (plain NumPy, float64, explicit loops) ---
import math as _bounds_math  # noqa: E402

import numpy as _bounds_np  # noqa: E402


def _bounds_pairs(scores):
    scores = _bounds_np.asarray(scores, _bounds_np.float64)
    n = scores.shape[0]
    joint = [scores[i, i] for i in range(n)]
    marginal = [scores[i, j] for i in range(n) for j in range(n) if i != j]
    return scores, n, joint, marginal


def dv_bound_reference(scores):
    """mean of the diagonal minus log of the mean of exp over the off-diagonal."""
    _, _, joint, marginal = _bounds_pairs(scores)
    return sum(joint) / len(joint) - _bounds_math.log(
        sum(_bounds_math.exp(s) for s in marginal) / len(marginal)
    )


def nwj_bound_reference(scores):
    _, _, joint, marginal = _bounds_pairs(scores)
    partition = sum(_bounds_math.exp(s - 1.0) for s in marginal) / len(marginal)
    return sum(joint) / len(joint) - partition


def infonce_bound_reference(scores):
    """Each row i: log of the softmax probability of column i, plus log n."""
    scores, n, _, _ = _bounds_pairs(scores)
    total = 0.0
    for i in range(n):
        row = [_bounds_math.exp(scores[i, j]) for j in range(n)]
        total += _bounds_math.log(_bounds_math.exp(scores[i, i]) / (sum(row) / n))
    return total / n


def _bounds_softplus(t):
    return _bounds_math.log1p(_bounds_math.exp(-abs(t))) + max(t, 0.0)


def js_objective_reference(scores):
    _, _, joint, marginal = _bounds_pairs(scores)
    joint_term = sum(-_bounds_softplus(-s) for s in joint) / len(joint)
    return joint_term - sum(_bounds_softplus(s) for s in marginal) / len(marginal)


def js_bound_reference(scores, report="nwj"):
    """Value reported after JS training: NWJ at scores + 1, or DV at scores."""
    scores = _bounds_np.asarray(scores, _bounds_np.float64)
    if report == "nwj":
        return nwj_bound_reference(scores + 1.0)
    return dv_bound_reference(scores)


def smile_bound_reference(scores, clip):
    scores, _, joint, marginal = _bounds_pairs(scores)
    clipped = [min(max(s, -clip), clip) for s in marginal]
    return sum(joint) / len(joint) - _bounds_math.log(
        sum(_bounds_math.exp(s) for s in clipped) / len(clipped)
    )


def interpolated_bound_reference(scores, log_baseline, alpha):
    """Poole et al. (2019) Eq. (11) with K = n - 1, written as plain loops.

    Column j holds y_j. Joint term: for each l != j, the mean over x_k (k != l) includes
    the partner x_j. Marginal term: y_j against x_i (i != j), mean over x_k (k != j).
    """
    scores = _bounds_np.asarray(scores, _bounds_np.float64)
    n = scores.shape[0]

    def denominator(j, left_out):
        mean = sum(_bounds_math.exp(scores[k, j]) for k in range(n) if k != left_out) / (n - 1)
        return alpha * mean + (1 - alpha) * _bounds_math.exp(log_baseline[j])

    joint_terms = []
    marginal_terms = []
    for j in range(n):
        for other in range(n):
            if other == j:
                continue
            joint_terms.append(scores[j, j] - _bounds_math.log(denominator(j, other)))
            marginal_terms.append(_bounds_math.exp(scores[other, j]) / denominator(j, j))
    return 1.0 + sum(joint_terms) / len(joint_terms) - sum(marginal_terms) / len(marginal_terms)


def club_bound_reference(log_likelihoods):
    _, _, joint, marginal = _bounds_pairs(log_likelihoods)
    return sum(joint) / len(joint) - sum(marginal) / len(marginal)


def mine_reference(scores_sequence, momentum):
    """MINE along a sequence of batches.

    Returns per batch (dv_value, moving_average, gradient): the moving average is the
    bias-corrected EMA of Z_t = mean_{i != j} exp(s_ij) (current batch included), and
    the gradient of the objective in the scores is 1/n on the diagonal and
    -exp(s_ij) / (n (n - 1) moving_average) off it.
    """
    results = []
    weighted_sum = 0.0
    for t, scores in enumerate(scores_sequence, start=1):
        scores, n, _, marginal = _bounds_pairs(scores)
        batch_partition = sum(_bounds_math.exp(s) for s in marginal) / len(marginal)
        weighted_sum = momentum * weighted_sum + (1 - momentum) * batch_partition
        moving_average = weighted_sum / (1 - momentum**t)
        gradient = _bounds_np.zeros((n, n))
        for i in range(n):
            for j in range(n):
                if i == j:
                    gradient[i, j] = 1.0 / n
                else:
                    gradient[i, j] = -_bounds_math.exp(scores[i, j]) / (
                        n * (n - 1) * moving_average
                    )
        results.append((dv_bound_reference(scores), moving_average, gradient))
    return results


def gaussian_log_density_reference(y, mean, variance):
    """log N(y; mean, diag(variance)), summed over the last axis, in float64."""
    y = _bounds_np.asarray(y, _bounds_np.float64)
    terms = -0.5 * ((y - mean) ** 2 / variance + _bounds_np.log(2 * _bounds_np.pi * variance))
    return terms.sum(axis=-1)


# --- Information-plane tracking and training (plain NumPy, float64, Saxe et al. 2018 formulas) ---

import numpy as np  # noqa: E402


def _entropy_bits_of_rows(rows):
    _, counts = np.unique(np.asarray(rows), axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


def information_plane_binning_reference(t, labels, n_bins, low, high):
    """(H(bin(T)), H(bin(T)) - H(bin(T) | Y)) in bits, bins of width (high-low)/n_bins."""
    t = np.asarray(t, np.float64)
    labels = np.asarray(labels)
    bins = np.clip(np.floor((t - low) / (high - low) * n_bins), 0, n_bins - 1).astype(int)
    input_information = _entropy_bits_of_rows(bins)
    conditional = 0.0
    for label in np.unique(labels):
        members = labels == label
        conditional += members.mean() * _entropy_bits_of_rows(bins[members])
    return input_information, input_information - conditional


def _kl_upper_entropy_minus_noise(t, noise_variance):
    """-mean_i log mean_j exp(-|t_i - t_j|^2 / (2 s2)): the KL upper bound on H(T+Z) minus
    H(Z) (Kolchinsky & Tracey 2017; kde.py of Saxe et al.), nats, by explicit loops."""
    t = np.asarray(t, np.float64)
    n = len(t)
    total = 0.0
    for i in range(n):
        squared = np.sum((t - t[i]) ** 2, axis=1)
        total += np.log(np.mean(np.exp(-squared / (2 * noise_variance))))
    return -total / n


def information_plane_kde_reference(t, labels, noise_variance):
    """(I(X;T), I(T;Y)) in bits with the KDE upper bound of Saxe et al. (2018)."""
    labels = np.asarray(labels)
    whole = _kl_upper_entropy_minus_noise(t, noise_variance)
    conditional = sum(
        (labels == label).mean()
        * _kl_upper_entropy_minus_noise(np.asarray(t)[labels == label], noise_variance)
        for label in np.unique(labels)
    )
    return whole / np.log(2), (whole - conditional) / np.log(2)


def gaussian_mutual_information_bits_reference(x, y):
    """0.5 log2(det Cx det Cy / det C) of the sample covariances (ddof=1)."""
    joint = np.cov(np.hstack([x, y]).T)
    dx = x.shape[1]
    _, log_det = np.linalg.slogdet(joint)
    _, log_det_x = np.linalg.slogdet(joint[:dx, :dx])
    _, log_det_y = np.linalg.slogdet(joint[dx:, dx:])
    return 0.5 * (log_det_x + log_det_y - log_det) / np.log(2)


def softmax_cross_entropy_reference(logits, labels):
    """Mean -log softmax(logits)[label] and accuracy, in float64."""
    logits = np.asarray(logits, np.float64)
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probabilities = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    labels = np.asarray(labels)
    loss = -log_probabilities[np.arange(len(labels)), labels].mean()
    accuracy = (logits.argmax(axis=1) == labels).mean()
    return loss, accuracy


# --- Gaussian mixtures with different diagonal covariances (plain NumPy loops) ---


def diagonal_gaussian_kl_reference(mean_p, std_p, mean_q, std_q):
    """KL(N(mean_p, diag std_p^2) || N(mean_q, diag std_q^2)) in nats, per dimension."""
    total = 0.0
    for mp, sp, mq, sq in zip(mean_p, std_p, mean_q, std_q, strict=True):
        total += 0.5 * (np.log(sq**2 / sp**2) + (sp**2 + (mp - mq) ** 2) / sq**2 - 1)
    return total


def diagonal_gaussian_bhattacharyya_reference(mean_p, std_p, mean_q, std_q):
    """Bhattacharyya distance between two diagonal Gaussians in nats, per dimension."""
    total = 0.0
    for mp, sp, mq, sq in zip(mean_p, std_p, mean_q, std_q, strict=True):
        v = (sp**2 + sq**2) / 2
        total += (mp - mq) ** 2 / (8 * v) + 0.5 * np.log(v / (sp * sq))
    return total


def _mixture_arrays(means, stds):
    means = np.asarray(means, np.float64)
    return means, np.broadcast_to(np.asarray(stds, np.float64), means.shape)


def _pairwise_term(means, stds, weights, divergence):
    """-sum_i c_i log sum_j c_j exp(-D(p_i, p_j)), one pair at a time."""
    total = 0.0
    for i in range(len(means)):
        inner = 0.0
        for j in range(len(means)):
            inner += weights[j] * np.exp(-divergence(means[i], stds[i], means[j], stds[j]))
        if weights[i] > 0:
            total -= weights[i] * np.log(inner)
    return total


def gaussian_mixture_entropy_bounds_reference(means, stds, weights=None):
    """Kolchinsky-Tracey (BD lower, KL upper) bounds on the entropy of a mixture of
    diagonal Gaussians, in nats."""
    means, stds = _mixture_arrays(means, stds)
    n, d = means.shape
    weights = np.full(n, 1 / n) if weights is None else np.asarray(weights, np.float64)
    component_entropy = sum(
        weights[i] * (0.5 * d * np.log(2 * np.pi * np.e) + np.log(stds[i]).sum()) for i in range(n)
    )
    lower = component_entropy + _pairwise_term(
        means, stds, weights, diagonal_gaussian_bhattacharyya_reference
    )
    upper = component_entropy + _pairwise_term(means, stds, weights, diagonal_gaussian_kl_reference)
    return lower, upper


def gaussian_mixture_information_bounds_reference(means, stds, labels=None):
    """(I(X;Z) lower, upper, I(Z;Y) lower, upper) in nats for n equiprobable inputs;
    the I(Z;Y) bracket pairs the opposite bounds on H(Z) and on each H(Z|y), then is
    clipped to 0 <= lower <= upper <= min(H(Y), I(X;Z) upper)."""
    means, stds = _mixture_arrays(means, stds)
    n = len(means)
    uniform = np.full(n, 1 / n)
    bd, kl = diagonal_gaussian_bhattacharyya_reference, diagonal_gaussian_kl_reference
    input_lower = _pairwise_term(means, stds, uniform, bd)
    input_upper = _pairwise_term(means, stds, uniform, kl)
    if labels is None:
        return input_lower, input_upper, None, None
    labels = np.asarray(labels)
    label_lower, label_upper, label_entropy = input_lower, input_upper, 0.0
    for c in np.unique(labels):
        members = labels == c
        p = members.mean()
        within = np.full(members.sum(), 1 / members.sum())
        label_lower -= p * _pairwise_term(means[members], stds[members], within, kl)
        label_upper -= p * _pairwise_term(means[members], stds[members], within, bd)
        label_entropy -= p * np.log(p)
    label_upper = min(label_upper, label_entropy, input_upper)
    label_lower = min(max(label_lower, 0.0), label_upper)
    return input_lower, input_upper, label_lower, label_upper


def gaussian_mixture_monte_carlo(means, stds, weights, labels, n_draws, seed):
    """Monte Carlo H(Z) and I(Z;Y) of a mixture of diagonal Gaussians, with standard
    errors: draws i ~ weights, z ~ p_i, y = labels[i]; H(Z) = E[-log p(z)] and
    I(Z;Y) = E[log p(z | y) - log p(z)], exact log densities by logsumexp."""
    from scipy.special import logsumexp as _logsumexp

    means, stds = _mixture_arrays(means, stds)
    n, d = means.shape
    weights = np.asarray(weights, np.float64)
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    components = rng.choice(n, size=n_draws, p=weights)
    z = means[components] + stds[components] * rng.standard_normal((n_draws, d))
    standardised = (z[:, None, :] - means[None]) / stds[None]
    log_components = (
        -0.5 * (standardised**2).sum(-1) - np.log(stds).sum(-1)[None] - 0.5 * d * np.log(2 * np.pi)
    )
    log_weights = np.log(np.where(weights > 0, weights, 1.0))
    log_weights = np.where(weights > 0, log_weights, -np.inf)
    log_density = _logsumexp(log_components + log_weights[None], axis=1)
    same = labels[components][:, None] == labels[None, :]
    class_weights = np.where(same, weights[None], 0.0)
    class_weights = class_weights / class_weights.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore"):
        log_class_density = _logsumexp(log_components, b=class_weights, axis=1)
    pointwise = log_class_density - log_density
    entropy = (-log_density.mean(), log_density.std() / np.sqrt(n_draws))
    information = (pointwise.mean(), pointwise.std() / np.sqrt(n_draws))
    return entropy, information
