"""Workload features of police stations: the feature dictionary and :func:`workload_features`.

Every feature has a zh/en label, a short name for cluster names, the block it
is clustered and weighted with, the transform applied before distances and a
one-line definition (:data:`FEATURES`, :func:`describe_features`).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from .. import schema
from ..aggregate import near_matches
from ..errors import DataError
from ..schema import require_columns
from ._demand import (
    _SHOWN,
    _annual_totals,
    _check_demand,
    _demand_totals,
    _full_years,
    _growth,
    _holiday_mask,
    _seasonal_amplitude,
    _spring_festival,
)

__all__ = ["FEATURES", "OUTCOME_FEATURES", "describe_features", "workload_columns", "workload_features"]

_DOW = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DOW_ZH = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
_DOW_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _feature_table() -> dict[str, dict[str, str]]:
    """Build :data:`FEATURES` (name -> label, short name, definition, block, transform)."""
    f: dict[str, dict[str, str]] = {
        "annual_incidents": dict(
            zh="年均警情数",
            en="Incidents a year",
            short_zh="警情量",
            short_en="volume",
            block="volume",
            transform="log",
            unit="incidents/year",
            definition="Mean annual incidents (all categories) over the full years in the data.",
        ),
        "incidents_per_officer": dict(
            zh="人均警情(民警)",
            en="Incidents per officer",
            short_zh="人均警情",
            short_en="load per officer",
            block="volume",
            transform="log",
            unit="incidents/officer/year",
            definition="Mean annual incidents divided by the number of officers (民警).",
        ),
        "incidents_per_10k": dict(
            zh="每万人警情",
            en="Incidents per 10,000 residents",
            short_zh="万人警情",
            short_en="incidents per resident",
            block="volume",
            transform="log",
            unit="incidents/10k residents/year",
            definition="Mean annual incidents per 10,000 residents of the station's area.",
        ),
    }
    for c in schema.CATEGORIES:
        lab = schema.CATEGORY_LABELS[c]
        f[f"mix_{c}"] = dict(
            zh=f"{lab['zh']}占比",
            en=f"{lab['en']} share",
            short_zh=lab["zh"],
            short_en=lab["en"].lower(),
            block="mix",
            transform="clr",
            unit="share",
            definition=f"Share of {lab['en'].lower()} incidents in all incidents "
            "(compositional; CLR-transformed before distances).",
        )
    for d, zh, en in zip(_DOW, _DOW_ZH, _DOW_EN):
        f[f"dow_{d}"] = dict(
            zh=f"{zh}占比",
            en=f"{en} share",
            short_zh=f"{zh}警情",
            short_en=f"{en} demand",
            block="weekly",
            transform="clr",
            unit="share",
            definition=f"Share of the week's incidents that fall on a {en} "
            "(holiday weeks excluded; CLR-transformed before distances).",
        )
    f.update(
        {
            "seasonal_amplitude": dict(
                zh="季节振幅",
                en="Seasonal amplitude",
                short_zh="季节波动",
                short_en="seasonality",
                block="seasonal_amplitude",
                transform="none",
                unit="relative",
                definition="Amplitude of the first yearly harmonic of daily demand relative to the "
                "station-year mean (0.1 = ±10 %), holidays excluded.",
            ),
            "spring_festival": dict(
                zh="春节响应",
                en="Spring Festival response",
                short_zh="春节警情",
                short_en="Spring Festival demand",
                block="spring_festival",
                transform="log",
                unit="ratio",
                definition="Mean daily demand in the Spring Festival week (lunar new year −1 to +6 "
                "days) divided by the 3 weeks before and after it; averaged over years.",
            ),
            "growth": dict(
                zh="年增长率",
                en="Annual growth",
                short_zh="增长",
                short_en="growth",
                block="growth",
                transform="none",
                unit="per year",
                definition="Annual growth of incidents: exp(slope) − 1 of log annual totals on year.",
            ),
            "fraud_share": dict(
                zh="电诈占比(近一年)",
                en="Fraud share (last year)",
                short_zh="电诈",
                short_en="fraud",
                block="fraud_share",
                transform="none",
                unit="share",
                definition="Share of telecom-fraud incidents in the last 365 days of data.",
            ),
            "clearance_rate": dict(
                zh="破案率",
                en="Clearance rate",
                short_zh="破案率",
                short_en="clearance",
                block="clearance_rate",
                transform="none",
                unit="share",
                definition="Cleared cases divided by cases, summed over the panel.",
            ),
            "response_minutes": dict(
                zh="平均到场时间",
                en="Response time",
                short_zh="到场时间",
                short_en="response time",
                block="response_minutes",
                transform="none",
                unit="minutes",
                definition="Mean of the monthly mean response times (minutes) in the panel.",
            ),
            "night_share": dict(
                zh="夜间警情占比",
                en="Night share",
                short_zh="夜间警情",
                short_en="night demand",
                block="night_share",
                transform="none",
                unit="share",
                definition="Share of incident records reported between 22:00 and 06:00.",
            ),
        }
    )
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
        rows.append(
            {
                "feature": n,
                "label": spec.get(lang, n),
                "label_zh": spec.get("zh", n),
                "label_en": spec.get("en", n),
                "block": spec.get("block", n),
                "transform": spec.get("transform", "none"),
                "unit": spec.get("unit", ""),
                "definition": spec.get("definition", ""),
            }
        )
    return pd.DataFrame(rows)


def _report_join(stations: pd.Index, other: pd.Index, table: str, feature: str) -> None:
    """Station ids of ``demand`` against another table: no station may silently lose a feature.

    Demand stations missing from ``table`` are a DataError (their ``feature``
    could not be computed); stations of ``table`` without demand are left
    out with a warning naming how many and which.  Near-matching ids are
    suggested, never matched automatically.
    """
    missing = stations.difference(other, sort=False)
    extra = other.difference(stations, sort=False)
    hint_text = near_matches(list(missing), list(extra))
    if len(missing):
        raise DataError(
            f"{len(missing)} of {len(stations)} demand stations are not in {table}, so their "
            f"{feature} cannot be computed",
            file=table,
            column="station_id",
            rows=[str(m) for m in missing],
            expected=f"every demand station in {table}{hint_text}",
        )
    if len(extra):
        shown = ", ".join(str(e) for e in list(extra)[:_SHOWN]) + (" ..." if len(extra) > _SHOWN else "")
        warnings.warn(
            f"{table}: {len(extra)} station(s) without demand rows are left out of the features: {shown}",
            UserWarning,
            stacklevel=3,
        )


def _per_station_volumes(
    stations: pd.DataFrame, index: pd.Index, annual: np.ndarray
) -> dict[str, np.ndarray]:
    """Incidents per officer and per 10,000 residents, from the station table.

    A column that is absent or empty is left out (the feature is not
    computed); a station that is missing from the table, listed twice with
    different values, or has a missing, text, zero or negative value is a
    DataError naming the stations.
    """
    require_columns(stations, ["station_id"], what="the workload features", file="stations")
    wanted = [
        (col, name, scale)
        for col, name, scale in (
            ("officers", "incidents_per_officer", 1.0),
            ("population", "incidents_per_10k", 1e4),
        )
        if col in stations.columns and stations[col].notna().any()
    ]
    if not wanted:
        return {}
    ids = stations["station_id"].astype(str)
    _report_join(index, pd.Index(ids.unique()), "stations", "incidents per officer and per resident")
    st = stations.assign(station_id=ids)
    out = {}
    for col, name, scale in wanted:
        clash = st.drop_duplicates(["station_id", col]).duplicated("station_id", keep=False)
        if clash.any():
            raise DataError(
                f"stations listed twice with different {col}",
                file="stations",
                column=col,
                rows=sorted(set(st.loc[clash, "station_id"])),
                expected="one value per station",
            )
        raw = st.drop_duplicates("station_id").set_index("station_id")[col].reindex(index)
        text = raw.map(lambda v: isinstance(v, (str, bytes, bool))).to_numpy(dtype=bool)
        den = pd.to_numeric(raw.where(~text), errors="coerce").astype(float)
        bad = text | ~np.isfinite(den.to_numpy()) | (den.to_numpy() <= 0)
        if bad.any():
            raise DataError(
                f"{int(bad.sum())} station(s) with a missing, text, zero or negative {col}",
                file="stations",
                column=col,
                rows=list(index[bad]),
                expected=f"{col} > 0 for every station",
            )
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
        order = [c for c in schema.CATEGORIES if c in by_cat.columns] + sorted(
            c for c in by_cat.columns if c not in schema.CATEGORIES and c != "all"
        )
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
        require_columns(p, ["station_id"], what="the workload features", file="panel")
        if "month" in p.columns and (start is not None or end is not None):
            mon = (
                p["month"].dt.to_timestamp()
                if hasattr(p["month"], "dt") and isinstance(p["month"].dtype, pd.PeriodDtype)
                else pd.to_datetime(p["month"])
            )
            p = p[(mon >= dates.min().to_period("M").to_timestamp()) & (mon <= dates.max())]
        ids = p["station_id"].astype(str)
        if ({"cases", "cleared"} <= set(p.columns) and p["cases"].notna().any()) or (
            "response_minutes" in p.columns and p["response_minutes"].notna().any()
        ):
            _report_join(out.index, pd.Index(ids.unique()), "panel", "clearance and response time")
        if {"cases", "cleared"} <= set(p.columns) and p["cases"].notna().any():
            g = p[["cases", "cleared"]].astype(float).groupby(ids).sum(min_count=1)
            out["clearance_rate"] = (
                (g["cleared"] / g["cases"].where(g["cases"] > 0)).reindex(out.index).to_numpy()
            )
        if "response_minutes" in p.columns and p["response_minutes"].notna().any():
            out["response_minutes"] = (
                p["response_minutes"].astype(float).groupby(ids).mean().reindex(out.index).to_numpy()
            )

    if incidents is not None:
        require_columns(incidents, ["station_id", "reported_at"], what="the night share", file="incidents")
        inc = incidents
        if start is not None or end is not None:
            day = inc["reported_at"].dt.normalize()
            inc = inc[(day >= dates.min()) & (day <= dates.max())]
        _report_join(out.index, pd.Index(inc["station_id"].astype(str).unique()), "incidents", "night share")
        hour = inc["reported_at"].dt.hour
        night = ((hour >= 22) | (hour < 6)).groupby(inc["station_id"].astype(str)).mean()
        out["night_share"] = night.reindex(out.index).to_numpy()

    return out.astype(float)
