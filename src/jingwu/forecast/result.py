"""The result of a rolling-origin backtest: forecasts, scales, metrics and window splits."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ._data import FreqInfo
from .conformal import band_labels, band_width

__all__ = ["BacktestResult"]

#: The benchmark models (dashed in plots, left out of the default ensemble).
_BENCHMARKS = ("snaive", "naive")


@dataclass
class BacktestResult:
    """Rolling-origin backtest: forecasts, scales and metrics.

    Attributes
    ----------
    forecasts : DataFrame
        ``unique_id, ds, cutoff, step, y, model, yhat`` and ``lo_<L>, hi_<L>``
        for each level (conformal intervals calibrated on the *other* windows).
    scales : DataFrame
        ``unique_id, cutoff, scale_mae, scale_mse``: in-sample seasonal-naive
        errors of each window's training data (MASE and RMSSE denominators).
    cutoffs : DatetimeIndex
        The last training date of each window.
    z : DataFrame
        Scaled errors ``(y - yhat) / scale_mae`` per model (for calibration).
    """

    forecasts: pd.DataFrame
    scales: pd.DataFrame
    cutoffs: pd.DatetimeIndex
    h: int
    levels: tuple[int, ...]
    info: FreqInfo
    models: list[str]
    ids: dict[str, str] = field(default_factory=dict)
    conformal: str = "step"

    def metrics(self, by: str | Sequence[str] = "model") -> pd.DataFrame:
        """Tidy accuracy table grouped by ``"model"`` and optionally ``"step"``, ``"band"``, ``"unique_id"``, ``"cutoff"``.

        ``band`` groups horizon steps into bands (``"01-07"``, ``"08-14"``, ...
        for daily data; see :func:`jingwu.forecast.conformal.band_width`).

        Columns: ``mase``, ``rmsse``, ``smape``, ``bias`` (mean of ``(ŷ-y)/scale``),
        ``me`` (mean ``ŷ - y``), and per level ``coverage_<L>``, ``winkler_<L>``
        and ``pinball_<L>`` (both scaled by the MASE denominator).
        """
        by = [by] if isinstance(by, str) else list(by)
        if "model" not in by:
            by = ["model", *by]
        bad = [b for b in by if b not in ("model", "step", "band", "unique_id", "cutoff")]
        if bad:
            raise ValueError(f"cannot group by {bad}; use model, step, band, unique_id or cutoff")
        f = self.forecasts.merge(self.scales, on=["unique_id", "cutoff"])
        if "band" in by:
            f["band"] = band_labels(f["step"].to_numpy(), band_width(self.h, self.info.season), self.h)
        e = f["yhat"] - f["y"]
        den = f["y"].abs() + f["yhat"].abs()
        rows = pd.DataFrame(
            {
                **{b: f[b] for b in set(by) | {"unique_id", "cutoff"}},
                "ae": e.abs() / f["scale_mae"],
                "se": e**2 / f["scale_mse"],
                "smape": np.where(den > 0, 200 * e.abs() / den.where(den > 0, 1), 0.0),
                "bias": e / f["scale_mae"],
                "me": e,
            }
        )
        for lv in self.levels:
            lo, hi = f[f"lo_{lv}"], f[f"hi_{lv}"]
            a = 1 - lv / 100
            rows[f"coverage_{lv}"] = ((f["y"] >= lo) & (f["y"] <= hi)).astype(float)
            w = (hi - lo) + (2 / a) * (lo - f["y"]).clip(lower=0) + (2 / a) * (f["y"] - hi).clip(lower=0)
            rows[f"winkler_{lv}"] = w / f["scale_mae"]
            pl = np.maximum(a / 2 * (f["y"] - lo), (a / 2 - 1) * (f["y"] - lo))
            ph = np.maximum((1 - a / 2) * (f["y"] - hi), (-a / 2) * (f["y"] - hi))
            rows[f"pinball_{lv}"] = (pl + ph) / 2 / f["scale_mae"]
        keys = list(dict.fromkeys([*by, "unique_id", "cutoff"]))
        inner = rows.groupby(keys, sort=False).mean(numeric_only=True)
        inner["rmsse"] = np.sqrt(inner.pop("se"))
        inner = inner.rename(columns={"ae": "mase"})
        out = inner.groupby(by, sort=True).mean().reset_index()
        cols = [*by, "mase", "rmsse", "smape", "bias", "me"] + [
            f"{k}_{lv}" for lv in self.levels for k in ("coverage", "winkler", "pinball")
        ]
        out = out[cols]
        if by == ["model"]:
            order = {m: i for i, m in enumerate(self.models)}
            out = out.sort_values("model", key=lambda s: s.map(order)).reset_index(drop=True)
        return out

    def coverage_by_band(self) -> pd.DataFrame:
        """Interval coverage per model and horizon band (``coverage_<L>`` columns; target ``L``/100)."""
        tab = self.metrics(["model", "band"])
        return tab[["model", "band", *[f"coverage_{lv}" for lv in self.levels]]]

    def summary(self) -> pd.DataFrame:
        """Metrics per model with ``mase_vs_snaive`` (ratio to the seasonal naive), best first."""
        s = self.metrics("model")
        s.insert(2, "mase_vs_snaive", s["mase"] / float(s.loc[s["model"] == "snaive", "mase"].iloc[0]))
        return s.sort_values("mase", kind="stable").reset_index(drop=True)

    @property
    def best(self) -> str:
        """The model with the lowest mean MASE over every window."""
        return str(self.summary()["model"].iloc[0])

    def windows(self, cutoffs: Sequence[Any]) -> BacktestResult:
        """The same backtest restricted to some windows (given by their cutoffs).

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> d = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=70),
        ...                   "y": np.random.default_rng(0).poisson(9, 70)})
        >>> from jingwu.forecast import backtest
        >>> bt = backtest(d, 7, 4, models=["snaive", "naive"], progress=False)
        >>> len(bt.windows(bt.cutoffs[:2]).cutoffs)
        2
        """
        keep = pd.DatetimeIndex(cutoffs)
        bad = keep.difference(self.cutoffs)
        if len(bad):
            raise ValueError(f"not cutoffs of this backtest: {[str(c.date()) for c in bad]}")
        keep = self.cutoffs[self.cutoffs.isin(keep)]
        return replace(
            self,
            forecasts=self.forecasts[self.forecasts["cutoff"].isin(keep)],
            scales=self.scales[self.scales["cutoff"].isin(keep)],
            cutoffs=keep,
        )

    def split_windows(self, select_windows: int | None = None) -> tuple[pd.DatetimeIndex, pd.DatetimeIndex]:
        """Cutoffs that choose the model (the oldest ``select_windows``) and those that calibrate its intervals.

        Default: half of the windows (rounded down) choose and the newer half
        calibrate, so the intervals are not calibrated on the windows whose
        errors picked the model (the winner's errors there are biased low).
        With one window, or ``select_windows=0``, every window does both.

        Examples
        --------
        >>> import numpy as np, pandas as pd
        >>> d = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=70),
        ...                   "y": np.random.default_rng(0).poisson(9, 70)})
        >>> from jingwu.forecast import backtest
        >>> sel, cal = backtest(d, 7, 4, models=["snaive", "naive"], progress=False).split_windows()
        >>> list(sel.strftime("%m-%d")), list(cal.strftime("%m-%d"))
        (['02-11', '02-18'], ['02-25', '03-03'])
        """
        n = len(self.cutoffs)
        k = n // 2 if select_windows is None else select_windows
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k < max(n, 1):
            raise ValueError(
                f"select_windows must be an integer from 0 to {max(n - 1, 0)} "
                f"(this backtest has {n} windows), got {select_windows!r}"
            )
        if k == 0:
            return self.cutoffs, self.cutoffs
        return self.cutoffs[:k], self.cutoffs[k:]

    def to_frame(self) -> pd.DataFrame:
        """The backtest forecasts (a copy), with the user's column names."""
        f = self.forecasts.copy()
        return f.rename(
            columns={
                "unique_id": self.ids.get("id_col", "unique_id"),
                "ds": self.ids.get("time_col", "ds"),
                "y": self.ids.get("target_col", "y"),
            }
        )

    def residual_z(
        self, model: str, *, with_steps: bool = False, cutoffs: Sequence[Any] | None = None
    ) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
        """Scaled errors ``(y - ŷ)/scale`` of one model across all windows or ``cutoffs`` (and their steps)."""
        f = self.forecasts[self.forecasts["model"] == model]
        if cutoffs is not None:
            f = f[f["cutoff"].isin(pd.DatetimeIndex(cutoffs))]
        f = f.merge(self.scales, on=["unique_id", "cutoff"])
        z = ((f["y"] - f["yhat"]) / f["scale_mae"]).to_numpy()
        return (z, f["step"].to_numpy()) if with_steps else z

    def plot(self, metric: str = "mase", **kwargs: Any) -> Any:
        """Plot ``metric`` per model by horizon step (see :func:`plot_backtest`)."""
        from .plots import plot_backtest

        return plot_backtest(self, metric=metric, **kwargs)

    def __repr__(self) -> str:
        n = self.forecasts["unique_id"].nunique()
        return (
            f"BacktestResult({n} series, {len(self.cutoffs)} windows of h={self.h}, "
            f"models={self.models}, best={self.best!r})"
        )
