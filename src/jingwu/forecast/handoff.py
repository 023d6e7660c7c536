"""Hand-off from notebook 01 to staffing: the saved station forecast quantiles, or a fresh forecast."""
from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..aggregate import station_daily_totals
from .evaluate import forecast as _forecast

#: Notebook 01's hand-off (station × day: ``mean``, ``q80``, ``q95``), in the tables directory.
FORECAST_TABLE = "01_station_forecast_quantiles.csv"


def _read_saved_forecast(path: Path, stations: list[str], dates: pd.DatetimeIndex) -> pd.DataFrame | None:
    """The saved forecast if it covers exactly these stations' next days, else None."""
    if not path.is_file():
        return None
    saved = pd.read_csv(path, dtype={"station_id": str})
    cols = ["station_id", "date", "mean", "q80", "q95"]
    if any(c not in saved.columns for c in cols):
        return None
    saved = saved[saved["station_id"].isin(stations)].copy()
    saved["date"] = pd.to_datetime(saved["date"], errors="coerce")
    expected = pd.MultiIndex.from_product([stations, dates], names=["station_id", "date"])
    got = pd.MultiIndex.from_frame(saved[["station_id", "date"]])
    if len(got) != len(expected) or got.has_duplicates or not got.sort_values().equals(expected):
        return None
    values = saved[["mean", "q80", "q95"]].to_numpy(dtype=float)
    if not np.isfinite(values).all() or (values < 0).any():
        return None
    out = saved[cols].assign(model=saved["model"].astype(str) if "model" in saved.columns else "unknown")
    return out.sort_values(["station_id", "date"]).reset_index(drop=True)


def station_forecast(
    demand: pd.DataFrame,
    h: int = 28,
    *,
    saved: str | os.PathLike[str] | bool | None = None,
    model: str = "snaive",
    models: Sequence[str] | None = None,
    n_windows: int = 2,
    input_size: int | None = 3 * 365,
    seed: int = 0,
) -> pd.DataFrame:
    """Daily forecast per station for the ``h`` days after the data: mean, q80, q95.

    Notebook 01 hands its reconciled forecast quantiles to staffing in
    :data:`FORECAST_TABLE`.  That table is used when it matches the data --
    every station of ``demand``, exactly the ``h`` days after its last date,
    finite non-negative values; otherwise (notebook 01 not run, run in quick
    mode on a few stations, or run on other data) the forecast is made here
    with :func:`jingwu.forecast.forecast`, its 80th and 95th percentiles being
    the upper ends of the 60% and 90% conformal intervals, as in notebook 01.

    Parameters
    ----------
    demand : DataFrame
        Daily demand: ``station_id``, ``date``, ``count`` (categories, if
        any, are summed).
    h : int
        Horizon in days.
    saved : path, bool or None
        The saved table: default (None or True) :data:`FORECAST_TABLE` in
        :func:`jingwu.paths.tables_dir`; a path; or False to always forecast.
    model, models, n_windows, input_size, seed
        Passed to :func:`jingwu.forecast.forecast` when forecasting here
        (``model="auto"`` picks the backtest winner among ``models``).

    Returns
    -------
    DataFrame
        ``station_id, date, mean, q80, q95, model``, sorted; ``.attrs["source"]``
        is ``"saved"`` (with ``.attrs["path"]``) or ``"computed"``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"station_id": "S1", "date": pd.date_range("2024-01-01", periods=70),
    ...                   "count": rng.poisson(20, 70)})
    >>> fc = station_forecast(d, h=7, saved=False, input_size=None)
    >>> fc.attrs["source"], len(fc), bool((fc["q95"] >= fc["q80"]).all())
    ('computed', 7, True)
    """
    if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
        raise ValueError(f"h must be an integer >= 1, got {h!r}")
    daily = station_daily_totals(demand, "the station forecast")
    stations = sorted(daily["station_id"].unique())
    dates = pd.date_range(daily["date"].max() + pd.Timedelta(days=1), periods=h, freq="D", name="date")
    path = paths.saved_table(saved, FORECAST_TABLE)
    if path is not None:
        out = _read_saved_forecast(path, stations, dates)
        if out is not None:
            out.attrs.update(source="saved", path=path.name)
            return out
    kwargs: dict = {"models": list(models)} if models is not None else {}
    fc = _forecast(daily, h=h, level=(60, 90), model=model, id_col="station_id", time_col="date",
                     target_col="count", n_windows=n_windows, input_size=input_size, seed=seed, **kwargs)
    out = pd.DataFrame({"station_id": fc["station_id"].astype(str).to_numpy(), "date": fc["date"].to_numpy(),
                        "mean": fc["yhat"].clip(lower=0).to_numpy()})
    out["q80"] = np.maximum(fc["hi_60"].to_numpy(), out["mean"].to_numpy())
    out["q95"] = np.maximum(fc["hi_90"].to_numpy(), out["q80"].to_numpy())
    out["model"] = str(fc.attrs.get("model", model))
    out = out.sort_values(["station_id", "date"]).reset_index(drop=True)
    out.attrs.update(source="computed")
    return out
