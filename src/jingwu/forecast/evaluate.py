"""Rolling-origin backtests, model choice, calibrated intervals and forecasts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..progress import Progress
from ._data import FreqInfo, check_h, check_levels, prepare
from .conformal import CONFORMAL_METHODS, band_labels, band_width, conformal_quantiles
from .engine import check_engine, run_global
from .models import LOCAL, MODELS, GlobalGBM, fit_predict_local

__all__ = [
    "DEFAULT_MODELS",
    "FAST_MODELS",
    "ZOO_MODELS",
    "BacktestResult",
    "backtest",
    "forecast",
    "plot_backtest",
    "plot_forecast",
]

#: Models run by default: the seasonal-naive benchmark and the global model with the LightGBM
#: booster; ``model="auto"`` picks between them.  Chosen by accuracy and speed against the full
#: zoo (``benchmarks/forecast_default.py``; see the README): LightGBM alone is within 1% of the
#: best zoo model on M city and Chicago and handles 30 series per second on 1,000 series.
DEFAULT_MODELS: tuple[str, ...] = ("snaive", "lgbm")
#: The full model zoo (AutoARIMA, slow, stays opt-in by name); the ensemble is ETS, Theta and GBM.
ZOO_MODELS: tuple[str, ...] = ("snaive", "ets", "mstl", "theta", "gbm", "lgbm", "ensemble")
#: The set for quick runs: the default set is already cheap (kept as a name for existing code).
FAST_MODELS: tuple[str, ...] = DEFAULT_MODELS
_BENCHMARKS = ("snaive", "naive")


def _check_models(models: Sequence[str] | str) -> list[str]:
    if isinstance(models, str):
        models = [models]
    models = list(dict.fromkeys(models))
    if not models:
        raise ValueError("give at least one model")
    bad = [m for m in models if m not in MODELS and m != "ensemble"]
    if bad:
        raise ValueError(f"unknown model(s) {bad}; choose from {sorted(MODELS) + ['ensemble']}")
    if "snaive" not in models:
        models.insert(0, "snaive")  # the benchmark every result is scaled by
    return models


def _members(models: list[str], ensemble_members: Sequence[str] | None) -> list[str]:
    if ensemble_members is None:
        # ETS, Theta and the global GBM combine best on police demand (MSTL is kept as a
        # single model); fall back to every non-benchmark model that was asked for.
        pref = [m for m in ("ets", "theta", "gbm") if m in models]
        return pref if len(pref) >= 2 else [m for m in models if m not in _BENCHMARKS and m != "ensemble"]
    bad = [m for m in ensemble_members if m not in models or m == "ensemble"]
    if bad:
        raise ValueError(f"ensemble members {bad} are not among the models {models}")
    return list(ensemble_members)


_GLOBAL = (("gbm", "sklearn"), ("lgbm", "lightgbm"))


def _fit_units(models: list[str], members: list[str]) -> list[str]:
    """The separate fits behind ``models``: the statistical models (one batch) and each global model."""
    need = set(models) | (set(members) if "ensemble" in models else set())
    local = [m for m in LOCAL if m in need]
    return ([", ".join(local)] if local else []) + [k for k, _ in _GLOBAL if k in need]


def _fit_predict(
    train: pd.DataFrame,
    h: int,
    models: list[str],
    info: FreqInfo,
    *,
    members: list[str],
    combine: str,
    n_jobs: int | None,
    engine: Any,
    seed: int,
    gbm_params: dict | None,
    input_size: int | None,
    done: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Point forecasts of every model, wide: unique_id, ds, <model>...

    ``done`` is called with the name of each fit (the batch of statistical
    models, then each global model) as it finishes, for progress lines.
    """
    if input_size is not None:
        train = train.groupby("unique_id", sort=False).tail(int(input_size))
    need = set(models) | (set(members) if "ensemble" in models else set())
    local = [m for m in LOCAL if m in need]
    out = fit_predict_local(train, h, local, info, n_jobs=n_jobs, engine=engine) if local else None
    if local and done is not None:
        done(", ".join(local))
    for key, backend in _GLOBAL:
        if key in need:
            g = run_global(
                GlobalGBM(info, seed=seed, backend=backend, **(gbm_params or {})), train, h, engine
            )
            out = g if out is None else out.merge(g, on=["unique_id", "ds"], how="left")
            if done is not None:
                done(key)
    if "ensemble" in models:
        vals = out[members].to_numpy(dtype=float)
        out["ensemble"] = np.median(vals, axis=1) if combine == "median" else vals.mean(axis=1)
    if (train["y"] >= 0).all():
        out[models] = out[models].clip(lower=0)
    return out[["unique_id", "ds", *models]]


def _scales(train: pd.DataFrame, m: int) -> pd.DataFrame:
    """Per series: ``scale_mae`` and ``scale_mse``, the in-sample seasonal-naive errors (:func:`metrics.scale`).

    Vectorised over series (the data are sorted by series and date); equal to
    ``metrics.scale`` per series up to floating-point summation order.
    """
    d = train["y"] - train.groupby("unique_id", sort=False)["y"].shift(m)
    e = pd.DataFrame({"unique_id": train["unique_id"], "scale_mae": d.abs(), "scale_mse": d**2})
    out = e.groupby("unique_id", sort=True)[["scale_mae", "scale_mse"]].mean()
    out = out.mask(out == 0, 1e-12)  # constant series: keep scaled errors finite, as metrics.scale does
    return out.reset_index()


def _cutoffs(dates: pd.DatetimeIndex, info: FreqInfo, h: int, n_windows: int, step: int) -> pd.DatetimeIndex:
    end = dates.max()
    return pd.DatetimeIndex([end - (h + k * step) * info.offset for k in range(n_windows)][::-1])


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
        return plot_backtest(self, metric=metric, **kwargs)

    def __repr__(self) -> str:
        n = self.forecasts["unique_id"].nunique()
        return (
            f"BacktestResult({n} series, {len(self.cutoffs)} windows of h={self.h}, "
            f"models={self.models}, best={self.best!r})"
        )


def backtest(
    df: pd.DataFrame,
    h: int,
    n_windows: int = 4,
    step: int | None = None,
    models: Sequence[str] | str = DEFAULT_MODELS,
    level: Sequence[int] | None = (80, 95),
    *,
    freq: str | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    input_size: int | None = None,
    combine: str = "mean",
    ensemble_members: Sequence[str] | None = None,
    n_jobs: int | None = None,
    engine: Any = None,
    seed: int = 0,
    gbm_params: dict | None = None,
    conformal: str = "step",
    progress: bool | None = None,
) -> BacktestResult:
    """Rolling-origin evaluation of several models.

    Window ``k`` trains on everything up to its cutoff (the last ``input_size``
    periods if given) and forecasts the next ``h`` periods; cutoffs are
    ``step`` periods apart and the last window ends at the last date.
    Intervals are split-conformal: the scaled errors of the *other* windows
    give the quantiles (leave-one-window-out), so coverage is measured on
    data the calibration did not see.  Quantiles are taken per horizon step
    (``conformal="step"``: a band of neighbouring steps holding at least
    :data:`~jingwu.forecast.conformal.MIN_CALIBRATION` errors), because errors
    grow with the step; ``conformal="pooled"`` pools the whole horizon (the
    method of earlier versions: too wide at step 1, too narrow at step ``h``).
    With ``n_windows=1`` the window calibrates itself, so its coverage is
    optimistic: use at least 2 (4+ for stable quantiles).
    :meth:`BacktestResult.coverage_by_band` reports coverage per step band.

    Parameters
    ----------
    df : DataFrame
        Long data, one row per series and period (``unique_id, ds, y`` or the
        names given by ``id_col``, ``time_col``, ``target_col``).  All series
        must end on the same date and have regular dates.
    h : int
        Forecast horizon (periods).
    n_windows, step : int
        Number of windows and periods between cutoffs (default ``h``).
    models : sequence of str
        From :data:`jingwu.forecast.models.MODELS` plus ``"ensemble"`` (the
        ``combine`` of ``ensemble_members``; default ETS, Theta and GBM when
        at least two of them are run, else every non-benchmark model).
        ``"snaive"`` is always added: it is the benchmark.  Default
        :data:`DEFAULT_MODELS` (seasonal naive and the LightGBM global model);
        :data:`ZOO_MODELS` is the full zoo.
    level : sequence of int
        Central interval levels in percent.
    freq : str, optional
        Pandas alias (``"D"``, ``"W-SUN"``, ``"MS"``); inferred when omitted.
    input_size : int, optional
        Train on at most this many recent periods per series (speed).
    n_jobs : int, optional
        statsforecast processes; default: every core when a costly statistical
        model (ETS, ARIMA, MSTL, Theta) runs on at least 50 series, else one
        (a process pool does not pay off on small runs; results are the same).
    engine : None, "dask", "ray", "spark", dask.distributed.Client or SparkSession
        Run on a cluster: the statistical models through statsforecast's
        distributed (fugue) backend, the global models as one task on a
        worker; Dask gives the same numbers as ``None``, Ray and Spark agree
        to about 1e-7 relative (see :mod:`jingwu.forecast.engine`, including
        the ``if __name__ == "__main__":`` guard a script needs).
    seed : int
        Random state of the gradient-boosting model.
    gbm_params : dict, optional
        Options of the global models (:class:`jingwu.forecast.GlobalGBM`, e.g.
        ``max_iter``, ``n_threads``).
    conformal : {"step", "pooled"}
        Interval calibration per horizon step (default) or pooled.
    progress : bool, optional
        Progress lines on standard error per window and model fit
        (:mod:`jingwu.progress`); ``None`` follows ``JINGWU_PROGRESS``.

    Returns
    -------
    BacktestResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> ds = pd.date_range("2024-01-01", periods=70)
    >>> d = pd.DataFrame({"unique_id": "s1", "ds": ds, "y": rng.poisson(20, 70)})
    >>> bt = backtest(d, h=7, n_windows=2, models=["snaive", "naive"])
    >>> list(bt.cutoffs.strftime("%m-%d")), sorted(bt.metrics()["model"])
    (['02-25', '03-03'], ['naive', 'snaive'])
    """
    h = check_h(h)
    levels = check_levels(level)
    if isinstance(n_windows, bool) or not isinstance(n_windows, (int, np.integer)) or n_windows < 1:
        raise ValueError(f"n_windows must be a positive integer, got {n_windows!r}")
    step = h if step is None else step
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)) or step < 1:
        raise ValueError(f"step must be a positive integer, got {step!r}")
    if combine not in ("mean", "median"):
        raise ValueError(f"combine must be 'mean' or 'median', not {combine!r}")
    if conformal not in CONFORMAL_METHODS:
        raise ValueError(f"conformal must be one of {CONFORMAL_METHODS}, not {conformal!r}")
    models = _check_models(models)
    members = _members(models, ensemble_members)
    if "ensemble" in models and not members:
        raise ValueError("the ensemble needs at least one non-benchmark model among models")
    engine = check_engine(engine)
    data, info = prepare(df, id_col=id_col, time_col=time_col, target_col=target_col, freq=freq)
    ends = data.groupby("unique_id")["ds"].max()
    if ends.nunique() > 1:
        raise DataError(
            f"series end on different dates ({ends.min().date()} … {ends.max().date()}; e.g. "
            f"{ends.idxmin()!r})",
            column=id_col,
            expected="all series to end on the same date for a backtest",
        )
    cutoffs = _cutoffs(pd.DatetimeIndex(data["ds"]), info, h, int(n_windows), int(step))
    need = 2 * info.season + 1
    # the dates are regular (prepare checked), so rows up to the cutoff count the periods
    before = data[data["ds"] <= cutoffs[0]].groupby("unique_id").size()
    before = before.reindex(ends.index, fill_value=0)
    short = list(before.index[before.to_numpy() < need])
    if short:
        raise DataError(
            f"{len(short)} series are too short for {n_windows} windows of h={h} (e.g. {short[0]!r})",
            column=id_col,
            expected=f"at least {need} periods before the first cutoff {cutoffs[0].date()}",
        )
    frames, scales = [], []
    units = _fit_units(models, members)
    bar = Progress(
        len(cutoffs) * len(units), f"backtest ({data['unique_id'].nunique()} series)", progress=progress
    )
    for k, c in enumerate(cutoffs, 1):
        train = data[data["ds"] <= c]
        test = data[(data["ds"] > c) & (data["ds"] <= c + h * info.offset)]
        fc = _fit_predict(
            train,
            h,
            models,
            info,
            members=members,
            combine=combine,
            n_jobs=n_jobs,
            engine=engine,
            seed=seed,
            gbm_params=gbm_params,
            input_size=input_size,
            done=lambda name, k=k: bar.update(note=f"window {k}/{len(cutoffs)}: {name}"),
        )
        fc = fc.merge(test, on=["unique_id", "ds"], how="inner")
        fc["cutoff"] = c
        fc["step"] = fc.groupby("unique_id").cumcount() + 1
        frames.append(
            fc.melt(["unique_id", "ds", "cutoff", "step", "y"], models, var_name="model", value_name="yhat")
        )
        tr = train if input_size is None else train.groupby("unique_id").tail(int(input_size))
        sc = _scales(tr, info.season)
        sc["cutoff"] = c
        scales.append(sc)
    bar.close()
    f = pd.concat(frames, ignore_index=True)
    sc = pd.concat(scales, ignore_index=True)
    f = f.merge(sc, on=["unique_id", "cutoff"])
    z = (f["y"] - f["yhat"]) / f["scale_mae"]
    for lv in levels:
        f[f"lo_{lv}"] = np.nan
        f[f"hi_{lv}"] = np.nan
    nonneg = bool((data["y"] >= 0).all())
    steps = f["step"].to_numpy()
    for mname in models:
        is_m = (f["model"] == mname).to_numpy()
        for c in cutoffs:
            here = is_m & (f["cutoff"] == c).to_numpy()
            calib = is_m & ((f["cutoff"] != c).to_numpy() if len(cutoffs) > 1 else True)
            q = conformal_quantiles(z[calib].to_numpy(), steps[calib], h, levels, method=conformal)
            at = steps[here] - 1
            yhat, scale = f.loc[here, "yhat"].to_numpy(), f.loc[here, "scale_mae"].to_numpy()
            for lv, (qlo, qhi) in q.items():
                lo = yhat + qlo[at] * scale
                f.loc[here, f"lo_{lv}"] = np.clip(lo, 0, None) if nonneg else lo
                f.loc[here, f"hi_{lv}"] = yhat + qhi[at] * scale
    f = (
        f.drop(columns=["scale_mae", "scale_mse"])
        .sort_values(
            ["model", "unique_id", "cutoff", "ds"],
            key=lambda s: s.map({m: i for i, m in enumerate(models)}) if s.name == "model" else s,
        )
        .reset_index(drop=True)
    )
    return BacktestResult(
        forecasts=f,
        scales=sc,
        cutoffs=cutoffs,
        h=h,
        levels=levels,
        info=info,
        models=models,
        ids={"id_col": id_col, "time_col": time_col, "target_col": target_col},
        conformal=conformal,
    )


def forecast(
    df: pd.DataFrame,
    h: int,
    level: Sequence[int] | None = (80, 95),
    model: str = "auto",
    *,
    freq: str | None = None,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    calibration: BacktestResult | None = None,
    n_windows: int = 4,
    models: Sequence[str] = DEFAULT_MODELS,
    input_size: int | None = None,
    combine: str = "mean",
    ensemble_members: Sequence[str] | None = None,
    n_jobs: int | None = None,
    engine: Any = None,
    seed: int = 0,
    gbm_params: dict | None = None,
    conformal: str = "step",
    select_windows: int | None = None,
    progress: bool | None = None,
) -> pd.DataFrame:
    """Point forecasts and calibrated intervals for every series.

    ``model="auto"`` runs a backtest (or uses ``calibration``) and picks the
    model with the lowest MASE on its selection windows; only that model (an
    ensemble: its members) is refitted on all the data.  Intervals are conformal: per horizon step, the
    quantiles of the chosen model's scaled backtest errors at that step (see
    ``conformal`` in :func:`backtest`), times each series' seasonal-naive
    scale, around the point forecast (lower bounds clipped at 0 for counts).

    The model is chosen on other backtest windows than those that calibrate
    its intervals: the winner's errors on the windows that chose it are
    biased low (it won there), so intervals calibrated on them would be too
    narrow.  By default the older half of the windows choose
    (:meth:`BacktestResult.split_windows`) and the newer half calibrate.

    Parameters
    ----------
    select_windows : int, optional
        Oldest backtest windows on which ``model="auto"`` chooses; the
        intervals are calibrated on the others.  Default: half of
        ``n_windows`` (rounded down); ``0``: choose and calibrate on every
        window (as earlier versions did).  With a named ``model``, every
        window calibrates unless ``select_windows`` is given (e.g. when the
        caller chose the model on those windows of ``calibration``).
    progress : bool, optional
        Progress lines of the backtest (:mod:`jingwu.progress`).

    Other parameters are those of :func:`backtest`; ``calibration`` is a
    backtest already run (it must contain ``model``).

    Returns
    -------
    DataFrame
        ``unique_id, ds, model, yhat, lo_<L>, hi_<L>`` (with the user's id and
        time column names); ``.attrs["model"]`` names the model.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(2)
    >>> d = pd.DataFrame({"station": "s1", "date": pd.date_range("2024-01-01", periods=84),
    ...                   "n": rng.poisson(15, 84)})
    >>> fc = forecast(d, h=7, model="auto", models=["snaive", "naive"], n_windows=2,
    ...               id_col="station", time_col="date", target_col="n")
    >>> fc.columns.tolist()[:4], len(fc), bool((fc["lo_95"] <= fc["yhat"]).all())
    (['station', 'date', 'model', 'yhat'], 7, True)
    """
    h = check_h(h)
    levels = check_levels(level)
    engine = check_engine(engine)
    data, info = prepare(df, id_col=id_col, time_col=time_col, target_col=target_col, freq=freq)
    if calibration is None and (model == "auto" or levels):
        mlist = list(models) if model == "auto" else [model]
        calibration = backtest(
            data,
            h,
            n_windows=n_windows,
            models=mlist,
            level=levels,
            freq=info.alias,
            input_size=input_size,
            combine=combine,
            ensemble_members=ensemble_members,
            n_jobs=n_jobs,
            engine=engine,
            seed=seed,
            gbm_params=gbm_params,
            conformal=conformal,
            progress=progress,
        )
    calib_cutoffs = None
    if calibration is not None:
        if model == "auto" or select_windows is not None:
            select_cutoffs, calib_cutoffs = calibration.split_windows(select_windows)
        else:
            select_cutoffs = calib_cutoffs = calibration.cutoffs
    chosen = calibration.windows(select_cutoffs).best if model == "auto" else model
    _check_models([chosen])
    # Refit only the chosen model (an ensemble: its members) on all the data.
    if chosen == "ensemble":
        base = calibration.models if calibration is not None else list(models)
        members = _members(base, ensemble_members)
        mlist = [*members, "ensemble"]
    else:
        members, mlist = [], [chosen]
    if calibration is not None and chosen not in calibration.models:
        raise ValueError(f"model {chosen!r} is not in the calibration backtest ({calibration.models})")
    fc = _fit_predict(
        data,
        h,
        mlist,
        info,
        members=members,
        combine=combine,
        n_jobs=n_jobs,
        engine=engine,
        seed=seed,
        gbm_params=gbm_params,
        input_size=input_size,
    )
    out = fc[["unique_id", "ds"]].copy()
    out["model"] = chosen
    out["yhat"] = fc[chosen].to_numpy()
    if levels:
        tr = data if input_size is None else data.groupby("unique_id").tail(int(input_size))
        s = _scales(tr, info.season).set_index("unique_id")["scale_mae"]
        sc = out["unique_id"].map(s).to_numpy()
        z, zsteps = calibration.residual_z(chosen, with_steps=True, cutoffs=calib_cutoffs)
        q = conformal_quantiles(z, zsteps, h, levels, method=calibration.conformal)
        at = out.groupby("unique_id", sort=False).cumcount().to_numpy()
        nonneg = bool((data["y"] >= 0).all())
        for lv, (qlo, qhi) in q.items():
            lo = out["yhat"].to_numpy() + qlo[at] * sc
            out[f"lo_{lv}"] = np.clip(lo, 0, None) if nonneg else lo
            out[f"hi_{lv}"] = out["yhat"].to_numpy() + qhi[at] * sc
    out = out.rename(columns={"unique_id": id_col, "ds": time_col})
    out.attrs["model"] = chosen
    if calibration is not None:
        out.attrs["selection_cutoffs"] = [str(c.date()) for c in select_cutoffs] if model == "auto" else []
        out.attrs["calibration_cutoffs"] = [str(c.date()) for c in calib_cutoffs]
    return out


def plot_backtest(
    result: BacktestResult, metric: str = "mase", *, ax: Any = None, title: str | None = None
) -> Any:
    """Line plot of a metric by horizon step, one line per model (benchmark dashed).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=42),
    ...                   "y": np.random.default_rng(0).poisson(9, 42)})
    >>> ax = plot_backtest(backtest(d, 7, 2, models=["snaive", "naive"]))
    >>> ax.get_xlabel()
    'Horizon (steps ahead)'
    >>> matplotlib.pyplot.close("all")
    """
    import matplotlib.pyplot as plt

    tab = result.metrics(["model", "step"])
    if metric not in tab.columns:
        raise ValueError(f"unknown metric {metric!r}; choose from {list(tab.columns[2:])}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4))
    for m in result.models:
        part = tab[tab["model"] == m]
        ax.plot(
            part["step"],
            part[metric],
            label=m,
            ls="--" if m in _BENCHMARKS else "-",
            lw=2.2 if m == result.best else 1.2,
        )
    ax.set_xlabel("Horizon (steps ahead)")
    ax.set_ylabel(metric.upper() if metric in ("mase", "rmsse", "smape") else metric)
    ax.set_title(title or f"Backtest: {metric} by horizon ({len(result.cutoffs)} windows)")
    ax.legend(frameon=False, ncol=3)
    return ax


def plot_forecast(
    history: pd.DataFrame,
    fc: pd.DataFrame,
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
    target_col: str = "y",
    ids: Sequence[str] | None = None,
    last: int = 120,
    level: int | None = None,
    ncols: int = 2,
) -> Any:
    """Small multiples: recent history and the forecast with its interval band(s).

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd
    >>> hist = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=5), "y": [1, 2, 3, 2, 1]})
    >>> fc = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-06", periods=2), "yhat": [2.0, 2.0],
    ...                    "lo_80": [1.0, 1.0], "hi_80": [3.0, 3.0]})
    >>> fig = plot_forecast(hist, fc)
    >>> len(fig.axes)
    1
    >>> matplotlib.pyplot.close("all")
    """
    import matplotlib.pyplot as plt

    ids = list(ids) if ids is not None else list(pd.unique(fc[id_col]))[:6]
    ncols = min(ncols, len(ids))
    nrows = int(np.ceil(len(ids) / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(5.5 * ncols, 2.8 * nrows), squeeze=False, sharex=True)
    levels = sorted(int(c[3:]) for c in fc.columns if c.startswith("lo_"))
    if level is not None:
        levels = [level]
    for ax, uid in zip(axes.ravel(), ids):
        hpart = history[history[id_col] == uid].sort_values(time_col).tail(last)
        fpart = fc[fc[id_col] == uid].sort_values(time_col)
        ax.plot(hpart[time_col], hpart[target_col], color="0.3", lw=0.8)
        for i, lv in enumerate(sorted(levels, reverse=True)):
            ax.fill_between(
                fpart[time_col],
                fpart[f"lo_{lv}"],
                fpart[f"hi_{lv}"],
                color="C0",
                alpha=0.15 + 0.15 * i,
                lw=0,
                label=f"{lv}%",
            )
        ax.plot(fpart[time_col], fpart["yhat"], color="C0", lw=1.5)
        ax.set_title(str(uid), fontsize=10)
    for ax in axes.ravel()[len(ids) :]:
        ax.set_visible(False)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
