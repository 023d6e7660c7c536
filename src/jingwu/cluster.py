"""Cluster police stations by workload profile（派出所警务工作量聚类）.

Four steps, each a function that takes and returns tidy frames:

1. :func:`workload_features` turns daily demand (plus, where available, the
   station table, a monthly panel and incident records) into one row per
   station of interpretable features: volume (per officer, per 10,000
   residents), incident mix, weekly shape, seasonal amplitude, Spring Festival
   response, growth, fraud share, clearance, response time and night share.
   Every feature has a zh/en label and a one-line definition
   (:data:`FEATURES`, :func:`describe_features`).
2. :func:`select_k` compares numbers of clusters with silhouette,
   Calinski–Harabasz, Davies–Bouldin, the gap statistic and GMM BIC, and
   :func:`choose_k` applies a documented voting rule, with small-sample
   rules (no one-station clusters, at least three stations per cluster on
   average) so that a county's 15 stations are not split into singletons.
3. :func:`fit` clusters (k-means, Ward or a Gaussian mixture) and returns a
   :class:`ClusterResult` with centres in original units, standardised
   profiles, descriptive zh/en cluster names and plots.
4. :func:`stability` reports per-cluster bootstrap Jaccard similarities as
   R ``fpc::clusterboot`` does (Hennig 2007) and the distribution of the
   adjusted Rand index over bootstraps.

Every model is a scikit-learn :class:`~sklearn.pipeline.Pipeline`
(feature transform → scaler → block weights → model), seeded and
deterministic.

Preprocessing (:func:`make_pipeline`)
-------------------------------------
* compositional blocks (incident-mix shares, day-of-week shares) are centred
  log-ratio (CLR) transformed (Aitchison 1986) before distances are taken;
* volumes are log-transformed and the Spring Festival ratio is logged;
* every column is standardised (mean 0, s.d. 1);
* with ``block_weights=True`` (off by default: on M city it lets the two
  scalar holiday/season features dominate and hides the three urban types)
  every column of a block of ``m``
  columns is multiplied by ``1/sqrt(m)``, so the seven mix shares count as
  much as one scalar feature such as seasonal amplitude (each *block* gets
  equal weight in squared Euclidean distance).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from jingwu import cluster
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame(np.r_[rng.normal(0, .3, (10, 2)), rng.normal(5, .3, (10, 2))],
...                  columns=["a", "b"])
>>> res = cluster.fit(X, k=2)
>>> res.labels.value_counts().tolist()
[10, 10]
"""
from __future__ import annotations

import functools
import heapq
import os
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence, TypeVar

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import (
    adjusted_rand_score,
    calinski_harabasz_score,
    davies_bouldin_score,
    silhouette_score,
)
from sklearn.mixture import GaussianMixture
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from . import paths, schema
from .calendar import lunar_new_year
from .errors import DataError

__all__ = [
    "CLUSTER_TABLE",
    "station_clusters",
    "FEATURES",
    "METHODS",
    "describe_features",
    "OUTCOME_FEATURES",
    "workload_columns",
    "workload_features",
    "CLRTransform",
    "FeatureTransform",
    "BlockWeights",
    "make_pipeline",
    "select_k",
    "choose_k",
    "plot_select_k",
    "gap_statistic",
    "fit",
    "ClusterResult",
    "stability",
    "StabilityResult",
    "clusterboot_jaccard",
]

#: Clustering methods understood by :func:`make_pipeline`.
METHODS: tuple[str, ...] = ("kmeans", "ward", "gmm")

_DOW = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOW_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_DOW_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _feature_table() -> dict[str, dict[str, str]]:
    """Build :data:`FEATURES` (name -> label, short name, definition, block, transform)."""
    f: dict[str, dict[str, str]] = {
        "annual_incidents": dict(
            zh="年均警情数", en="Incidents a year", short_zh="警情量", short_en="volume",
            block="volume", transform="log", unit="incidents/year",
            definition="Mean annual incidents (all categories) over the full years in the data."),
        "incidents_per_officer": dict(
            zh="人均警情(民警)", en="Incidents per officer", short_zh="人均警情", short_en="load per officer",
            block="volume", transform="log", unit="incidents/officer/year",
            definition="Mean annual incidents divided by the number of officers (民警)."),
        "incidents_per_10k": dict(
            zh="每万人警情", en="Incidents per 10,000 residents", short_zh="万人警情",
            short_en="incidents per resident", block="volume", transform="log",
            unit="incidents/10k residents/year",
            definition="Mean annual incidents per 10,000 residents of the station's area."),
    }
    for c in schema.CATEGORIES:
        lab = schema.CATEGORY_LABELS[c]
        f[f"mix_{c}"] = dict(
            zh=f"{lab['zh']}占比", en=f"{lab['en']} share", short_zh=lab["zh"],
            short_en=lab["en"].lower(), block="mix", transform="clr", unit="share",
            definition=f"Share of {lab['en'].lower()} incidents in all incidents "
                       "(compositional; CLR-transformed before distances).")
    for d, zh, en in zip(_DOW, _DOW_ZH, _DOW_EN):
        f[f"dow_{d}"] = dict(
            zh=f"{zh}占比", en=f"{en} share", short_zh=f"{zh}警情", short_en=f"{en} demand",
            block="weekly", transform="clr", unit="share",
            definition=f"Share of the week's incidents that fall on a {en} "
                       "(holiday weeks excluded; CLR-transformed before distances).")
    f.update({
        "seasonal_amplitude": dict(
            zh="季节振幅", en="Seasonal amplitude", short_zh="季节波动", short_en="seasonality",
            block="seasonal_amplitude", transform="none", unit="relative",
            definition="Amplitude of the first yearly harmonic of daily demand relative to the "
                       "station-year mean (0.1 = ±10 %), holidays excluded."),
        "spring_festival": dict(
            zh="春节响应", en="Spring Festival response", short_zh="春节警情",
            short_en="Spring Festival demand", block="spring_festival", transform="log",
            unit="ratio",
            definition="Mean daily demand in the Spring Festival week (lunar new year −1 to +6 "
                       "days) divided by the 3 weeks before and after it; averaged over years."),
        "growth": dict(
            zh="年增长率", en="Annual growth", short_zh="增长", short_en="growth",
            block="growth", transform="none", unit="per year",
            definition="Annual growth of incidents: exp(slope) − 1 of log annual totals on year."),
        "fraud_share": dict(
            zh="电诈占比(近一年)", en="Fraud share (last year)", short_zh="电诈",
            short_en="fraud", block="fraud_share", transform="none", unit="share",
            definition="Share of telecom-fraud incidents in the last 365 days of data."),
        "clearance_rate": dict(
            zh="破案率", en="Clearance rate", short_zh="破案率", short_en="clearance",
            block="clearance_rate", transform="none", unit="share",
            definition="Cleared cases divided by cases, summed over the panel."),
        "response_minutes": dict(
            zh="平均到场时间", en="Response time", short_zh="到场时间", short_en="response time",
            block="response_minutes", transform="none", unit="minutes",
            definition="Mean of the monthly mean response times (minutes) in the panel."),
        "night_share": dict(
            zh="夜间警情占比", en="Night share", short_zh="夜间警情", short_en="night demand",
            block="night_share", transform="none", unit="share",
            definition="Share of incident records reported between 22:00 and 06:00."),
    })
    return f


#: Every workload feature: zh/en label, short zh/en name (for cluster names),
#: block (features clustered together and weighted as one), transform applied
#: before distances (``clr``, ``log`` or ``none``), unit and a one-line definition.
FEATURES: dict[str, dict[str, str]] = _feature_table()


#: Features that are outcomes of policing rather than demand (notebook 03 studies
#: them): describe clusters with them, but cluster on :func:`workload_columns`.
OUTCOME_FEATURES: tuple[str, ...] = ("clearance_rate", "response_minutes")


def workload_columns(features: pd.DataFrame) -> list[str]:
    """Columns of ``features`` that describe demand, i.e. all but :data:`OUTCOME_FEATURES`.

    Examples
    --------
    >>> workload_columns(pd.DataFrame(columns=["growth", "clearance_rate"]))
    ['growth']
    """
    return [c for c in features.columns if c not in OUTCOME_FEATURES]


def describe_features(columns: Sequence[str] | None = None, lang: str = "en") -> pd.DataFrame:
    """The feature dictionary as a table (for notebooks and papers).

    Parameters
    ----------
    columns : sequence of str, optional
        Only these features (e.g. ``features.columns``); unknown names are
        listed with empty labels.  Default: all.
    lang : {"en", "zh"}
        Language of the ``label`` column (both ``label_zh`` and ``label_en`` are
        always present).

    Returns
    -------
    DataFrame
        ``feature``, ``label``, ``label_zh``, ``label_en``, ``block``,
        ``transform``, ``unit``, ``definition``.

    Examples
    --------
    >>> describe_features(["fraud_share"]).loc[0, ["label_zh", "block"]].tolist()
    ['电诈占比(近一年)', 'fraud_share']
    """
    if lang not in ("zh", "en"):
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    names = list(FEATURES) if columns is None else [str(c) for c in columns]
    rows = []
    for n in names:
        spec = FEATURES.get(n, {})
        rows.append({
            "feature": n, "label": spec.get(lang, n), "label_zh": spec.get("zh", n),
            "label_en": spec.get("en", n), "block": spec.get("block", n),
            "transform": spec.get("transform", "none"), "unit": spec.get("unit", ""),
            "definition": spec.get("definition", ""),
        })
    return pd.DataFrame(rows)


_F = TypeVar("_F", bound=Callable[..., Any])


def _single_threaded(func: _F) -> _F:
    """Run with one BLAS/OpenMP thread: tens of stations gain nothing from
    threads, and on a busy machine thread start-up makes k-means ~20× slower."""
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with threadpool_limits(limits=1):
            return func(*args, **kwargs)
    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------- features

#: Rows of demand handled at a time: the per-row work arrays stay small
#: (tens of MB) however long the table is.
_CHUNK_ROWS = 2_000_000
#: Stations per block in the seasonal regression (same numbers, bounded memory).
_CHUNK_STATIONS = 4096
_SHOWN = 5


def _check_demand(demand: pd.DataFrame) -> None:
    if not isinstance(demand, pd.DataFrame):
        raise TypeError("demand must be a DataFrame with station_id, date, category, count")
    missing = [c for c in ("station_id", "date", "category", "count") if c not in demand.columns]
    if missing:
        raise DataError("demand lacks required columns", file="demand", column=missing,
                        expected="station_id, date, category, count")
    if len(demand) == 0:
        raise DataError("demand is empty", file="demand", expected="at least one row")


def _demand_dates(demand: pd.DataFrame) -> np.ndarray:
    """The ``date`` column as datetime64[ns] day starts; unusable dates are a DataError naming the stations."""
    col = demand["date"]
    if isinstance(col.dtype, pd.DatetimeTZDtype):
        col = col.dt.tz_localize(None)
    if not pd.api.types.is_datetime64_dtype(col.dtype):
        col = pd.to_datetime(col, errors="coerce")
    values = col.to_numpy(dtype="datetime64[ns]")
    bad = np.isnat(values)
    if bad.any():
        raise DataError(f"{int(bad.sum())} row(s) with a missing or unreadable date", file="demand",
                        column="date", rows=[str(s) for s in demand["station_id"].to_numpy()[bad][:_SHOWN]],
                        expected="calendar days (rows named by station id)")
    return values


def _bad_counts(part: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Counts as floats and a mask of text, missing, infinite or negative ones."""
    if pd.api.types.is_numeric_dtype(part.dtype) and not pd.api.types.is_bool_dtype(part.dtype):
        w = part.to_numpy(dtype=float, na_value=np.nan)
        text = np.zeros(len(w), dtype=bool)
    else:
        raw = part.to_numpy(dtype=object)
        text = np.array([isinstance(v, (str, bytes, bool, np.bool_)) for v in raw], dtype=bool)
        w = pd.to_numeric(pd.Series(np.where(text, np.nan, raw)), errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = text | ~np.isfinite(w) | (w < 0)
    return w, bad


def _codes(values: pd.Series, uniques: pd.Index) -> np.ndarray:
    """Positions of ``values`` in ``uniques`` (categoricals through their small category table)."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        lut = uniques.get_indexer(values.cat.categories)
        codes = values.cat.codes.to_numpy()
        return lut[codes]
    return uniques.get_indexer(values)


def _sorted_uniques(values: pd.Series) -> pd.Index:
    """Distinct values (missing ones left out) in the order ``groupby(sort=True)`` gives them."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = np.unique(values.cat.codes.to_numpy())
        return pd.Index(values.cat.categories[used[used >= 0]])
    return pd.Index(pd.unique(values)).dropna().sort_values()


@dataclass
class _DemandTotals:
    """Daily demand reduced to what the features need, in one pass over the rows."""

    matrix: pd.DataFrame          # station × day totals (missing days 0)
    by_category: pd.DataFrame     # station × category totals
    last_year: pd.DataFrame       # the same over the last 365 days
    categories: list[str]         # categories present (as text)


def _demand_totals(demand: pd.DataFrame, lo: pd.Timestamp | None, hi: pd.Timestamp | None) -> _DemandTotals:
    """Accumulate station × day and station × category totals chunk by chunk.

    Refuses text, missing, infinite and negative counts (naming the stations
    and dates), and stations or dates it cannot place.  Only rows inside
    ``[lo, hi]`` count.  Integer counts are summed exactly, so the totals equal
    those of a pandas group-by.
    """
    dates = _demand_dates(demand)
    idays = dates.view("i8")
    keep = np.ones(len(dates), dtype=bool)
    if lo is not None:
        keep &= dates >= np.datetime64(lo, "ns")
    if hi is not None:
        keep &= dates <= np.datetime64(hi, "ns")
    if not keep.any():
        raise DataError("no demand in the requested window", file="demand", column="date",
                        expected=f"dates between {(lo or dates.min())} and {(hi or dates.max())}")
    day = np.int64(86_400 * 10**9)
    first = idays.min(where=keep, initial=np.iinfo(np.int64).max)
    last = idays.max(where=keep, initial=np.iinfo(np.int64).min)
    n_days = int((last - first) // day) + 1
    recent_from = int((last - first) // day) - 364          # old rule: date > max − 365 days
    stations = _sorted_uniques(demand["station_id"])
    cats = pd.Index(pd.unique(demand["category"])).dropna()
    n_s, n_c = len(stations), len(cats)
    mat = np.zeros(n_s * n_days)
    by_cat = np.zeros(n_s * n_c)
    by_cat_last = np.zeros(n_s * n_c)
    seen_s = np.zeros(n_s, dtype=bool)
    seen_c = np.zeros(n_c, dtype=bool)
    bad_rows: list[np.ndarray] = []
    timed: list[np.ndarray] = []
    no_id: dict[str, list[np.ndarray]] = {"station_id": [], "category": []}
    for start in range(0, len(demand), _CHUNK_ROWS):
        part = demand.iloc[start:start + _CHUNK_ROWS]
        k = keep[start:start + _CHUNK_ROWS]
        w, bad = _bad_counts(part["count"])
        i = idays[start:start + _CHUNK_ROWS]
        clock = (i % day) != 0
        s, c = _codes(part["station_id"], stations), _codes(part["category"], cats)
        if bad.any() or clock.any() or (s < 0).any() or (c < 0).any():   # −1: a missing id
            bad_rows.append(start + np.flatnonzero(bad))
            timed.append(start + np.flatnonzero(clock))
            no_id["station_id"].append(start + np.flatnonzero(s < 0))
            no_id["category"].append(start + np.flatnonzero(c < 0))
            continue
        s, c = s[k], c[k]
        t = (i[k] - first) // day
        w = w[k]
        # only the block of station rows this chunk touches (demand is usually sorted by station)
        lo_s, hi_s = (int(s.min()), int(s.max()) + 1) if len(s) else (0, 0)
        mat[lo_s * n_days:hi_s * n_days] += np.bincount((s - lo_s) * n_days + t, weights=w,
                                                       minlength=(hi_s - lo_s) * n_days)
        by_cat += np.bincount(s * n_c + c, weights=w, minlength=n_s * n_c)
        r = t >= recent_from
        by_cat_last += np.bincount(s[r] * n_c + c[r], weights=w[r], minlength=n_s * n_c)
        seen_s[s] = True
        seen_c[c] = True
    for col, found in no_id.items():
        rows = np.concatenate(found) if found else np.array([], dtype=int)
        if len(rows):
            raise DataError(f"{len(rows)} row(s) without a {col}", file="demand", column=col,
                            rows=[f"row {i}" for i in demand.index[rows[:_SHOWN]]],
                            expected=f"a {col} on every row")
    for found, column, problem, expected in (
            (bad_rows, "count", "a text, missing, infinite or negative count",
             "incident counts: numbers >= 0 (rows named by station id and date)"),
            (timed, "date", "a time of day in the date (daily demand has one row per day)",
             "calendar days at midnight (rows named by station id and date)")):
        rows = np.concatenate(found) if found else np.array([], dtype=int)
        if len(rows):
            ids = demand["station_id"].to_numpy()[rows[:_SHOWN]]
            shown = [f"{sid} {pd.Timestamp(dd).date()}" for sid, dd in zip(ids, dates[rows[:_SHOWN]])]
            raise DataError(f"{len(rows)} row(s) with {problem}", file="demand", column=column,
                            rows=shown, expected=expected)
    names = pd.Index(stations[seen_s].astype(str), name="station_id")
    days = pd.date_range(pd.Timestamp(first), periods=n_days, freq="D")
    cat_names = [str(x) for x in cats[seen_c]]
    return _DemandTotals(
        # a boolean index would copy the whole matrix: only stations outside the window need it
        matrix=pd.DataFrame(mat.reshape(n_s, n_days) if seen_s.all() else mat.reshape(n_s, n_days)[seen_s],
                            index=names, columns=days, copy=False),
        by_category=pd.DataFrame(by_cat.reshape(n_s, n_c)[seen_s][:, seen_c], index=names, columns=cat_names),
        last_year=pd.DataFrame(by_cat_last.reshape(n_s, n_c)[seen_s][:, seen_c], index=names, columns=cat_names),
        categories=cat_names,
    )


def _holiday_mask(dates: pd.DatetimeIndex) -> np.ndarray:
    """Days near the Spring Festival (−7..+15) or in the Golden Week (1–7 Oct)."""
    mask = (dates.month == 10) & (dates.day <= 7)
    for y in range(dates.year.min() - 1, dates.year.max() + 2):
        lny = pd.Timestamp(lunar_new_year(y))
        off = (dates - lny).days
        mask |= (off >= -7) & (off <= 15)
    return np.asarray(mask)


def _full_years(dates: pd.DatetimeIndex) -> list[int]:
    counts = pd.Series(1, index=dates).groupby(dates.year).sum()
    return [int(y) for y, n in counts.items() if n >= 365]


def _seasonal_amplitude(mat: pd.DataFrame, ordinary: np.ndarray) -> np.ndarray:
    """First-harmonic amplitude of demand relative to the station-year mean.

    Fitted for blocks of :data:`_CHUNK_STATIONS` stations at a time, so the
    working copies stay small for a national table.
    """
    dates = mat.columns
    t = 2 * np.pi * dates.dayofyear.to_numpy() / 365.25
    X = np.column_stack([np.ones(len(dates)), np.cos(t), np.sin(t)])[ordinary]
    years = dates.year.to_numpy()
    out = np.full(len(mat), np.nan)
    values = mat.to_numpy()
    for lo in range(0, len(mat), _CHUNK_STATIONS):
        vals = values[lo:lo + _CHUNK_STATIONS]
        rel = np.empty_like(vals)
        for y in np.unique(years):
            cols = years == y
            m = vals[:, cols & ordinary].mean(axis=1, keepdims=True)
            rel[:, cols] = vals[:, cols] / np.where(m > 0, m, np.nan)
        Y = rel[:, ordinary].T
        del rel
        ok = np.isfinite(Y).all(axis=0)
        if ok.any():
            beta, *_ = np.linalg.lstsq(X, Y[:, ok], rcond=None)
            out[lo:lo + _CHUNK_STATIONS][ok] = np.hypot(beta[1], beta[2])
    return out


def _annual_totals(mat: pd.DataFrame, years: Sequence[int]) -> np.ndarray:
    """Station × year totals for ``years`` (contiguous column slices: no copies of the matrix)."""
    y = mat.columns.year.to_numpy()
    vals = mat.to_numpy()
    cols = []
    for year in years:
        lo, hi = np.searchsorted(y, year, side="left"), np.searchsorted(y, year, side="right")
        cols.append(vals[:, lo:hi].sum(axis=1))
    return np.column_stack(cols) if cols else np.empty((len(mat), 0))


def _spring_festival(mat: pd.DataFrame) -> np.ndarray:
    """Mean daily demand in the Spring Festival week / 3 weeks either side."""
    dates = mat.columns
    vals = mat.to_numpy()
    ratios = []
    for y in range(dates.year.min(), dates.year.max() + 1):
        lny = pd.Timestamp(lunar_new_year(y))
        off = np.asarray((dates - lny).days)
        if off.min() > -22 or off.max() < 27:
            continue  # the reference weeks are not all in the data
        week = (off >= -1) & (off <= 6)
        ref = ((off >= -22) & (off <= -2)) | ((off >= 7) & (off <= 27))
        r = vals[:, ref].mean(axis=1)
        ratios.append(np.log(vals[:, week].mean(axis=1) / np.where(r > 0, r, np.nan)))
    if not ratios:
        return np.full(len(mat), np.nan)
    with np.errstate(invalid="ignore"):
        return np.exp(np.nanmean(np.vstack(ratios), axis=0))


def _growth(mat: pd.DataFrame) -> np.ndarray:
    dates = mat.columns
    years = _full_years(dates)
    if len(years) < 2:
        return np.full(len(mat), np.nan)
    annual = _annual_totals(mat, years)
    with np.errstate(divide="ignore"):
        logy = np.log(annual)
    x = np.asarray(years, float) - np.mean(years)
    out = np.full(len(mat), np.nan)
    ok = np.isfinite(logy).all(axis=1)
    slope = (logy[ok] - logy[ok].mean(axis=1, keepdims=True)) @ x / (x @ x)
    out[ok] = np.expm1(slope)
    return out


def _near_matches(missing: Sequence[object], available: Sequence[object], limit: int = 3) -> list[str]:
    """Suggestions for ids that differ only by a prefix or suffix (never applied).

    Station names from different exports often differ by the bureau's name
    ("Y市公安局城关派出所" vs "城关派出所"): a common prefix of the unmatched ids
    that, removed, matches the other table is named, and otherwise single
    pairs where one id ends or starts with the other.

    Examples
    --------
    >>> _near_matches(["Y市公安局城关派出所", "Y市公安局东关派出所"], ["城关派出所", "东关派出所"])
    ["remove the common prefix 'Y市公安局' (2 then match)"]
    >>> _near_matches(["城关所"], ["城关所(新)", "东关所"])
    ["'城关所' -> '城关所(新)'"]
    """
    miss, avail = [str(m) for m in missing], [str(a) for a in available]
    if not miss or not avail:
        return []
    out = []
    for side, keys, other in (("prefix", miss, set(avail)), ("prefix", avail, set(miss))):
        common = os.path.commonprefix(keys) if len(keys) > 1 else ""
        hits = sum(k[len(common):] in other for k in keys) if len(common) >= 2 else 0
        if hits:
            out.append(f"remove the common {side} '{common}' ({hits} then match)")
    if out:
        return out[:limit]
    for m in miss:
        hits = [a for a in avail if min(len(a), len(m)) >= 2
                and (m.endswith(a) or a.endswith(m) or m.startswith(a) or a.startswith(m))]
        if len(hits) == 1:
            out.append(f"'{m}' -> '{hits[0]}'")
        if len(out) >= limit:
            break
    return out


def _report_join(stations: pd.Index, other: pd.Index, table: str, feature: str) -> None:
    """Station ids of ``demand`` against another table: no station may silently lose a feature.

    Demand stations missing from ``table`` are a DataError (their ``feature``
    could not be computed); stations of ``table`` without demand are left
    out with a warning naming how many and which.  Near-matching ids are
    suggested, never matched automatically.
    """
    missing = stations.difference(other, sort=False)
    extra = other.difference(stations, sort=False)
    hint = _near_matches(list(missing), list(extra))
    hint_text = f" (near matches, not applied: {'; '.join(hint)})" if hint else ""
    if len(missing):
        raise DataError(f"{len(missing)} of {len(stations)} demand stations are not in {table}, so their "
                        f"{feature} cannot be computed", file=table, column="station_id",
                        rows=[str(m) for m in missing],
                        expected=f"every demand station in {table}{hint_text}")
    if len(extra):
        shown = ", ".join(str(e) for e in list(extra)[:_SHOWN]) + (" ..." if len(extra) > _SHOWN else "")
        warnings.warn(f"{table}: {len(extra)} station(s) without demand rows are left out of the "
                      f"features: {shown}", UserWarning, stacklevel=3)


def _per_station_volumes(stations: pd.DataFrame, index: pd.Index, annual: np.ndarray) -> dict[str, np.ndarray]:
    """Incidents per officer and per 10,000 residents, from the station table.

    A column that is absent or empty is left out (the feature is not
    computed); a station that is missing from the table, listed twice with
    different values, or has a missing, text, zero or negative value is a
    DataError naming the stations.
    """
    if "station_id" not in stations.columns:
        raise DataError("stations lacks station_id", file="stations", column="station_id",
                        expected="a station_id column")
    wanted = [(col, name, scale) for col, name, scale in (("officers", "incidents_per_officer", 1.0),
                                                         ("population", "incidents_per_10k", 1e4))
              if col in stations.columns and stations[col].notna().any()]
    if not wanted:
        return {}
    ids = stations["station_id"].astype(str)
    _report_join(index, pd.Index(ids.unique()), "stations", "incidents per officer and per resident")
    st = stations.assign(station_id=ids)
    out = {}
    for col, name, scale in wanted:
        clash = st.drop_duplicates(["station_id", col]).duplicated("station_id", keep=False)
        if clash.any():
            raise DataError(f"stations listed twice with different {col}", file="stations", column=col,
                            rows=sorted(set(st.loc[clash, "station_id"])), expected="one value per station")
        raw = st.drop_duplicates("station_id").set_index("station_id")[col].reindex(index)
        text = raw.map(lambda v: isinstance(v, (str, bytes, bool))).to_numpy(dtype=bool)
        den = pd.to_numeric(raw.where(~text), errors="coerce").astype(float)
        bad = text | ~np.isfinite(den.to_numpy()) | (den.to_numpy() <= 0)
        if bad.any():
            raise DataError(f"{int(bad.sum())} station(s) with a missing, text, zero or negative {col}",
                            file="stations", column=col, rows=list(index[bad]),
                            expected=f"{col} > 0 for every station")
        out[name] = annual / den.to_numpy() * scale
    return out


def workload_features(
    demand: pd.DataFrame,
    stations: pd.DataFrame | None = None,
    incidents: pd.DataFrame | None = None,
    panel: pd.DataFrame | None = None,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """One row of workload features per station.

    Features that the inputs cannot support are left out (not filled):
    per-officer and per-resident volume need ``officers`` / ``population`` in
    ``stations``; the incident mix and fraud share need more than one category
    (Chicago's ``"all"`` has none); clearance and response time need a panel
    with ``cases``/``cleared`` and ``response_minutes``; night share needs
    incident records with ``reported_at``; growth needs two full years and the
    Spring Festival response needs a lunar new year with three weeks of data on
    both sides.  See :data:`FEATURES` for every definition.

    Parameters
    ----------
    demand : DataFrame
        Daily demand: ``station_id``, ``date``, ``category``, ``count``.
    stations : DataFrame, optional
        Station table with ``officers`` and/or ``population``.
    incidents : DataFrame, optional
        Incident records with ``station_id`` and ``reported_at``.
    panel : DataFrame, optional
        Monthly panel with ``cases``, ``cleared``, ``response_minutes``.
    start, end : date-like, optional
        Restrict demand, incidents and panel to this window (inclusive).

    Returns
    -------
    DataFrame
        Indexed by ``station_id`` (sorted), one column per feature.  The inputs
        are not modified.

    Raises
    ------
    DataError
        Text, missing, infinite or negative counts, unreadable dates or dates
        with a time of day, rows without a station or category (the first
        rows are named by station id and date); demand stations missing from
        ``stations``, ``panel`` or ``incidents`` when a feature needs that
        table, or with a missing, text, zero or negative ``officers`` /
        ``population`` (the stations are named and ids that differ only by a
        prefix or suffix, such as the bureau's name, are suggested -- never
        matched automatically).  Stations of those tables without demand are
        left out with a warning that names them.

    Notes
    -----
    Demand is read in chunks of :data:`_CHUNK_ROWS` rows into station × day
    and station × category totals, so memory grows with stations × days, not
    with the rows of the table (5,000 stations × 3 years × 7 categories, 38
    million rows: 0.36 GB on top of the input; see ``benchmarks/``).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"station_id": ["A"] * 14, "category": "all", "count": [1] * 7 + [3] * 7,
    ...                   "date": pd.date_range("2024-03-04", periods=14)})
    >>> f = workload_features(d)
    >>> round(float(f.loc["A", "dow_mon"]), 4), "mix_fraud" in f.columns
    (0.1429, False)
    """
    _check_demand(demand)
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    totals = _demand_totals(demand, lo, hi)
    mat = totals.matrix
    dates = mat.columns
    n_days = len(dates)
    out = pd.DataFrame(index=mat.index.copy())

    # Volume: mean annual incidents (full years, or scaled to a year).
    years = _full_years(dates)
    if years:
        annual = np.mean(list(_annual_totals(mat, years).T), axis=0)
    else:
        annual = mat.sum(axis=1).to_numpy() * 365.25 / n_days
    out["annual_incidents"] = annual
    if stations is not None:
        for name, values in _per_station_volumes(stations, out.index, annual).items():
            out[name] = values

    # Incident mix (compositional shares), when there is more than one category.
    cats = [c for c in totals.categories if c != "all"]
    if len(cats) > 1:
        by_cat = totals.by_category
        order = [c for c in schema.CATEGORIES if c in by_cat.columns] + \
                sorted(c for c in by_cat.columns if c not in schema.CATEGORIES and c != "all")
        by_cat = by_cat.reindex(columns=order, fill_value=0)
        shares = by_cat.div(by_cat.sum(axis=1).where(lambda s: s > 0), axis=0)
        for c in order:
            out[f"mix_{c}"] = shares[c].to_numpy()

    # Weekly profile: day-of-week shares, holidays excluded.
    ordinary = ~_holiday_mask(dates)
    dow = dates.dayofweek.to_numpy()
    per_dow = np.column_stack([mat.to_numpy()[:, ordinary & (dow == k)].mean(axis=1) for k in range(7)])
    tot = per_dow.sum(axis=1, keepdims=True)
    per_dow = per_dow / np.where(tot > 0, tot, np.nan)
    for k, name in enumerate(_DOW):
        out[f"dow_{name}"] = per_dow[:, k]

    if n_days >= 365:
        out["seasonal_amplitude"] = _seasonal_amplitude(mat, ordinary)
    sf = _spring_festival(mat)
    if np.isfinite(sf).any():
        out["spring_festival"] = sf
    gr = _growth(mat)
    if np.isfinite(gr).any():
        out["growth"] = gr

    if "fraud" in cats:
        last = totals.last_year
        with np.errstate(invalid="ignore", divide="ignore"):
            out["fraud_share"] = (last["fraud"] / last.sum(axis=1).where(lambda v: v > 0)).to_numpy()

    if panel is not None:
        p = panel
        if "station_id" not in p.columns:
            raise DataError("panel lacks station_id", file="panel", column="station_id",
                            expected="a station_id column")
        if "month" in p.columns and (start is not None or end is not None):
            mon = p["month"].dt.to_timestamp() if hasattr(p["month"], "dt") and \
                isinstance(p["month"].dtype, pd.PeriodDtype) else pd.to_datetime(p["month"])
            p = p[(mon >= dates.min().to_period("M").to_timestamp()) & (mon <= dates.max())]
        ids = p["station_id"].astype(str)
        if ({"cases", "cleared"} <= set(p.columns) and p["cases"].notna().any()) or \
                ("response_minutes" in p.columns and p["response_minutes"].notna().any()):
            _report_join(out.index, pd.Index(ids.unique()), "panel", "clearance and response time")
        if {"cases", "cleared"} <= set(p.columns) and p["cases"].notna().any():
            g = p[["cases", "cleared"]].astype(float).groupby(ids).sum(min_count=1)
            out["clearance_rate"] = (g["cleared"] / g["cases"].where(g["cases"] > 0)).reindex(out.index).to_numpy()
        if "response_minutes" in p.columns and p["response_minutes"].notna().any():
            out["response_minutes"] = (p["response_minutes"].astype(float).groupby(ids).mean()
                                       .reindex(out.index).to_numpy())

    if incidents is not None:
        if not {"station_id", "reported_at"} <= set(incidents.columns):
            raise DataError("incidents lack station_id/reported_at", file="incidents",
                            column=["station_id", "reported_at"], expected="both columns")
        inc = incidents
        if start is not None or end is not None:
            day = inc["reported_at"].dt.normalize()
            inc = inc[(day >= dates.min()) & (day <= dates.max())]
        _report_join(out.index, pd.Index(inc["station_id"].astype(str).unique()), "incidents", "night share")
        hour = inc["reported_at"].dt.hour
        night = ((hour >= 22) | (hour < 6)).groupby(inc["station_id"].astype(str)).mean()
        out["night_share"] = night.reindex(out.index).to_numpy()

    return out.astype(float)


# --------------------------------------------------------------------------- pipeline

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

    def fit(self, X: Any, y: Any = None) -> "CLRTransform":
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

    def fit(self, X: Any, y: Any = None) -> "FeatureTransform":
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

    def fit(self, X: Any, y: Any = None) -> "BlockWeights":
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
        return GaussianMixture(n_components=k, covariance_type="diag", n_init=5,
                               reg_covar=1e-3, random_state=seed)
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
    return Pipeline([
        ("transform", FeatureTransform()),
        ("scale", StandardScaler()),
        ("weight", BlockWeights(blocks=blocks)),
        ("model", _model(method, int(k), seed)),
    ])


def _check_features(features: pd.DataFrame, min_rows: int = 3) -> pd.DataFrame:
    if not isinstance(features, pd.DataFrame):
        raise TypeError("features must be a DataFrame (e.g. from workload_features)")
    if features.shape[1] == 0 or len(features) < min_rows:
        raise DataError(f"need at least {min_rows} stations and one feature", file="features",
                        expected=f">= {min_rows} rows, >= 1 column")
    x = features.to_numpy(dtype=float)
    bad = ~np.isfinite(x)
    if bad.any():
        rows = [str(features.index[i]) for i in np.unique(np.nonzero(bad)[0])]
        cols = [str(features.columns[j]) for j in np.unique(np.nonzero(bad)[1])]
        raise DataError("missing or infinite feature values", file="features", column=cols,
                        rows=rows, expected="finite values (drop the feature or the station)")
    const = [str(c) for c in features.columns if np.ptp(features[c].to_numpy(float)) == 0]
    if len(const) == features.shape[1]:
        raise DataError("every feature is constant", file="features", column=const,
                        expected="at least one varying feature")
    return features


def _transformed(pipe: Pipeline, features: pd.DataFrame) -> np.ndarray:
    return pipe[:-1].fit_transform(features)


def _fit_labels(pipe: Pipeline, features: pd.DataFrame) -> np.ndarray:
    return np.asarray(pipe.fit_predict(features) if hasattr(pipe[-1], "fit_predict")
                      else pipe.fit(features).predict(features))


# --------------------------------------------------------------------------- choosing k

def _wss(x: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(((x[labels == g] - x[labels == g].mean(axis=0)) ** 2).sum()
                     for g in np.unique(labels)))


def _cluster_matrix(x: np.ndarray, k: int, method: str, seed: int) -> np.ndarray:
    if k == 1:
        return np.zeros(len(x), dtype=int)
    model = _model(method, k, seed)
    return np.asarray(model.fit_predict(x))


def _ward_partitions(x: np.ndarray, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Ward labels of ``x`` for each k of ``ks``, cut from one tree.

    scikit-learn's ``AgglomerativeClustering(linkage="ward")`` builds the full
    SciPy Ward tree and cuts it by undoing the last ``k − 1`` merges
    (``_hc_cut``); the same cut, numbered the same way, is made here for
    every k from a single tree, so the labels (and every criterion computed
    from them, to the last bit) equal a fresh fit at each k.
    """
    from scipy.cluster.hierarchy import ward

    n = len(x)
    out: dict[int, np.ndarray] = {}
    if n == 1:
        return {int(k): np.zeros(1, dtype=int) for k in ks if int(k) == 1}
    children = ward(np.require(x, dtype=float, requirements="W"))[:, :2].astype(np.intp)
    for k in sorted({int(k) for k in ks if 1 <= int(k) <= n}):
        nodes = [-(int(children[-1].max()) + 1)]
        for _ in range(k - 1):
            a, b = children[-nodes[0] - n]
            heapq.heappush(nodes, -int(a))
            heapq.heappushpop(nodes, -int(b))
        labels = np.zeros(n, dtype=np.intp)
        for i, node in enumerate(nodes):
            stack = [-node]
            while stack:
                v = stack.pop()
                if v < n:
                    labels[v] = i
                else:
                    stack.extend(children[v - n])
        out[k] = labels
    return out


def _partitions(x: np.ndarray, ks: Sequence[int], method: str, seed: int) -> dict[int, np.ndarray]:
    """Labels for every k: one Ward tree cut at each k, or one model fit per k."""
    if method == "ward":
        return _ward_partitions(x, ks)
    return {int(k): _cluster_matrix(x, int(k), method, seed) for k in ks}


@_single_threaded
def gap_statistic(
    x: np.ndarray,
    k_max: int,
    *,
    method: str = "kmeans",
    n_ref: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Gap statistic of Tibshirani, Walther & Hastie (2001), k = 1..k_max.

    ``Gap(k) = mean_b log W*_kb − log W_k`` where ``W`` is the pooled
    within-cluster sum of squares and the ``n_ref`` reference data sets are
    drawn uniformly over the box aligned with the principal components of
    ``x`` (their reference distribution (b)), with a seeded generator.
    ``s_k = sd_b(log W*_kb) · sqrt(1 + 1/n_ref)``.

    Parameters
    ----------
    x : array (n, p)
        Data as clustered (already transformed and scaled).
    k_max : int
        Largest k.
    method : {"kmeans", "ward", "gmm"}
        Clustering applied to the data and to every reference set.
    n_ref : int
        Number of reference draws B.
    seed : int
        Seed of the reference draws and of the model.

    Returns
    -------
    DataFrame
        ``k``, ``log_w``, ``log_w_ref``, ``gap``, ``s``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = np.r_[rng.normal(0, .2, (15, 2)), rng.normal(3, .2, (15, 2))]
    >>> g = gap_statistic(x, 3, n_ref=5)
    >>> int(g.loc[g["gap"].idxmax(), "k"])
    2
    """
    x = np.asarray(x, float)
    if n_ref < 2:
        raise ValueError("n_ref must be at least 2")
    if k_max < 1 or k_max >= len(x):
        raise ValueError(f"k_max must be between 1 and n - 1 = {len(x) - 1}")
    rng = np.random.default_rng(seed)
    xc = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    z = xc @ vt.T
    lo, hi = z.min(axis=0), z.max(axis=0)
    refs = [rng.uniform(lo, hi, size=z.shape) @ vt for _ in range(n_ref)]
    ks = range(1, k_max + 1)
    log_w = {k: np.log(_wss(x, lab)) for k, lab in _partitions(x, ks, method, seed).items()}
    ref_w = [{k: np.log(_wss(r, lab)) for k, lab in _partitions(r, ks, method, seed).items()} for r in refs]
    rows = []
    for k in ks:
        ref = np.array([w[k] for w in ref_w])
        rows.append({"k": k, "log_w": log_w[k], "log_w_ref": ref.mean(), "gap": ref.mean() - log_w[k],
                     "s": ref.std(ddof=0) * np.sqrt(1 + 1 / n_ref)})
    return pd.DataFrame(rows)


@_single_threaded
def select_k(
    features: pd.DataFrame,
    k_range: Sequence[int] = range(2, 9),
    methods: Sequence[str] = METHODS,
    *,
    n_ref: int = 20,
    seed: int = 0,
    block_weights: bool = False,
) -> pd.DataFrame:
    """Model-selection criteria for every k and method.

    Parameters
    ----------
    features : DataFrame
        One row per station (:func:`workload_features`).
    k_range : sequence of int
        Candidate numbers of clusters (each ≥ 2 and < number of stations).
    methods : sequence of {"kmeans", "ward", "gmm"}
        Clustering methods.
    n_ref : int
        Reference draws of the gap statistic.
    seed : int
        Seed of models and reference draws.
    block_weights : bool
        See :func:`make_pipeline`.

    Returns
    -------
    DataFrame
        One row per (method, k): ``silhouette`` (higher is better),
        ``calinski_harabasz`` (higher), ``davies_bouldin`` (lower), ``gap``
        and ``gap_s`` (Tibshirani's rule), ``bic`` (GMM only, lower),
        ``n_clusters_found`` (distinct labels; a GMM may leave components empty),
        ``min_cluster_size`` (stations in the smallest cluster) and
        ``n_stations``; :func:`choose_k` uses the last two for its
        small-sample rules.
        Pass it to :func:`choose_k` and :func:`plot_select_k`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.r_[rng.normal(0, .2, (8, 2)), rng.normal(4, .2, (8, 2))], columns=["a", "b"])
    >>> sel = select_k(X, [2, 3], methods=["kmeans"], n_ref=5)
    >>> choose_k(sel)
    2
    """
    _check_features(features)
    ks = sorted({int(k) for k in k_range})
    n = len(features)
    if not ks or ks[0] < 2 or ks[-1] >= n:
        raise ValueError(f"k_range must hold integers between 2 and n - 1 = {n - 1}, not {list(k_range)}")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {m!r}")
    x = _transformed(make_pipeline(features, 2, block_weights=block_weights), features)
    rows = []
    for m in methods:
        k_gap = min(ks[-1] + 1, n - 1)
        gap = gap_statistic(x, k_gap, method=m, n_ref=n_ref, seed=seed).set_index("k")
        cuts = _ward_partitions(x, ks) if m == "ward" else {}
        for k in ks:
            if m == "gmm":
                model = _model(m, k, seed).fit(x)
                labels, bic = model.predict(x), float(model.bic(x))
            else:
                labels, bic = cuts[k] if m == "ward" else _cluster_matrix(x, k, m, seed), np.nan
            sizes = np.unique(labels, return_counts=True)[1]
            found = len(sizes)
            ok = 1 < found < n
            rows.append({
                "method": m, "k": k,
                "silhouette": silhouette_score(x, labels) if ok else np.nan,
                "calinski_harabasz": calinski_harabasz_score(x, labels) if ok else np.nan,
                "davies_bouldin": davies_bouldin_score(x, labels) if ok else np.nan,
                "gap": gap.loc[k, "gap"], "gap_s": gap.loc[k, "s"],
                "gap_next": gap.loc[k + 1, "gap"] if k + 1 in gap.index else np.nan,
                "gap_s_next": gap.loc[k + 1, "s"] if k + 1 in gap.index else np.nan,
                "bic": bic, "n_clusters_found": found,
                "min_cluster_size": int(sizes.min()), "n_stations": n,
            })
    return pd.DataFrame(rows)


def _votes(sel: pd.DataFrame) -> pd.DataFrame:
    """The k each method prefers under each criterion."""
    votes = []
    for m, g in sel.groupby("method", sort=False):
        g = g.sort_values("k").reset_index(drop=True)
        cand: dict[str, Any] = {}
        if g["silhouette"].notna().any():
            cand["silhouette"] = g.loc[g["silhouette"].idxmax(), "k"]
        if g["calinski_harabasz"].notna().any():
            cand["calinski_harabasz"] = g.loc[g["calinski_harabasz"].idxmax(), "k"]
        if g["davies_bouldin"].notna().any():
            cand["davies_bouldin"] = g.loc[g["davies_bouldin"].idxmin(), "k"]
        if g["gap"].notna().any():
            ok = g["gap"] >= g["gap_next"] - g["gap_s_next"]
            cand["gap"] = g.loc[ok.idxmax(), "k"] if ok.any() else g["k"].max()
        if g["bic"].notna().any():
            cand["bic"] = g.loc[g["bic"].idxmin(), "k"]
        votes += [{"method": m, "criterion": c, "k": int(k)} for c, k in cand.items()]
    return pd.DataFrame(votes, columns=["method", "criterion", "k"])


def _mode(values: pd.Series, prefer: int | None = None) -> int:
    counts = values.value_counts()
    top = sorted(int(k) for k in counts.index[counts == counts.max()])
    return prefer if prefer in top else top[0]


def _admissible(selection: pd.DataFrame, min_cluster_size: int, min_mean_size: float) -> pd.Series:
    """Rows of a :func:`select_k` table that the small-sample rules let vote."""
    ok = pd.Series(True, index=selection.index)
    if "min_cluster_size" in selection.columns:
        ok &= selection["min_cluster_size"] >= min_cluster_size
    if "n_stations" in selection.columns:
        ok &= selection["k"] <= selection["n_stations"] / min_mean_size
    return ok


def choose_k(
    selection: pd.DataFrame,
    *,
    return_votes: bool = False,
    min_cluster_size: int = 2,
    min_mean_size: float = 3.0,
) -> int | tuple[int, pd.DataFrame]:
    """Pick k from a :func:`select_k` table by a documented vote of criteria.

    The rule, in four steps:

    0. small-sample rules: a (method, k) whose smallest cluster has fewer
       than ``min_cluster_size`` stations (default 2: no one-station
       clusters) does not vote, and no k above ``n / min_mean_size`` (default:
       at least three stations per cluster on average) is considered.  With
       few stations, Calinski–Harabasz, Davies–Bouldin and BIC keep improving
       as outlying stations are split off into clusters of their own; these
       rules stop that (with 15 stations they once chose k = 7 with three
       one-station clusters).  They need the ``min_cluster_size`` and
       ``n_stations`` columns of :func:`select_k`; tables without them are
       voted on unrestricted;
    1. each method names its preferred k under each criterion: the highest
       silhouette, the highest Calinski–Harabasz, the lowest Davies–Bouldin,
       Tibshirani's gap rule (the smallest k with
       ``Gap(k) ≥ Gap(k+1) − s(k+1)``; the largest k if none) and, for the
       GMM, the lowest BIC;
    2. each *criterion* casts one vote: the k most of the methods name
       (ties: the gap statistic's k if it is among them, else the smaller k);
    3. the k with most criterion votes wins; a tie goes to the gap
       statistic's k if it is among the tied (it is the only criterion
       calibrated against a no-structure reference), else to the smaller k.

    Silhouette and Davies–Bouldin reward the best-separated *top-level*
    split, so with nested structure (two very distinct groups and three
    similar ones) they can prefer fewer clusters than Calinski–Harabasz,
    the gap statistic and BIC; the vote keeps every criterion visible.

    Parameters
    ----------
    selection : DataFrame
        Output of :func:`select_k`.
    return_votes : bool
        Also return the table of votes (``method``, ``criterion``, ``k``,
        with the criterion votes as method ``"criterion vote"``).
    min_cluster_size : int
        Smallest admissible cluster (stations); 1 switches the rule off.
    min_mean_size : float
        Fewest stations per cluster on average (k ≤ n / ``min_mean_size``);
        1 switches the rule off.

    Raises
    ------
    ValueError
        When no candidate satisfies the small-sample rules (the message says
        which k were tried and how to relax the rules).

    Examples
    --------
    >>> sel = pd.DataFrame({"method": "kmeans", "k": [2, 3], "silhouette": [.4, .6],
    ...     "calinski_harabasz": [10., 30.], "davies_bouldin": [.9, .5], "gap": [.1, .5],
    ...     "gap_s": .05, "gap_next": [.5, .4], "gap_s_next": .05, "bic": float("nan")})
    >>> choose_k(sel)
    3
    >>> choose_k(sel.assign(min_cluster_size=[4, 1], n_stations=9))   # k = 3 leaves a station alone
    2
    """
    need = {"method", "k", "silhouette", "calinski_harabasz", "davies_bouldin", "gap", "gap_next",
            "gap_s_next", "bic"}
    if not need <= set(selection.columns):
        raise ValueError(f"selection lacks columns {sorted(need - set(selection.columns))}; use select_k")
    if isinstance(min_cluster_size, bool) or not isinstance(min_cluster_size, (int, np.integer)) \
            or min_cluster_size < 1:
        raise ValueError(f"min_cluster_size must be an integer >= 1, not {min_cluster_size!r}")
    if not isinstance(min_mean_size, (int, float, np.integer, np.floating)) or not min_mean_size >= 1:
        raise ValueError(f"min_mean_size must be a number >= 1, not {min_mean_size!r}")
    ok = _admissible(selection, int(min_cluster_size), float(min_mean_size))
    if not ok.any():
        raise ValueError(
            f"no candidate k ({sorted(set(selection['k'].astype(int)))}) has every cluster of at least "
            f"{min_cluster_size} stations and at least {min_mean_size:g} stations per cluster on average; "
            "try smaller k, or lower min_cluster_size / min_mean_size")
    votes = _votes(selection[ok])
    if votes.empty:
        raise ValueError("no criterion could be computed; check the selection table")
    gap_votes = votes.loc[votes["criterion"] == "gap", "k"]
    gap_k = _mode(gap_votes) if len(gap_votes) else None
    crit = {c: _mode(v["k"], prefer=gap_k) for c, v in votes.groupby("criterion", sort=False)}
    k = _mode(pd.Series(list(crit.values())), prefer=gap_k)
    if not return_votes:
        return k
    extra = pd.DataFrame({"method": "criterion vote", "criterion": list(crit), "k": list(crit.values())})
    return k, pd.concat([votes, extra], ignore_index=True)


def plot_select_k(selection: pd.DataFrame, *, chosen: int | None = None, lang: str | None = None) -> Any:
    """Plot every criterion against k, one panel per criterion, one line per method.

    Returns the matplotlib Figure.  ``chosen`` draws a vertical line.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> sel = pd.DataFrame({"method": "kmeans", "k": [2, 3], "silhouette": [.4, .6],
    ...     "calinski_harabasz": [10., 30.], "davies_bouldin": [.9, .5], "gap": [.1, .5],
    ...     "gap_s": .05, "bic": float("nan")})
    >>> len(plot_select_k(sel, chosen=3).axes)
    5
    """
    import matplotlib.pyplot as plt

    from .viz import _resolve_lang

    lang = _resolve_lang(lang)
    names = {
        "silhouette": ("轮廓系数 ↑", "Silhouette ↑"),
        "calinski_harabasz": ("Calinski–Harabasz ↑", "Calinski–Harabasz ↑"),
        "davies_bouldin": ("Davies–Bouldin ↓", "Davies–Bouldin ↓"),
        "gap": ("Gap 统计量 ↑", "Gap statistic ↑"),
        "bic": ("GMM BIC ↓", "GMM BIC ↓"),
    }
    fig, axes = plt.subplots(1, 5, figsize=(16, 3.6))
    for ax, (col, (zh, en)) in zip(axes, names.items()):
        for m, g in selection.groupby("method", sort=False):
            g = g.sort_values("k")
            if g[col].notna().any():
                if col == "gap":
                    ax.errorbar(g["k"], g[col], yerr=g["gap_s"], marker="o", capsize=3, label=m)
                else:
                    ax.plot(g["k"], g[col], marker="o", label=m)
        if chosen is not None:
            ax.axvline(chosen, color="grey", linestyle="--", linewidth=1)
        ax.set_title(zh if lang == "zh" else en if lang == "en" else f"{zh}\n{en}" if zh != en else en)
        ax.set_xlabel("k")
        ax.set_xticks(sorted(selection["k"].unique()))
    axes[0].legend(fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- fitting

def _canonical(labels: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Relabel clusters 1..k by the first principal coordinate of their centre, then size."""
    uniq = np.unique(labels)
    pc = PCA(n_components=1).fit(x)
    sign = np.sign(pc.components_[0][np.argmax(np.abs(pc.components_[0]))])
    score = {g: float(sign * pc.transform(x[labels == g]).mean()) for g in uniq}
    order = sorted(uniq, key=lambda g: (-score[g], -(labels == g).sum(), g))
    mapping = {g: i + 1 for i, g in enumerate(order)}
    return np.array([mapping[g] for g in labels])


#: Features that measure the same thing as another one, for names (fraud share
#: of the last year and fraud share of the whole mix).
_SAME_CONCEPT: dict[str, str] = {"fraud_share": "mix_fraud"}
#: Beyond its first feature, a name only uses features with |z| at least this.
_NAME_MIN_Z = 0.5


def _name_features(row: pd.Series) -> list[tuple[str, float]]:
    """A cluster's profile row -> (feature, z) candidates for its name, most distinctive first."""
    order = row.abs().sort_values(ascending=False, kind="stable").index
    seen: set[str] = set()
    picked: list[tuple[str, float]] = []
    for feat in order:
        blk = FEATURES.get(feat, {"block": feat})["block"]
        concept = _SAME_CONCEPT.get(feat, feat)
        z = float(row[feat])
        if blk in seen or concept in seen or (blk == "weekly" and abs(z) < 1.5):
            continue
        if picked and abs(z) < _NAME_MIN_Z:
            break
        seen.update({blk, concept})
        picked.append((feat, z))
    return picked


@dataclass
class ClusterResult:
    """A fitted workload clustering.

    Attributes
    ----------
    features : DataFrame
        The feature table clustered (not modified).
    labels : Series
        Cluster 1..k per station (1 = highest on the first principal axis).
    pipeline : Pipeline
        The fitted scikit-learn pipeline.
    method, k, seed :
        Settings used.
    centres : DataFrame
        Cluster means of every feature in its original units (one row per
        cluster; shares as arithmetic means of station shares).
    """

    features: pd.DataFrame
    labels: pd.Series
    pipeline: Pipeline
    method: str
    k: int
    seed: int
    centres: pd.DataFrame = field(repr=False)
    embedding: np.ndarray = field(repr=False)
    describe: pd.DataFrame | None = field(default=None, repr=False)

    def _table(self) -> pd.DataFrame:
        return self.features if self.describe is None else self.features.join(self.describe)

    def profiles(self) -> pd.DataFrame:
        """Standardised feature means per cluster (z-scores; heatmap data).

        Each feature is standardised over stations (mean 0, s.d. 1, in its
        original units) and averaged within clusters: rows are clusters,
        columns features.
        """
        f = self._table()
        z = (f - f.mean()) / f.std(ddof=0).replace(0, np.nan)
        return z.fillna(0.0).groupby(self.labels.values).mean().rename_axis("cluster")

    def names(self, lang: str = "both", n_features: int = 2) -> pd.Series:
        """Descriptive names built from each cluster's most distinguishing features.

        For each cluster the features with the largest absolute standardised
        mean (:meth:`profiles`) are taken, at most one per block and one per
        concept (so a busy station is not "high volume, high volume per
        officer", nor "high fraud, high telecom fraud" from the fraud share and
        the fraud mix share; a single weekday only when |z| ≥ 1.5), and written
        as 高/低 + the feature's short name, e.g.
        ``"高电诈·高人均警情 / High fraud, high load per officer"``.  After the
        first, a feature enters a name only if it sets the cluster clearly
        apart (|z| ≥ 0.5), so that small clusters are not named after noise.
        If two clusters would share a name, only *those* names get one more
        feature (again |z| ≥ 0.5), and names still equal are numbered.  A
        one-station cluster is marked (“1 station”, 单站) since it describes a
        station, not a type.

        Parameters
        ----------
        lang : {"both", "zh", "en"}
        n_features : int
            Features per name (at most).
        """
        if lang not in ("both", "zh", "en"):
            raise ValueError(f"lang must be 'both', 'zh' or 'en', not {lang!r}")
        prof = self.profiles()[list(self.features.columns)]
        ranked = {g: _name_features(row) for g, row in prof.iterrows()}
        n = {g: min(n_features, len(p)) for g, p in ranked.items()}

        def spell(g: Any) -> tuple[str, str]:
            parts = ranked[g][:max(n[g], 1)]
            zh = "·".join(("高" if v > 0 else "低") + FEATURES.get(f, {}).get("short_zh", f) for f, v in parts)
            en = ", ".join(("high " if v > 0 else "low ") + FEATURES.get(f, {}).get("short_en", f)
                           for f, v in parts)
            return zh, en[:1].upper() + en[1:]

        while True:
            spelled = {g: spell(g) for g in ranked}
            clash = [g for g in ranked if sum(spelled[h][0] == spelled[g][0] for h in ranked) > 1]
            longer = [g for g in clash if n[g] < len(ranked[g])]
            if not longer:
                break
            for g in longer:
                n[g] += 1
        sizes = self.labels.value_counts()
        out = {}
        for g in prof.index:
            zh, en = spelled[g]
            if g in clash:
                zh, en = f"{zh}（{g}）", f"{en} ({g})"
            if sizes.get(g, 0) == 1:
                zh, en = f"{zh}（单站）", f"{en} (1 station)"
            out[g] = zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"
        return pd.Series(out, name="name").rename_axis("cluster")

    def to_frame(self, lang: str = "both") -> pd.DataFrame:
        """One row per station: ``station_id``, ``cluster``, ``cluster_name`` and the features."""
        names = self.names(lang)
        out = self._table().copy()
        out.insert(0, "cluster", self.labels.values)
        out.insert(1, "cluster_name", self.labels.map(names).values)
        return out.rename_axis("station_id").reset_index()

    def summary(self) -> pd.DataFrame:
        """Size and name of every cluster; ``singleton`` flags one-station clusters."""
        sizes = self.labels.value_counts().sort_index()
        return pd.DataFrame({"n_stations": sizes, "name": self.names(),
                             "singleton": sizes == 1}).rename_axis("cluster")

    def plot_map(self, *, ax: Any = None, annotate: bool = True, lang: str | None = None) -> Any:
        """Stations on the first two principal components of the clustered data.

        Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt

        from .viz import _resolve_lang

        lang = _resolve_lang(lang)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 6))
        pca = PCA(n_components=min(2, self.embedding.shape[1]), random_state=0).fit(self.embedding)
        xy = pca.transform(self.embedding)
        if xy.shape[1] == 1:
            xy = np.column_stack([xy, np.zeros(len(xy))])
        names = self.names("zh" if lang == "zh" else "en" if lang == "en" else "both")
        palette = plt.get_cmap("tab10")
        for g in sorted(self.labels.unique()):
            sel = (self.labels == g).to_numpy()
            ax.scatter(xy[sel, 0], xy[sel, 1], s=45, color=palette((g - 1) % 10),
                       label=f"{g}: {names[g]}", edgecolor="white", linewidth=0.5)
        if annotate:
            for (sid, (px, py)) in zip(self.labels.index, xy):
                ax.annotate(str(sid), (px, py), fontsize=6, xytext=(2, 2), textcoords="offset points",
                            color="dimgrey")
        ev = pca.explained_variance_ratio_
        ax.set_xlabel(f"PC1 ({ev[0]:.0%})")
        ax.set_ylabel(f"PC2 ({ev[1]:.0%})" if len(ev) > 1 else "")
        ax.legend(fontsize=7, loc="best", framealpha=0.8)
        return ax

    def plot_profiles(self, *, ax: Any = None, lang: str | None = None, vmax: float = 2.0) -> Any:
        """Heatmap of :meth:`profiles` (features × clusters), labelled in zh/en.

        Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        from .viz import _resolve_lang

        lang = _resolve_lang(lang)
        prof = self.profiles().T
        key = "zh" if lang == "zh" else "en"
        prof.index = [FEATURES.get(f, {}).get(key, f) if lang != "both"
                      else (f"{FEATURES[f]['zh']} / {FEATURES[f]['en']}" if f in FEATURES else f)
                      for f in prof.index]
        names = self.names("zh" if lang == "zh" else "en" if lang == "en" else "both")
        prof.columns = [f"{g}: {names[g]}".replace(" / ", "\n") for g in prof.columns]
        if ax is None:
            _, ax = plt.subplots(figsize=(3.0 * self.k + 4, 0.32 * len(prof) + 2))
        sns.heatmap(prof, cmap="RdBu_r", center=0, vmin=-vmax, vmax=vmax, annot=True, fmt=".1f",
                    annot_kws={"fontsize": 7}, cbar_kws={"label": "z"}, ax=ax)
        ax.tick_params(axis="x", labelrotation=0, labelsize=7)
        ax.tick_params(axis="y", labelsize=8)
        return ax


def _warn_singletons(labels: pd.Series) -> None:
    sizes = labels.value_counts()
    alone = sorted(int(g) for g in sizes.index[sizes == 1])
    if alone:
        warnings.warn(f"k = {labels.nunique()} leaves {len(alone)} cluster(s) with a single station "
                      f"(clusters {', '.join(map(str, alone))}): their profiles and names describe one "
                      "station, not a type; consider a smaller k", UserWarning, stacklevel=3)


@_single_threaded
def fit(
    features: pd.DataFrame,
    k: int | None = None,
    method: str = "kmeans",
    *,
    seed: int = 0,
    k_range: Sequence[int] = range(2, 9),
    block_weights: bool = False,
    describe: pd.DataFrame | None = None,
) -> ClusterResult:
    """Cluster stations on their workload features.

    Parameters
    ----------
    features : DataFrame
        One row per station (:func:`workload_features`), finite values.
    k : int, optional
        Number of clusters; default chosen by :func:`choose_k` over ``k_range``.
    method : {"kmeans", "ward", "gmm"}
    seed : int
        Seed of the model (same seed → same labels).
    k_range : sequence of int
        Candidates when ``k`` is None.
    block_weights : bool
        See :func:`make_pipeline`.
    describe : DataFrame, optional
        Extra columns per station (same index; e.g. the outcomes
        ``clearance_rate`` and ``response_minutes``) shown in ``centres``,
        :meth:`~ClusterResult.profiles` and ``to_frame`` but not clustered
        and not used for names.

    Returns
    -------
    ClusterResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.r_[rng.normal(0, .2, (6, 2)), rng.normal(3, .2, (6, 2))],
    ...                  columns=["fraud_share", "growth"])
    >>> res = fit(X, k=2)
    >>> res.names("en").tolist()
    ['High growth, high fraud', 'Low growth, low fraud']
    """
    _check_features(features)
    if k is None:
        k_range = [kk for kk in k_range if 2 <= kk < len(features)]
        k = choose_k(select_k(features, k_range, methods=(method,), seed=seed, block_weights=block_weights))
    if not 1 <= int(k) <= len(features):
        raise ValueError(f"k must be between 1 and the number of stations ({len(features)}), not {k}")
    pipe = make_pipeline(features, int(k), method, seed=seed, block_weights=block_weights)
    raw = _fit_labels(pipe, features)
    x = pipe[:-1].transform(features)
    labels = _canonical(raw, x) if int(k) > 1 else np.ones(len(features), dtype=int)
    lab = pd.Series(labels, index=features.index, name="cluster")
    extra = None
    if describe is not None:
        extra = describe.drop(columns=[c for c in describe.columns if c in features.columns])
        extra = extra.reindex(features.index)
    table = features if extra is None else features.join(extra)
    centres = table.groupby(labels).mean().rename_axis("cluster")
    _warn_singletons(lab)
    return ClusterResult(features=features, labels=lab, pipeline=pipe, method=method, k=int(k),
                         seed=seed, centres=centres, embedding=x, describe=extra)


# --------------------------------------------------------------------------- stability

def clusterboot_jaccard(original: np.ndarray, sample: np.ndarray, boot_labels: np.ndarray) -> np.ndarray:
    """Per original cluster, the max Jaccard with any bootstrap cluster (fpc definition).

    As in R ``fpc::clusterboot`` (``bootmethod = "boot"``, default
    ``multipleboot = FALSE``, so ``sample`` holds each drawn point once): the
    original cluster's membership is restricted to the points in the sample,
    compared with each bootstrap cluster on the same points
    (``fpc::clujaccard``), and the best Jaccard is kept.  A cluster with no
    member in the sample scores 0, as in fpc.

    Parameters
    ----------
    original : array (n,)
        Original labels of all points.
    sample : array (m,)
        Indices of the bootstrap sample (with repetitions).
    boot_labels : array (m,)
        Labels of the bootstrap clustering, aligned with ``sample``.

    Returns
    -------
    array
        One Jaccard per original cluster, in ``np.unique(original)`` order.

    Examples
    --------
    >>> import numpy as np
    >>> clusterboot_jaccard(np.array([0, 0, 1, 1]), np.array([0, 1, 2]),
    ...                     np.array([5, 6, 6])).round(3).tolist()
    [0.5, 0.5]
    """
    original = np.asarray(original)
    sub = original[np.asarray(sample)]
    boot_labels = np.asarray(boot_labels)
    out = []
    for g in np.unique(original):
        a = sub == g
        best = 0.0
        for h in np.unique(boot_labels):
            b = boot_labels == h
            best = max(best, (a & b).sum() / (a | b).sum())
        out.append(best)
    return np.array(out, dtype=float)


@dataclass
class StabilityResult:
    """Bootstrap stability of a clustering.

    Attributes
    ----------
    clusters : DataFrame
        Per cluster: ``n_stations``, ``jaccard_mean`` (fpc ``bootmean``),
        ``jaccard_sd``, ``dissolved`` (share of bootstraps with Jaccard ≤ 0.5,
        fpc ``bootbrd``/B), ``recovered`` (share > 0.75, fpc ``bootrecover``/B),
        ``singleton`` (a one-station cluster) and ``unstable`` (mean <
        ``threshold``, or a singleton: a station alone keeps a high Jaccard
        whenever it is resampled, which says nothing about a type).
    jaccard : DataFrame
        Bootstrap × cluster Jaccard values.
    ari : Series
        ARI between the original labels (on the bootstrap sample) and the
        bootstrap clustering, one per bootstrap.
    """

    clusters: pd.DataFrame
    jaccard: pd.DataFrame
    ari: pd.Series
    threshold: float
    labels: pd.Series = field(repr=False)

    @property
    def min_jaccard(self) -> float:
        """Smallest per-cluster mean Jaccard."""
        return float(self.clusters["jaccard_mean"].min())

    def to_frame(self) -> pd.DataFrame:
        """The per-cluster table."""
        return self.clusters.copy()

    def plot(self, *, names: pd.Series | None = None, lang: str | None = None) -> Any:
        """Box plots of per-cluster Jaccard and the ARI distribution; returns the Figure."""
        import matplotlib.pyplot as plt

        from .viz import _resolve_lang

        lang = _resolve_lang(lang)
        fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [3, 1]})
        data = [self.jaccard[c].dropna().to_numpy() for c in self.jaccard.columns]
        ticks = [f"{c}" if names is None else f"{c}: {names[c]}".replace(" / ", "\n")
                 for c in self.jaccard.columns]
        a1.boxplot(data, showmeans=True)
        a1.set_xticks(range(1, len(ticks) + 1), ticks, fontsize=7)
        a1.axhline(self.threshold, color="firebrick", linestyle="--", linewidth=1)
        a1.set_ylim(0, 1.02)
        t = {"zh": "各类自助法 Jaccard", "en": "Bootstrap Jaccard per cluster"}
        a1.set_title(t["zh"] if lang == "zh" else t["en"] if lang == "en" else f"{t['zh']} / {t['en']}")
        a1.set_ylabel("Jaccard")
        a2.boxplot([self.ari.to_numpy()], showmeans=True)
        a2.set_xticks([1], ["ARI"])
        a2.set_ylim(min(0, float(self.ari.min())) - 0.02, 1.02)
        a2.set_title("ARI")
        fig.tight_layout()
        return fig


@_single_threaded
def stability(
    features: pd.DataFrame,
    k: int,
    n_boot: int = 100,
    method: str = "kmeans",
    *,
    seed: int = 0,
    threshold: float = 0.6,
    block_weights: bool = False,
) -> StabilityResult:
    """Bootstrap stability of each cluster (Hennig 2007; R ``fpc::clusterboot``).

    The stations are resampled with replacement ``n_boot`` times and, as in
    fpc's default, each drawn station enters the bootstrap data once; each sample
    is re-clustered with the same pipeline (re-fitting the scaler) and every
    original cluster is compared with its most similar bootstrap cluster by
    the Jaccard coefficient on the resampled points
    (:func:`clusterboot_jaccard`).  The mean over bootstraps is fpc's
    ``bootmean``; Hennig's guidance: < 0.6 unstable ("dissolved" pattern),
    0.6–0.75 pattern but doubtful membership, ≥ 0.85 highly stable.

    Parameters
    ----------
    features : DataFrame
    k : int
    n_boot : int
        Bootstrap replicates.
    method : {"kmeans", "ward", "gmm"}
    seed : int
        Seed of the resampling and of the models.
    threshold : float
        Clusters with mean Jaccard below it are flagged ``unstable``.
    block_weights : bool

    Returns
    -------
    StabilityResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.r_[rng.normal(0, .2, (10, 2)), rng.normal(4, .2, (10, 2))], columns=["a", "b"])
    >>> st = stability(X, 2, n_boot=10)
    >>> round(st.min_jaccard, 2), bool(st.clusters["unstable"].any())
    (1.0, False)
    """
    _check_features(features)
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    base = fit(features, k, method, seed=seed, block_weights=block_weights)
    orig = base.labels.to_numpy()
    rng = np.random.default_rng(seed)
    n = len(features)
    jac, ari = [], []
    for b in range(n_boot):
        idx = pd.unique(rng.integers(0, n, n))  # fpc default multipleboot = FALSE
        while len(idx) <= k:  # cannot form k clusters
            idx = pd.unique(rng.integers(0, n, n))
        fb = features.iloc[idx]
        pipe = make_pipeline(features, k, method, seed=seed, block_weights=block_weights)
        lb = _fit_labels(pipe, fb)
        jac.append(clusterboot_jaccard(orig, idx, lb))
        ari.append(adjusted_rand_score(orig[idx], lb))
    clusters = np.unique(orig)
    J = pd.DataFrame(jac, columns=pd.Index(clusters, name="cluster"))
    J.index.name = "bootstrap"
    tab = pd.DataFrame({
        "n_stations": pd.Series(orig).value_counts().reindex(clusters).to_numpy(),
        "jaccard_mean": J.mean().to_numpy(),
        "jaccard_sd": J.std(ddof=1).to_numpy() if n_boot > 1 else np.nan,
        "dissolved": (J <= 0.5).sum().to_numpy() / J.notna().sum().to_numpy(),
        "recovered": (J > 0.75).sum().to_numpy() / J.notna().sum().to_numpy(),
    }, index=pd.Index(clusters, name="cluster"))
    # One station resampled alone always "recovers" itself: no evidence of a stable type.
    tab["singleton"] = tab["n_stations"] == 1
    tab["unstable"] = (tab["jaccard_mean"] < threshold) | tab["singleton"]
    return StabilityResult(clusters=tab, jaccard=J, ari=pd.Series(ari, name="ari").rename_axis("bootstrap"),
                           threshold=threshold, labels=base.labels)


#: Notebook 02's stations with their workload cluster, in the tables directory.
CLUSTER_TABLE = "02_cluster_workload.csv"


def station_clusters(
    demand: pd.DataFrame,
    stations: pd.DataFrame,
    panel: pd.DataFrame | None = None,
    *,
    saved: str | os.PathLike[str] | bool | None = None,
    k: int | None = None,
    k_range: Sequence[int] = range(2, 8),
    methods: Sequence[str] = ("kmeans", "ward"),
    n_ref: int = 10,
    seed: int = 0,
) -> pd.DataFrame:
    """Each station's workload cluster: notebook 02's, or clustered here the same way.

    Notebook 02 saves its clusters in :data:`CLUSTER_TABLE`; that table is
    used when it lists every station of ``stations``.  Otherwise the stations
    are clustered with :mod:`jingwu.cluster` as notebook 02 does: workload
    features, k chosen by the criteria vote over ``k_range`` (unless ``k`` is
    given), k-means.

    Returns
    -------
    DataFrame
        ``station_id, cluster, cluster_name``; ``.attrs["source"]`` is
        ``"saved"`` or ``"computed"``.

    Examples
    --------
    >>> import jingwu as jw
    >>> city = jw.datasets.load_m_city()
    >>> cl = station_clusters(city.demand, city.stations, saved=False, k=3)
    >>> cl.attrs["source"], sorted(cl["cluster"].unique().tolist())
    ('computed', [1, 2, 3])
    """
    if "station_id" not in stations.columns:
        raise DataError("stations lacks station_id", column="station_id", expected="a station_id column")
    ids = sorted(stations["station_id"].astype(str))
    path = paths.saved_table(saved, CLUSTER_TABLE)
    if path is not None and path.is_file():
        table = pd.read_csv(path, dtype={"station_id": str})
        if {"station_id", "cluster", "cluster_name"} <= set(table.columns) and set(ids) <= set(table["station_id"]):
            out = (table[table["station_id"].isin(ids)][["station_id", "cluster", "cluster_name"]]
                   .drop_duplicates("station_id").sort_values("station_id").reset_index(drop=True))
            out.attrs.update(source="saved", path=path.name)
            return out
    features = workload_features(demand, stations, panel=panel)
    X = features[workload_columns(features)]
    if k is None:
        k = choose_k(select_k(X, [kk for kk in k_range if 2 <= kk < len(X)], methods=methods,
                                    n_ref=n_ref, seed=seed))
    result = fit(X, int(k), seed=seed)
    out = result.to_frame()[["station_id", "cluster", "cluster_name"]]
    out = out.assign(station_id=out["station_id"].astype(str)).sort_values("station_id").reset_index(drop=True)
    out.attrs.update(source="computed")
    return out
