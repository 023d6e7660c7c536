"""Result objects of the effects tests and sensitivity analyses (one protocol for every method).

Each has ``.to_frame()`` (a tidy DataFrame), ``.summary()`` (a printable
string, as every other effects result) and ``.plot(ax=None)``.  The
functions that returned plain dicts or a DataFrame with ``.attrs`` until this
release keep that access for one release, with a ``DeprecationWarning``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from ._args import renamed_attribute

__all__ = ["PretrendResult", "WildBootstrapResult", "HonestDiDResult"]


def _deprecated(old: str, new: str) -> None:
    warnings.warn(
        f"{old} is deprecated and will be removed in the next release; use {new}",
        DeprecationWarning,
        stacklevel=3,
    )


class _DictAccess:
    """``result["key"]`` of the old dict return values, kept for one release."""

    _legacy: ClassVar[dict[str, str]] = {}

    def __getitem__(self, key: str):
        if key not in self._legacy:
            raise KeyError(key)
        _deprecated(f"result[{key!r}]", f"result.{self._legacy[key]}")
        return getattr(self, self._legacy[key])

    def __contains__(self, key: object) -> bool:
        return key in self._legacy

    def keys(self):
        return self._legacy.keys()

    def get(self, key: str, default=None):
        return self[key] if key in self._legacy else default


def _same(a, b) -> bool:
    """Field-by-field equality of two results (arrays and frames compared by value)."""
    from dataclasses import fields

    if type(a) is not type(b):
        return NotImplemented
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, pd.DataFrame):
            if not x.equals(y):
                return False
        elif isinstance(x, np.ndarray) or isinstance(y, np.ndarray):
            if not np.array_equal(np.asarray(x), np.asarray(y), equal_nan=True):
                return False
        elif x != y and not (isinstance(x, float) and isinstance(y, float) and np.isnan(x) and np.isnan(y)):
            return False
    return True


def _axes(ax):
    from ._plot import _axes as make

    return make(ax)


@dataclass(repr=False, eq=False)
class PretrendResult(_DictAccess):
    """Joint test that every pre-treatment effect is zero (:func:`pretrend_test`).

    Attributes
    ----------
    stat : float
        F, chi2 or Wald statistic (``method`` says which).
    df, df_denom : int, int or None
        Numerator degrees of freedom (number of leads q) and, for F, G - q.
    p_value : float
    method : {"F", "chi2", "bootstrap"}
    n_clusters : int
    estimates, se : arrays of the tested pre-period estimates and their SEs.
    labels : list
        Event time (dynamic aggregation) or ``(group, time)`` of each estimate.
    n_boot : int or None
        Bootstrap draws (``method="bootstrap"``).
    """

    stat: float
    df: int
    df_denom: int | None
    p_value: float
    method: str
    n_clusters: int
    estimates: np.ndarray = field(default_factory=lambda: np.empty(0))
    se: np.ndarray = field(default_factory=lambda: np.empty(0))
    labels: list = field(default_factory=list)
    n_boot: int | None = None
    alpha: float = 0.05
    B = renamed_attribute("B", "n_boot")

    _legacy: ClassVar[dict[str, str]] = {
        k: k for k in ("stat", "df", "df_denom", "p_value", "method", "n_clusters")
    }

    __eq__ = _same

    def to_frame(self) -> pd.DataFrame:
        """One row: test, statistic, degrees of freedom, p-value, clusters, leads, draws."""
        return pd.DataFrame(
            [
                {
                    "test": self.method,
                    "stat": self.stat,
                    "df": self.df,
                    "df_denom": self.df_denom,
                    "p_value": self.p_value,
                    "n_clusters": self.n_clusters,
                    "n_leads": len(self.estimates),
                    "n_boot": self.n_boot,
                }
            ]
        )

    def leads(self) -> pd.DataFrame:
        """The tested pre-period estimates (label, att, se)."""
        return pd.DataFrame({"lead": self.labels, "att": self.estimates, "se": self.se})

    def summary(self) -> str:
        tail = f", p = {self.p_value:.4f} ({self.n_clusters} clusters)"
        if self.method == "chi2":
            return f"Pre-trend Wald test: chi2({self.df}) = {self.stat:.3f}" + tail
        if self.method == "F":
            return f"Pre-trend test (small-sample F): F({self.df}, {self.df_denom}) = {self.stat:.3f}" + tail
        return (
            f"Pre-trend test (wild cluster bootstrap of the Wald statistic, {self.df} leads, "
            f"n_boot = {self.n_boot}): W = {self.stat:.3f}" + tail
        )

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()

    def plot(self, ax=None):
        """Pre-period estimates with pointwise 95% intervals; the p-value in the title."""
        from scipy import stats

        ax = _axes(ax)
        x = np.arange(len(self.estimates))
        z = stats.norm.ppf(1 - self.alpha / 2)
        ax.errorbar(x, self.estimates, yerr=z * np.asarray(self.se), fmt="o", capsize=3)
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xticks(x, [str(v) for v in self.labels])
        ax.set_title(f"pre-trends: p = {self.p_value:.3f} ({self.method})")
        return ax


@dataclass(repr=False, eq=False)
class WildBootstrapResult(_DictAccess):
    """Wild (cluster or score) bootstrap test of H0: effect = ``null``.

    Attributes
    ----------
    estimate, t_stat, p_value : the estimate, its studentised statistic and
        the bootstrap p-value (two-sided).
    n_clusters, n_boot, weights : clusters, draws used, weight distribution.
    target : what was tested (``"twfe"``, ``"cs_aggregate"``, ``"imputation"``).
    t_draws : the bootstrap statistics (for the plot).
    """

    estimate: float
    t_stat: float
    p_value: float
    n_clusters: int
    n_boot: int
    weights: str
    target: str
    null: float = 0.0
    t_draws: np.ndarray = field(default_factory=lambda: np.empty(0))
    B = renamed_attribute("B", "n_boot")

    _legacy: ClassVar[dict[str, str]] = {
        "coef": "estimate",
        "estimate": "estimate",
        "t_stat": "t_stat",
        "p_value": "p_value",
        "n_clusters": "n_clusters",
        "B": "n_boot",
        "weights": "weights",
    }

    @property
    def coef(self) -> float:
        """The estimate (the TWFE coefficient for :func:`wild_cluster_bootstrap`)."""
        return self.estimate

    __eq__ = _same

    def to_frame(self) -> pd.DataFrame:
        """One row: target, estimate, t, p_value, n_clusters, n_boot, weights."""
        return pd.DataFrame(
            [
                {
                    "target": self.target,
                    "estimate": self.estimate,
                    "t": self.t_stat,
                    "p_value": self.p_value,
                    "n_clusters": self.n_clusters,
                    "n_boot": self.n_boot,
                    "weights": self.weights,
                }
            ]
        )

    def summary(self) -> str:
        return (
            f"Wild bootstrap ({self.target}, {self.weights} weights, {self.n_clusters} clusters, "
            f"n_boot = {self.n_boot}): estimate {self.estimate:.6f}, t = {self.t_stat:.3f}, "
            f"p = {self.p_value:.4f} (H0: effect = {self.null:g})"
        )

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()

    def plot(self, ax=None):
        """Histogram of the bootstrap t statistics with the observed +-t."""
        ax = _axes(ax)
        ax.hist(self.t_draws, bins=min(60, max(10, len(self.t_draws) // 50)), color="0.7")
        for s in (-1, 1):
            ax.axvline(s * abs(self.t_stat), color="C3", lw=1)
        ax.set_xlabel("bootstrap t")
        ax.set_title(f"{self.target}: p = {self.p_value:.3f}")
        return ax


@dataclass(repr=False, eq=False)
class HonestDiDResult:
    """Rambachan & Roth sensitivity table with its breakdown value (:func:`honest_did`).

    Attributes
    ----------
    table : DataFrame, one row per Mbar or M (see :func:`honest_did`).
    breakdown : float
        Largest Mbar (or M) at which the robust CI still excludes zero; NaN if
        the usual CI already contains zero, inf if it never does (to 1,000).
    theta, se : the target effect and its SE.
    original_ci : (lb, ub) under exact parallel trends.
    method : {"relative_magnitude", "smoothness"}
    alpha : float
    """

    table: pd.DataFrame
    breakdown: float
    theta: float
    se: float
    original_ci: tuple[float, float]
    method: str
    alpha: float = 0.05

    @property
    def key(self) -> str:
        return "Mbar" if self.method == "relative_magnitude" else "M"

    __eq__ = _same

    def to_frame(self) -> pd.DataFrame:
        """The sensitivity table (a copy)."""
        return self.table.copy()

    def summary(self) -> str:
        bd = "none (the usual CI contains 0)" if np.isnan(self.breakdown) else f"{self.breakdown:.4g}"
        lb, ub = self.original_ci
        return (
            f"HonestDiD ({self.method}; {self.table['method'].iloc[0] if len(self.table) else ''}): "
            f"effect {self.theta:.4f} (SE {self.se:.4f}), original CI [{lb:.4f}, {ub:.4f}], "
            f"breakdown {self.key} = {bd}\n"
            + self.table.to_string(index=False, float_format=lambda v: f"{v:.4f}")
        )

    def __repr__(self) -> str:  # pragma: no cover
        return self.summary()

    def plot(self, ax=None):
        """Robust intervals against Mbar (or M), the original CI at the left, as R's sensitivity plot."""
        ax = _axes(ax)
        t = self.table
        x = t[self.key].to_numpy(dtype=float)
        step = (x.max() - x.min()) / max(len(x) - 1, 1) if len(x) > 1 else 1.0
        lb, ub = self.original_ci
        ax.errorbar(
            [x.min() - step],
            [(lb + ub) / 2],
            yerr=[[(ub - lb) / 2]],
            fmt="none",
            capsize=3,
            color="C3",
            label="original",
        )
        ax.errorbar(
            x,
            (t["lb"] + t["ub"]) / 2,
            yerr=(t["ub"] - t["lb"]) / 2,
            fmt="none",
            capsize=3,
            color="C0",
            label="robust",
        )
        ax.axhline(0, color="0.4", lw=0.8)
        ax.set_xlabel(self.key)
        ax.legend()
        return ax

    # ---- one-release compatibility with the DataFrame (+ .attrs) this used to return
    @property
    def attrs(self) -> dict:
        _deprecated("honest_did(...).attrs", "the result's .breakdown, .theta, .se, .original_ci")
        return {
            "breakdown": self.breakdown,
            "theta": self.theta,
            "se": self.se,
            "original_ci": self.original_ci,
        }

    def __getitem__(self, key):
        _deprecated("honest_did(...)[column]", "honest_did(...).to_frame()[column]")
        return self.table[key]

    def __len__(self) -> int:
        return len(self.table)

    def __getattr__(self, name: str):
        if name.startswith("__") or name == "table":
            raise AttributeError(name)
        if hasattr(pd.DataFrame, name):
            _deprecated(f"honest_did(...).{name}", f"honest_did(...).to_frame().{name}")
            return getattr(self.table, name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
