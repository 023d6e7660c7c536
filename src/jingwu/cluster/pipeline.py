"""The scikit-learn pipeline every clustering runs through: transform → scale → weights → model.

Compositional blocks are CLR-transformed (Aitchison 1986), volumes logged,
every column standardised and, optionally, blocks weighted equally.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..errors import DataError
from .features import FEATURES

__all__ = ["METHODS", "CLRTransform", "FeatureTransform", "BlockWeights", "make_pipeline"]

#: Clustering methods understood by :func:`make_pipeline`.
METHODS: tuple[str, ...] = ("kmeans", "ward", "gmm")


_F = TypeVar("_F", bound=Callable[..., Any])


def _single_threaded(func: _F) -> _F:
    """Run with one BLAS/OpenMP thread: tens of stations gain nothing from
    threads, and on a busy machine thread start-up makes k-means ~20× slower."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1):
            return func(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


class CLRTransform(BaseEstimator, TransformerMixin):
    """Centred log-ratio transform of compositions (rows of shares).

    ``clr(x) = log(x) − mean(log(x))`` after replacing zeros with ``eps``
    and re-closing each row (multiplicative replacement).

    Examples
    --------
    >>> import numpy as np
    >>> CLRTransform().fit_transform(np.array([[0.5, 0.25, 0.25]])).round(3).tolist()
    [[0.462, -0.231, -0.231]]
    """

    def __init__(self, eps: float = 1e-6) -> None:
        self.eps = eps

    def fit(self, X: Any, y: Any = None) -> CLRTransform:
        return self

    def transform(self, X: Any) -> np.ndarray:
        x = np.asarray(X, dtype=float)
        if np.any(x < 0):
            raise ValueError("compositional shares must be non-negative")
        x = np.where(x <= 0, self.eps, x)
        x = x / x.sum(axis=1, keepdims=True)
        lx = np.log(x)
        return lx - lx.mean(axis=1, keepdims=True)


def _blocks(columns: Sequence[str]) -> list[tuple[str, str, list[int]]]:
    """(block, transform, column positions) in column order of first appearance."""
    blocks: dict[str, tuple[str, list[int]]] = {}
    for i, c in enumerate(columns):
        spec = FEATURES.get(str(c), {"block": str(c), "transform": "none"})
        b = spec["block"]
        if b not in blocks:
            blocks[b] = (spec["transform"], [])
        blocks[b][1].append(i)
    return [(b, t, idx) for b, (t, idx) in blocks.items()]


class FeatureTransform(BaseEstimator, TransformerMixin):
    """Per-block transforms before scaling: CLR for shares, log for volumes/ratios.

    Columns are recognised by name through :data:`FEATURES`; unknown columns
    pass through unchanged.  A compositional block with a single column
    (e.g. only one category) passes through.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"annual_incidents": [100.0, 1000.0], "z": [1.0, 2.0]})
    >>> FeatureTransform().fit_transform(X).round(3).tolist()
    [[4.605, 1.0], [6.908, 2.0]]
    """

    def fit(self, X: Any, y: Any = None) -> FeatureTransform:
        cols = list(X.columns) if isinstance(X, pd.DataFrame) else [str(i) for i in range(np.shape(X)[1])]
        self.columns_ = cols
        self.blocks_ = _blocks(cols)
        return self

    def transform(self, X: Any) -> np.ndarray:
        x = np.asarray(X, dtype=float).copy()
        for _, how, idx in self.blocks_:
            if how == "clr" and len(idx) > 1:
                x[:, idx] = CLRTransform().transform(x[:, idx])
            elif how == "log":
                if np.any(x[:, idx] <= 0):
                    raise ValueError("log-transformed features must be positive")
                x[:, idx] = np.log(x[:, idx])
        return x


class BlockWeights(BaseEstimator, TransformerMixin):
    """Multiply each column of an ``m``-column block by ``1/sqrt(m)``.

    Applied after standardising, it gives every block (the mix, the weekly
    profile, the volume measures, each scalar feature) equal total variance.

    Examples
    --------
    >>> import numpy as np
    >>> BlockWeights(blocks=[[0, 1, 2, 3], [4]]).fit_transform(np.ones((1, 5))).tolist()
    [[0.5, 0.5, 0.5, 0.5, 1.0]]
    """

    def __init__(self, blocks: Sequence[Sequence[int]] | None = None) -> None:
        self.blocks = blocks

    def fit(self, X: Any, y: Any = None) -> BlockWeights:
        n = np.shape(X)[1]
        w = np.ones(n)
        for idx in self.blocks or []:
            w[list(idx)] = 1 / np.sqrt(len(idx))
        self.weights_ = w
        return self

    def transform(self, X: Any) -> np.ndarray:
        return np.asarray(X, dtype=float) * self.weights_


def _model(method: str, k: int, seed: int) -> Any:
    if method == "kmeans":
        return KMeans(n_clusters=k, n_init=20, random_state=seed)
    if method == "ward":
        return AgglomerativeClustering(n_clusters=k, linkage="ward")
    if method == "gmm":
        return GaussianMixture(
            n_components=k, covariance_type="diag", n_init=5, reg_covar=1e-3, random_state=seed
        )
    raise ValueError(f"method must be one of {METHODS}, not {method!r}")


def make_pipeline(
    features: pd.DataFrame,
    k: int,
    method: str = "kmeans",
    *,
    seed: int = 0,
    block_weights: bool = False,
) -> Pipeline:
    """The scikit-learn pipeline: transform → StandardScaler → block weights → model.

    Parameters
    ----------
    features : DataFrame
        Feature table (columns named as in :data:`FEATURES`; others pass through).
    k : int
        Number of clusters.
    method : {"kmeans", "ward", "gmm"}
        k-means (``n_init=20``), Ward agglomeration, or a diagonal-covariance
        Gaussian mixture (``n_init=5``).
    seed : int
        ``random_state`` of the model.
    block_weights : bool
        Weight blocks equally (see the module docstring).

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"mix_fraud": [.1, .2], "mix_traffic": [.9, .8]})
    >>> [name for name, _ in make_pipeline(X, 2).steps]
    ['transform', 'scale', 'weight', 'model']
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be a positive integer, not {k!r}")
    blocks = [idx for _, _, idx in _blocks([str(c) for c in features.columns])] if block_weights else None
    return Pipeline(
        [
            ("transform", FeatureTransform()),
            ("scale", StandardScaler()),
            ("weight", BlockWeights(blocks=blocks)),
            ("model", _model(method, int(k), seed)),
        ]
    )


def _check_features(features: pd.DataFrame, min_rows: int = 3) -> pd.DataFrame:
    if not isinstance(features, pd.DataFrame):
        raise TypeError("features must be a DataFrame (e.g. from workload_features)")
    if features.shape[1] == 0 or len(features) < min_rows:
        raise DataError(
            f"need at least {min_rows} stations and one feature",
            file="features",
            expected=f">= {min_rows} rows, >= 1 column",
        )
    x = features.to_numpy(dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        rows = [str(features.index[i]) for i in np.unique(np.nonzero(bad)[0])]
        cols = [str(features.columns[j]) for j in np.unique(np.nonzero(bad)[1])]
        raise DataError(
            "missing or infinite feature values",
            file="features",
            column=cols,
            rows=rows,
            expected="finite values (drop the feature or the station)",
        )
    const = [str(c) for c in features.columns if np.ptp(features[c].to_numpy(float)) == 0]
    if len(const) == features.shape[1]:
        raise DataError(
            "every feature is constant",
            file="features",
            column=const,
            expected="at least one varying feature",
        )
    return features


def _transformed(pipe: Pipeline, features: pd.DataFrame) -> np.ndarray:
    return pipe[:-1].fit_transform(features)


def _fit_labels(pipe: Pipeline, features: pd.DataFrame) -> np.ndarray:
    return np.asarray(
        pipe.fit_predict(features)
        if hasattr(pipe[-1], "fit_predict")
        else pipe.fit(features).predict(features)
    )
