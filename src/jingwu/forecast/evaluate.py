"""Rolling-origin backtests, model choice, calibrated intervals and forecasts.

The backtest's result is :class:`~jingwu.forecast.result.BacktestResult` and
its plots are in :mod:`jingwu.forecast.plots`; both stay importable from here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..progress import Progress
from ._data import FreqInfo, check_h, check_levels, prepare
from .conformal import CONFORMAL_METHODS, conformal_quantiles
from .engine import check_engine, run_global
from .models import LOCAL, MODELS, GlobalGBM, fit_predict_local
from .plots import plot_backtest, plot_forecast
from .result import _BENCHMARKS, BacktestResult

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
        pref: list[str] = [m for m in ("ets", "theta", "gbm") if m in models]
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
    if out is None:
        raise ValueError(f"no model to fit among {models}")
    if "ensemble" in models:
        vals = out[members].to_numpy(dtype=float)
        out["ensemble"] = np.median(vals, axis=1) if combine == "median" else vals.mean(axis=1)
    if (train["y"] >= 0).all():
        out[models] = out[models].clip(lower=0)
    return out[["unique_id", "ds", *models]]


def _progress_note(bar: Progress, where: str, name: str) -> None:
    bar.update(note=f"{where}: {name}")


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
            done=partial(_progress_note, bar, f"window {k}/{len(cutoffs)}"),
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
    # without calibration (a named model and no intervals) there is nothing to choose or calibrate
    chosen, select_cutoffs, calib_cutoffs = model, pd.DatetimeIndex([]), pd.DatetimeIndex([])
    if calibration is not None:
        if model == "auto" or select_windows is not None:
            select_cutoffs, calib_cutoffs = calibration.split_windows(select_windows)
        else:
            select_cutoffs = calib_cutoffs = calibration.cutoffs
        if model == "auto":
            chosen = calibration.windows(select_cutoffs).best
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
    if levels and calibration is not None:
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
