"""Hand-off from notebook 01 to staffing: a forecast table given explicitly, or a fresh forecast.

The caller says where notebook 01's station forecast is (a path or the table
itself); nothing is read from an earlier run's output directory behind its
back.  ``jw.paths.tables_dir() / jw.forecast.FORECAST_TABLE`` is where
notebook 01 saves it.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..aggregate import station_daily_totals
from .evaluate import forecast as _forecast

#: File name of notebook 01's hand-off (station × day: ``mean``, ``q80``, ``q95``) in its tables directory.
FORECAST_TABLE = "01_station_forecast_quantiles.csv"
_COLS = ["station_id", "date", "mean", "q80", "q95"]


def _matching_forecast(
    saved: pd.DataFrame, stations: list[str], dates: pd.DatetimeIndex
) -> tuple[pd.DataFrame | None, str]:
    """The given table if it covers exactly these stations' next days (else None) and why not."""
    if any(c not in saved.columns for c in _COLS):
        return None, f"it lacks columns {[c for c in _COLS if c not in saved.columns]}"
    saved = saved[saved["station_id"].astype(str).isin(stations)].copy()
    saved["station_id"] = saved["station_id"].astype(str)
    saved["date"] = pd.to_datetime(saved["date"], errors="coerce")
    expected = pd.MultiIndex.from_product([stations, dates], names=["station_id", "date"])
    got = pd.MultiIndex.from_frame(saved[["station_id", "date"]])
    if len(got) != len(expected) or got.has_duplicates or not got.sort_values().equals(expected):
        return None, (
            f"it does not cover exactly the {len(stations)} stations and the {len(dates)} days "
            f"{dates[0].date()} to {dates[-1].date()}"
        )
    values = saved[["mean", "q80", "q95"]].to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        return None, "it has missing or negative values"
    out = saved[_COLS].assign(model=saved["model"].astype(str) if "model" in saved.columns else "unknown")
    return out.sort_values(["station_id", "date"]).reset_index(drop=True), ""


def station_forecast(
    demand: pd.DataFrame,
    h: int = 28,
    *,
    saved: str | os.PathLike[str] | pd.DataFrame | bool | None = None,
    model: str = "snaive",
    models: Sequence[str] | None = None,
    n_windows: int = 2,
    input_size: int | None = 3 * 365,
    seed: int = 0,
) -> pd.DataFrame:
    """Daily forecast per station for the ``h`` days after the data: mean, q80, q95.

    Notebook 01 hands its reconciled forecast quantiles to staffing as a
    table (saved as :data:`FORECAST_TABLE` in its tables directory).  Pass
    that table, or its path, as ``saved``: it is used when it matches the
    data -- every station of ``demand``, exactly the ``h`` days after its last
    date, finite non-negative values.  Otherwise (no ``saved``; or a table
    that is missing, stale or made on other data, with a warning saying why)
    the forecast is made here with :func:`jingwu.forecast.forecast`, its 80th
    and 95th percentiles being the upper ends of the 60% and 90% conformal
    intervals, as in notebook 01.  Nothing is read unless the caller names it.

    Parameters
    ----------
    demand : DataFrame
        Daily demand: ``station_id``, ``date``, ``count`` (categories, if
        any, are summed).
    h : int
        Horizon in days.
    saved : path, DataFrame, False or None
        Notebook 01's forecast table (``station_id, date, mean, q80, q95``
        and optionally ``model``) or the path of its CSV, e.g.
        ``jw.paths.tables_dir() / jw.forecast.FORECAST_TABLE``; ``None`` or
        ``False``: always forecast here.
    model, models, n_windows, input_size, seed
        Passed to :func:`jingwu.forecast.forecast` when forecasting here
        (``model="auto"`` picks the backtest winner among ``models``).

    Returns
    -------
    DataFrame
        ``station_id, date, mean, q80, q95, model``, sorted; ``.attrs["source"]``
        is ``"saved"`` (with ``.attrs["path"]``, the file name, when a path was
        given) or ``"computed"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"station_id": "S1", "date": pd.date_range("2024-01-01", periods=70),
    ...                   "count": rng.poisson(20, 70)})
    >>> fc = station_forecast(d, h=7, input_size=None)
    >>> fc.attrs["source"], len(fc), bool((fc["q95"] >= fc["q80"]).all())
    ('computed', 7, True)
    >>> station_forecast(d, h=7, saved=fc).attrs["source"]
    'saved'
    """
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise ValueError(f"h must be an integer >= 1, got {h!r}")
    if saved is True:
        raise ValueError(
            "saved=True no longer looks in the tables directory: pass the table or its path, "
            "e.g. saved=jw.paths.tables_dir() / jw.forecast.FORECAST_TABLE"
        )
    daily = station_daily_totals(demand, "the station forecast")
    stations = sorted(daily["station_id"].astype(str).unique())
    dates = pd.date_range(daily["date"].max() + pd.Timedelta(days=1), periods=h, freq="D", name="date")
    if saved is not None and saved is not False:
        out, why, where = _given_forecast(saved, stations, dates)
        if out is not None:
            out.attrs.update(source="saved", **({"path": where} if where else {}))
            return out
        warnings.warn(
            f"station_forecast: the given forecast table{' ' + where if where else ''} is not used "
            f"because {why}; forecasting here instead",
            UserWarning,
            stacklevel=2,
        )
    kwargs: dict = {"models": list(models)} if models is not None else {}
    fc = _forecast(
        daily,
        h=h,
        level=(60, 90),
        model=model,
        id_col="station_id",
        time_col="date",
        target_col="count",
        n_windows=n_windows,
        input_size=input_size,
        seed=seed,
        **kwargs,
    )
    out = pd.DataFrame(
        {
            "station_id": fc["station_id"].astype(str).to_numpy(),
            "date": fc["date"].to_numpy(),
            "mean": fc["yhat"].clip(lower=0).to_numpy(),
        }
    )
    out["q80"] = np.maximum(fc["hi_60"].to_numpy(), out["mean"].to_numpy())
    out["q95"] = np.maximum(fc["hi_90"].to_numpy(), out["q80"].to_numpy())
    out["model"] = str(fc.attrs.get("model", model))
    out = out.sort_values(["station_id", "date"]).reset_index(drop=True)
    out.attrs.update(source="computed")
    return out


def _given_forecast(
    saved: str | os.PathLike[str] | pd.DataFrame, stations: list[str], dates: pd.DatetimeIndex
) -> tuple[pd.DataFrame | None, str, str]:
    """The caller's table (a frame or a CSV path) if it matches; the reason if not; the file name."""
    if isinstance(saved, pd.DataFrame):
        out, why = _matching_forecast(saved, stations, dates)
        return out, why, ""
    path = Path(saved)
    if not path.is_file():
        return None, "the file does not exist (run notebook 01 first to hand its forecast over)", path.name
    out, why = _matching_forecast(pd.read_csv(path, dtype={"station_id": str}), stations, dates)
    return out, why, path.name
