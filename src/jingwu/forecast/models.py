"""The model zoo: statsforecast's local models and a global gradient-boosting model.

Every model is named by a short key (``"snaive"``, ``"ets"``, ``"arima"``,
``"mstl"``, ``"theta"``, ``"gbm"``; ``"ensemble"`` is formed from the others
in :func:`jingwu.forecast.backtest`) and maps long ``unique_id, ds, y`` data to
point forecasts ``unique_id, ds, <model>``.

Examples
--------
>>> from jingwu.forecast.models import MODELS
>>> sorted(MODELS)[:3]
['arima', 'ets', 'gbm']
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from .. import calendar as jcal
from ._data import FreqInfo
from .engine import collect, to_engine_frame

__all__ = ["MODELS", "calendar_features", "fit_predict_local", "GlobalGBM"]

#: Model keys and what they are.
MODELS: dict[str, str] = {
    "snaive": "Seasonal naive (the benchmark; scales every error)",
    "naive": "Naive (last value)",
    "ets": "AutoETS (seasonal period <= 24 only; statsforecast)",
    "arima": "AutoARIMA (slow: ~6 CPU-s per 3-year daily series)",
    "mstl": "MSTL (weekly + yearly STL) with a non-seasonal AutoETS trend",
    "theta": "AutoTheta (statsforecast)",
    "gbm": "Global HistGradientBoosting (Poisson) on calendar, holiday and lag features",
    "lgbm": "The same global model with LightGBM as the booster (needs lightgbm)",
}
LOCAL = ("snaive", "naive", "ets", "arima", "mstl", "theta")
#: Fewest forecast origins the global models' evenly thinned training grid may keep; with fewer
#: (many series), they sample (series, origin) pairs instead (:meth:`GlobalGBM._training_rows`).
MIN_GRID_ORIGINS = 28
#: Series needed before ``n_jobs=None`` starts a process per core for the statistical models.
POOL_MIN_SERIES = 50


def _sf_model(name: str, info: FreqInfo, min_len: int) -> Any:
    from statsforecast.models import MSTL, AutoARIMA, AutoETS, AutoTheta, Naive, SeasonalNaive

    m = info.season
    if name == "snaive":
        return SeasonalNaive(season_length=m, alias=name)
    if name == "naive":
        return Naive(alias=name)
    if name == "ets":
        # statsforecast's AutoETS silently drops seasonal periods > 24: be explicit.
        return (
            AutoETS(season_length=m, alias=name)
            if m <= 24
            else AutoETS(season_length=1, model="ZZN", alias=name)
        )
    if name == "arima":
        return AutoARIMA(season_length=m, alias=name)
    if name == "theta":
        return AutoTheta(season_length=m, alias=name)
    if name == "mstl":
        seasons = [s for s in sorted({m, info.yearly}) if min_len >= 2 * s + 1]
        if not seasons:
            seasons = [m]
        return MSTL(
            season_length=seasons if len(seasons) > 1 else seasons[0],
            trend_forecaster=AutoETS(model="ZZN"),
            alias=name,
        )
    raise ValueError(f"unknown model {name!r}; choose from {sorted(MODELS)} or 'ensemble'")


def fit_predict_local(
    train: pd.DataFrame,
    h: int,
    names: list[str],
    info: FreqInfo,
    *,
    n_jobs: int | None = 1,
    engine: Any = None,
) -> pd.DataFrame:
    """Fit statsforecast models per series and forecast ``h`` steps.

    Returns ``unique_id, ds`` and one column per model.  ``engine`` is ``None``
    (in-process), ``"dask"`` / a Dask client, ``"ray"``, or ``"spark"`` / a Spark
    session (statsforecast's distributed backend through fugue; see
    :mod:`jingwu.forecast.engine`).  ``n_jobs=None``: every core when a costly model
    (ETS, ARIMA, MSTL, Theta) runs on at least :data:`POOL_MIN_SERIES` series, else 1.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.forecast._data import freq_info
    >>> d = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=14),
    ...                   "y": [1, 2, 3, 4, 5, 6, 7] * 2})
    >>> fit_predict_local(d, 2, ["snaive"], freq_info("D"))["snaive"].tolist()
    [1.0, 2.0]
    """
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    if not names:
        return train.groupby("unique_id").tail(0)[["unique_id", "ds"]]
    min_len = int(train.groupby("unique_id").size().min())
    models = [_sf_model(n, info, min_len) for n in names]
    if n_jobs is None:
        costly = any(n not in ("snaive", "naive") for n in names)
        n_jobs = -1 if costly and train["unique_id"].nunique() >= POOL_MIN_SERIES else 1
    sf = StatsForecast(
        models=models, freq=info.alias, n_jobs=n_jobs, fallback_model=SeasonalNaive(season_length=info.season)
    )
    data = train[["unique_id", "ds", "y"]]
    out = collect(sf.forecast(df=to_engine_frame(data, engine), h=h))
    out = out.reset_index() if "unique_id" not in out.columns else out
    out["unique_id"] = out["unique_id"].astype(str)
    out["ds"] = pd.to_datetime(out["ds"])
    out[names] = out[names].astype("float64")
    return out[["unique_id", "ds", *names]].sort_values(["unique_id", "ds"]).reset_index(drop=True)


# ----------------------------------------------------------------------------
# Calendar and holiday features
# ----------------------------------------------------------------------------

_HOLIDAY_CODES = {k: i + 1 for i, k in enumerate(jcal.HOLIDAY_LABELS)} | {"none": 0, "other": 99}
_DAILY_COLS = ["is_day_off", "is_holiday", "is_adjusted_workday", "sf_window", "golden_week"]


def calendar_features(dates: pd.DatetimeIndex | pd.Series | list, info: FreqInfo) -> pd.DataFrame:
    """Numeric calendar and Chinese-holiday features for each period start/end date.

    Daily data gets the day's features from :func:`jingwu.calendar.holiday_features`
    (day of week, holiday key, day off, adjusted working day 调休, days from the
    Spring Festival, Golden Week).  Weekly and monthly data get counts of those
    days within the period (and the period's smallest distance to the Spring
    Festival).

    Examples
    --------
    >>> from jingwu.forecast._data import freq_info
    >>> f = calendar_features(pd.date_range("2024-02-09", periods=3), freq_info("D"))
    >>> f[["sf_offset", "is_holiday"]].values.tolist()
    [[-1, 0], [0, 1], [1, 1]]
    """
    idx = pd.DatetimeIndex(pd.to_datetime(pd.Series(dates)).dt.normalize())
    if info.kind == "D":
        f = jcal.holiday_features(idx)
        out = pd.DataFrame(
            {
                "dow": f["dow"].to_numpy(),
                "month": idx.month,
                "doy": idx.dayofyear,
                "holiday": f["holiday"].map(_HOLIDAY_CODES).fillna(99).astype(int).to_numpy(),
                "sf_offset": f["sf_offset"].to_numpy(),
            }
        )
        for c in _DAILY_COLS:
            out[c] = f[c].astype(int).to_numpy()
        return out
    # Weekly / monthly: the days each period covers.
    if info.kind == "W":
        starts = idx - pd.Timedelta(days=6) if info.alias.upper().startswith("W") else idx
        ends = idx
    else:
        per = idx.to_period("M")
        starts, ends = per.start_time.normalize(), per.end_time.normalize()
    days = pd.date_range(starts.min(), ends.max(), freq="D")
    f = jcal.holiday_features(days).set_index("date")
    rows = []
    for s, e in zip(starts, ends):
        part = f.loc[s:e]
        rows.append(
            [int(part[c].sum()) for c in _DAILY_COLS]
            + [int(part["sf_offset"].abs().min()), int(part["is_holiday"].sum())]
        )
    out = pd.DataFrame(rows, columns=[*_DAILY_COLS, "sf_distance", "holiday_days"])
    out.insert(0, "month", idx.month)
    out.insert(1, "woy", idx.isocalendar().week.to_numpy().astype(int) if info.kind == "W" else idx.month)
    return out


# ----------------------------------------------------------------------------
# The global gradient-boosting model
# ----------------------------------------------------------------------------


def _windows(info: FreqInfo) -> tuple[int, int, int, int]:
    """Short, base (normaliser), medium and yearly window lengths."""
    if info.kind == "D":
        return 7, 28, 91, 364
    if info.kind == "W":
        return 4, 13, 26, 52
    return 3, 12, 6, 12


class GlobalGBM:
    """One gradient-boosting model across all series (direct multi-horizon).

    Each training row is (series, forecast origin, step ``j`` = 1..h): the
    features are what is known at the origin (recent means, the same weekday
    in the last weeks, last year around the target date) plus the target
    date's calendar and holiday features; the target is ``y / level`` with
    ``level`` the series' mean over the last four weeks (daily data), fitted
    with Poisson loss and weight ``level``.  So one model serves series of any
    size, and forecasting never feeds predictions back in (no recursion).

    Parameters
    ----------
    info : FreqInfo
        The frequency (from :func:`jingwu.forecast._data.freq_info`).
    max_rows : int
        Training rows kept: forecast origins are thinned evenly to fit, or, for
        many series, (series, origin) pairs are sampled (``seed``), each with
        its whole horizon.
    input_size : int, optional
        Origins only from the last ``input_size`` periods.
    seed : int
        Random state of the booster and of the sampled training rows.
    n_threads : int
        OpenMP threads for fitting and predicting (default 1: fastest on a
        shared machine and identical output; raise it on a dedicated node).
    backend : {"sklearn", "lightgbm"}
        The booster: scikit-learn's ``HistGradientBoostingRegressor`` (model
        key ``gbm``) or LightGBM's ``LGBMRegressor`` (key ``lgbm``; needs the
        ``lightgbm`` package) with the same features, loss and tree sizes.
    **params
        Passed to the booster, in scikit-learn's names (``max_iter``,
        ``learning_rate``, ``max_leaf_nodes``, ``min_samples_leaf``,
        ``l2_regularization``; translated for LightGBM, other keys passed as is).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from jingwu.forecast._data import freq_info
    >>> rng = np.random.default_rng(0)
    >>> ds = pd.date_range("2023-01-01", periods=120)
    >>> d = pd.DataFrame({"unique_id": "a", "ds": ds, "y": rng.poisson(10 + 5 * (ds.dayofweek >= 5))})
    >>> fc = GlobalGBM(freq_info("D"), max_iter=20).fit_predict(d, h=7)
    >>> fc.shape, bool((fc["gbm"] > 0).all())
    ((7, 3), True)
    """

    def __init__(
        self,
        info: FreqInfo,
        *,
        max_rows: int = 200_000,
        input_size: int | None = None,
        seed: int = 0,
        n_threads: int = 1,
        backend: str = "sklearn",
        **params: Any,
    ) -> None:
        if backend not in ("sklearn", "lightgbm"):
            raise ValueError(f"backend must be 'sklearn' or 'lightgbm', not {backend!r}")
        self.backend = backend
        self.name = "gbm" if backend == "sklearn" else "lgbm"
        self.info = info
        if isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 1:
            raise ValueError(f"n_threads must be a positive integer, got {n_threads!r}")
        self.n_threads = int(n_threads)
        self.max_rows = int(max_rows)
        self.input_size = input_size
        self.seed = int(seed)
        self.params: dict[str, Any] = {
            "loss": "poisson",
            "learning_rate": 0.08,
            "max_iter": 250,
            "max_leaf_nodes": 31,
            "min_samples_leaf": 40,
            "l2_regularization": 1.0,
            "early_stopping": False,
        } | params

    def _features(
        self, Y: np.ndarray, cal: np.ndarray, sid: np.ndarray, o: np.ndarray, j: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Feature matrix and normalising level for rows (series sid, origin o, step j)."""
        short, base_w, mid, year = _windows(self.info)
        m = self.info.season
        n, T = Y.shape
        Z = np.nan_to_num(Y)
        C = np.concatenate([np.zeros((n, 1)), np.cumsum(Z, axis=1)], axis=1)
        K = np.concatenate([np.zeros((n, 1)), np.cumsum(~np.isnan(Y), axis=1)], axis=1)

        def mean_win(end: np.ndarray, w: int) -> np.ndarray:  # mean of Y[sid, end-w+1 .. end]
            e = end + 1
            s = np.clip(e - w, 0, None)
            e = np.clip(e, 0, T)
            cnt = K[sid, e] - K[sid, s]
            with np.errstate(invalid="ignore", divide="ignore"):
                return np.where(cnt > 0, (C[sid, e] - C[sid, s]) / cnt, np.nan)

        def at(t: np.ndarray) -> np.ndarray:
            ok = (t >= 0) & (t < T)
            out = np.full(t.shape, np.nan)
            out[ok] = Y[sid[ok], t[ok]]
            return out

        t = o + j
        base = mean_win(o, base_w)
        safe = np.where(base > 0, base, np.nan)
        cols = [
            j.astype(float),
            sid.astype(float),
            np.log1p(base),
            mean_win(o, short) / safe,
            mean_win(o, mid) / safe,
            mean_win(o, year) / safe,
        ]
        lag0 = m * np.ceil(j / m).astype(int)
        for r in range(4):
            cols.append(at(t - lag0 - r * m) / safe)
        ly = t - year
        half = 3 if self.info.kind == "D" else 0
        cols.append(np.where(ly + half <= o, mean_win(ly + half, 2 * half + 1), np.nan) / safe)
        cols.append(mean_win(o - year, base_w) / safe)
        X = np.column_stack(
            cols
            + [cal[np.clip(t, 0, cal.shape[0] - 1)], cal[np.clip(ly, 0, cal.shape[0] - 1)][:, self._ly_cols]]
        )
        return X, base

    def _training_rows(
        self, n_series: int, T: int, h: int, first: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Training rows (series, origin, step) for origins from ``first``, about ``max_rows`` of them.

        Few series: every series at the same origins, thinned evenly from the
        end.  When that grid would keep fewer than :data:`MIN_GRID_ORIGINS`
        origins (many series: e.g. beyond about 260 daily series of three
        years with ``h=28`` and the default ``max_rows``), (series, origin)
        pairs are drawn at random without replacement (``seed``) among the
        origins whose whole horizon lies in the training data, so every
        horizon step is trained, on target dates spread over the history.
        (The grid alone left one origin, the last, above ~7,100 such series:
        only step 1 was trained.)
        """
        origins = np.arange(first, T - 1)
        n_rows = n_series * len(origins) * h
        stride = max(1, math.ceil(n_rows / self.max_rows))
        if stride > 1 and stride % self.info.season == 0:
            stride += 1
        full = np.arange(first, T - h)  # origins with the whole horizon observed
        if stride > 1 and math.ceil(len(origins) / stride) < MIN_GRID_ORIGINS and len(full) > 0:
            n_pairs = min(n_series * len(full), max(1, self.max_rows // h))
            pick = np.sort(
                np.random.default_rng(self.seed).choice(n_series * len(full), n_pairs, replace=False)
            )
            sid_p, o_p = pick // len(full), full[pick % len(full)]
            return np.repeat(sid_p, h), np.repeat(o_p, h), np.tile(np.arange(1, h + 1), n_pairs)
        origins = origins[::-1][::stride][::-1]
        sid, o, j = (
            a.ravel() for a in np.meshgrid(np.arange(n_series), origins, np.arange(1, h + 1), indexing="ij")
        )
        keep = o + j < T
        return sid[keep], o[keep], j[keep]

    def fit_predict(self, train: pd.DataFrame, h: int) -> pd.DataFrame:
        """Fit on ``train`` (long ``unique_id, ds, y``) and forecast ``h`` steps past each series' end."""
        info = self.info
        ids = np.array(sorted(train["unique_id"].unique()))
        start, end = train["ds"].min(), train["ds"].max()
        grid = pd.date_range(start, end, freq=info.offset)
        future = pd.date_range(end, periods=h + 1, freq=info.offset)[1:]
        T = len(grid)
        Y = np.full((len(ids), T), np.nan)
        r = np.searchsorted(ids, train["unique_id"].to_numpy())
        c = grid.get_indexer(train["ds"])
        Y[r, c] = train["y"].to_numpy(dtype=float)
        calf = calendar_features(grid.append(future), info)
        cal = calf.to_numpy(dtype=float)
        self._ly_cols = [calf.columns.get_loc(c) for c in ("is_day_off", "sf_window")]
        first = 0 if self.input_size is None else max(0, T - int(self.input_size))
        sid, o, j = self._training_rows(len(ids), T, h, max(first, _windows(info)[1] - 1))
        yt = Y[sid, o + j]
        X, base = self._features(Y, cal, sid, o, j)
        ok = np.isfinite(yt) & np.isfinite(base) & (base > 0)
        n_cat = len(ids)
        cat = [1] if n_cat <= 255 else None
        if cat is None:
            X[:, 1] = 0.0
        empty = ~np.isfinite(X[ok]).any(axis=0)  # e.g. last-year features on short series
        X[:, empty] = 0.0
        model = self._booster(cat)
        # OpenMP threads oversubscribe a shared or busy machine (3.4x slower in profiling);
        # the histogram booster gives the same model with any thread count.
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            model.fit(X[ok], yt[ok] / base[ok], sample_weight=base[ok])
        # Forecast rows: origin = last observed date of each series.
        last = T - 1 - np.argmax(~np.isnan(Y[:, ::-1]), axis=1)
        sid_f = np.repeat(np.arange(len(ids)), h)
        o_f = np.repeat(last, h)
        j_f = np.tile(np.arange(1, h + 1), len(ids))
        Xf, base_f = self._features(Y, cal, sid_f, o_f, j_f)
        if cat is None:
            Xf[:, 1] = 0.0
        Xf[:, empty] = 0.0
        with threadpool_limits(limits=self.n_threads, user_api="openmp"):
            pred = model.predict(Xf) * np.nan_to_num(base_f)
        dates = grid.append(future)[o_f + j_f]
        return pd.DataFrame({"unique_id": ids[sid_f], "ds": dates, self.name: pred})

    def _booster(self, cat: list[int] | None) -> Any:
        """The unfitted booster of the chosen backend with ``self.params``."""
        if self.backend == "sklearn":
            from sklearn.ensemble import HistGradientBoostingRegressor

            return HistGradientBoostingRegressor(
                random_state=self.seed, categorical_features=cat, **self.params
            )
        try:
            import lightgbm as lgb
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError("model 'lgbm' needs LightGBM: `pip install jingwu[lightgbm]`") from None
        p = dict(self.params)
        names = {
            "max_iter": "n_estimators",
            "max_leaf_nodes": "num_leaves",
            "min_samples_leaf": "min_child_samples",
            "l2_regularization": "reg_lambda",
            "max_bins": "max_bin",
        }
        loss = p.pop("loss", "poisson")
        p.pop("early_stopping", None)
        p = {names.get(k, k): v for k, v in p.items()}
        # deterministic + row-wise histograms: the same model on every run and thread count
        return _LGBM(
            lgb.LGBMRegressor(
                objective=loss,
                random_state=self.seed,
                n_jobs=self.n_threads,
                deterministic=True,
                force_row_wise=True,
                verbose=-1,
                **p,
            ),
            cat,
        )


class _LGBM:
    """LightGBM regressor with the categorical columns given at fit time (sklearn's are given at init)."""

    def __init__(self, model: Any, cat: list[int] | None) -> None:
        self.model, self.cat = model, cat

    def fit(self, X: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> _LGBM:
        self.model.fit(X, y, sample_weight=sample_weight, categorical_feature=self.cat or "auto")
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        return self.model.predict(X)
