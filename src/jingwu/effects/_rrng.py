"""R's default random numbers (Mersenne-Twister, inversion normals), for matching R output.

R ``HonestDiD`` draws its least-favourable critical values and folded-normal
quantiles by simulation after ``set.seed(seed)``.  Reproducing R's stream makes
our intervals equal R's to the digits it prints, not merely close.  The
algorithm is R's ``RNG.c``: ``set.seed`` scrambles the seed with the linear
congruential step ``69069 * s + 1`` (50 times, then once per state word),
``unif_rand`` is 32-bit MT19937 output times 2^-32 kept inside (0, 1), and
``norm_rand`` (``INVERSION``) combines two uniforms into one 2^-27-grid
probability and inverts the normal distribution function.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import special

__all__ = ["r_runif", "r_rnorm", "r_rmvnorm"]

_I2_32M1 = 2.328306437080797e-10  # 1 / (2^32 - 1)
_BIG = 134217728.0  # 2^27


def _mt_state(seed: int) -> np.random.MT19937:
    s = np.uint32(seed & 0xFFFFFFFF)
    mult = np.uint32(69069)
    with np.errstate(over="ignore"):
        for _ in range(50):
            s = mult * s + np.uint32(1)
        words = np.empty(625, dtype=np.uint32)
        for j in range(625):
            s = mult * s + np.uint32(1)
            words[j] = s
    bg = np.random.MT19937()
    # words[0] becomes R's position counter (624: regenerate before the first draw)
    bg.state = {"bit_generator": "MT19937", "state": {"key": words[1:], "pos": 624}}
    return bg


def r_runif(n: int, seed: int = 0) -> np.ndarray:
    """``set.seed(seed); runif(n)`` as R computes it.

    Examples
    --------
    >>> [round(float(v), 7) for v in r_runif(2, seed=0)]
    [0.8966972, 0.2655087]
    """
    raw = _mt_state(seed).random_raw(n).astype(np.float64)
    u = raw * 2.3283064365386963e-10
    u[u <= 0.0] = 0.5 * _I2_32M1
    u[1.0 - u <= 0.0] = 1.0 - 0.5 * _I2_32M1
    return u


@functools.lru_cache(maxsize=8)
def _rnorm_cached(n: int, seed: int) -> np.ndarray:
    u = r_runif(2 * n, seed)
    p = (np.floor(_BIG * u[0::2]) + u[1::2]) / _BIG
    out = special.ndtri(p)
    out.flags.writeable = False
    return out


def r_rnorm(n: int, seed: int = 0) -> np.ndarray:
    """``set.seed(seed); rnorm(n)`` as R computes it (read-only array).

    Examples
    --------
    >>> [round(float(v), 7) for v in r_rnorm(3, seed=0)]
    [1.2629543, -0.3262334, 1.3297993]
    """
    return _rnorm_cached(int(n), int(seed))


def r_rmvnorm(n: int, sigma: np.ndarray, seed: int = 0) -> np.ndarray:
    """``set.seed(seed); mvtnorm::rmvnorm(n, sigma = sigma)`` (default eigen method).

    mvtnorm fills an ``n x p`` matrix of standard normals by row and multiplies
    it by the symmetric square root of ``sigma``; the root does not depend on
    the sign convention of the eigenvectors, so this equals R's draws up to
    rounding.
    """
    sigma = np.asarray(sigma, dtype=float)
    p = sigma.shape[0]
    vals, vecs = np.linalg.eigh(sigma)
    root = (vecs * np.sqrt(np.maximum(vals, 0.0))) @ vecs.T
    z = np.asarray(r_rnorm(n * p, seed)).reshape(n, p)
    return z @ root
