"""Simulate M city: stations, daily demand, the monthly outcome panel and its ground truth."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

import numpy as np
import pandas as pd

from .. import schema
from ..calendar import holiday_features
from .params import (
    _ARCHETYPE_DISTRICTS,
    ARCHETYPES,
    DEFAULT_SEED,
    DISTRICTS,
    OUTCOMES,
    City,
    SimulationParams,
    Truth,
)

# ---------------------------------------------------------------------------
# Stations
# ---------------------------------------------------------------------------


K = TypeVar("K")


def _scaled_counts(counts: Mapping[K, int], n: int) -> dict[K, int]:
    """Scale archetype counts to ``n`` stations, at least one of each."""
    total = sum(counts.values())
    raw = {k: max(1, int(round(v * n / total))) for k, v in counts.items()}
    keys = sorted(raw, key=lambda k: -counts[k])
    i = 0
    while sum(raw.values()) != n:
        k = keys[i % len(keys)]
        if sum(raw.values()) > n and raw[k] > 1:
            raw[k] -= 1
        elif sum(raw.values()) < n:
            raw[k] += 1
        i += 1
    return raw


def _make_stations(p: SimulationParams, rng: np.random.Generator) -> pd.DataFrame:
    counts = _scaled_counts(p.archetype_counts, p.n_stations)
    rows = []
    for arch, n in counts.items():
        spec = ARCHETYPES[arch]
        districts = _ARCHETYPE_DISTRICTS[arch]
        for j in range(n):
            pop = spec["population"] * float(np.exp(rng.normal(0, 0.2)))
            rows.append(
                {
                    "archetype": arch,
                    "district": districts[j % len(districts)],
                    "area_type": spec["area_type"],
                    "population": int(round(pop, -2)),
                    "area_km2": round(spec["area_km2"] * float(np.exp(rng.normal(0, 0.3))), 1),
                    "volume_mult": float(np.exp(rng.normal(0, p.station_volume_sd))),
                }
            )
    st = pd.DataFrame(rows)
    # Order stations by district so ids read naturally (S01.. in D1 first).
    st = st.sort_values(["district", "archetype"], kind="stable").reset_index(drop=True)
    st.insert(0, "station_id", [f"S{i + 1:02d}" for i in range(len(st))])
    seq = st.groupby("district").cumcount() + 1
    st.insert(1, "station_name", [f"{DISTRICTS[d]}第{k}派出所" for d, k in zip(st["district"], seq)])
    # Staffing follows population (the historical allocation norm) at least as
    # much as demand, plus history: the mismatch the staffing notebook studies.
    by_population = p.officers_per_10k_pop * st["population"] / 1e4
    expected = st["archetype"].map(lambda a: ARCHETYPES[a]["annual"]) * st["volume_mult"]
    by_demand = expected / p.incidents_per_officer_norm
    w = p.staffing_demand_weight
    officers = ((1 - w) * by_population + w * by_demand) * np.exp(rng.normal(0, p.officer_noise_sd, len(st)))
    st["officers"] = np.maximum(5, np.round(officers)).astype(int)
    aux = st["officers"] * p.auxiliary_ratio * np.exp(rng.normal(0, 0.2, len(st)))
    st["auxiliaries"] = np.round(aux).astype(int)
    return st


def _assign_adoption(st: pd.DataFrame, p: SimulationParams, rng: np.random.Generator) -> pd.Series:
    """Cohort assignment: busier urban stations adopt earlier (selection on levels)."""
    score = st["archetype"].map(lambda a: ARCHETYPES[a]["adopt_score"]).to_numpy(float)
    score = score + rng.normal(0, 0.8, len(st))
    order = np.argsort(-score, kind="stable")
    adoption = pd.Series(pd.NaT, index=st.index, dtype="period[M]")
    # Keep about a fifth of stations (at least one) never treated.
    n_adopt = min(sum(p.cohort_sizes), len(st) - max(1, len(st) // 5))
    n_cohorts = min(len(p.cohorts), n_adopt)
    sizes = list(p.cohort_sizes[:n_cohorts])
    if sum(sizes) != n_adopt:
        sizes = list(_scaled_counts(dict(enumerate(sizes)), n_adopt).values())
    pos = 0
    for cohort, size in zip(p.cohorts[:n_cohorts], sizes):
        adoption.iloc[order[pos : pos + size]] = pd.Period(cohort, freq="M")
        pos += size
    return adoption


# ---------------------------------------------------------------------------
# Demand
# ---------------------------------------------------------------------------


def _daily_demand(st: pd.DataFrame, p: SimulationParams, rng: np.random.Generator) -> pd.DataFrame:
    dates = pd.date_range(p.start, p.end, freq="D")
    cal = holiday_features(dates)
    years = ((dates - pd.Timestamp("2018-01-01")).days / 365.25).to_numpy()
    doy = dates.dayofyear.to_numpy()
    dow = cal["dow"].to_numpy()
    sf_days = ((cal["sf_offset"] >= -1) & (cal["sf_offset"] <= 6)).to_numpy()
    golden = cal["golden_week"].to_numpy()
    other_hol = (cal["is_holiday"] & ~cal["sf_window"] & ~cal["golden_week"]).to_numpy()
    cats = list(schema.CATEGORIES)
    cat_trend = np.ones((len(cats), len(dates)))
    cat_trend[cats.index("fraud")] = np.exp(p.fraud_growth * years)
    frames = []
    for _, s in st.iterrows():
        spec = ARCHETYPES[s["archetype"]]
        base_mix = np.array([spec["mix"][c] for c in cats])
        mix = rng.dirichlet(base_mix * p.mix_concentration)
        weekly = np.asarray(spec["weekly"])[dow]
        seasonal = 1 + spec["seasonal_amp"] * np.cos(2 * np.pi * (doy - spec["seasonal_peak_doy"]) / 365.25)
        holiday = np.ones(len(dates))
        holiday[sf_days] = spec["spring_festival"]
        holiday[golden] = spec["golden_week"]
        holiday[other_hol] = 1 + 0.5 * (spec["golden_week"] - 1)
        growth = np.exp(spec["growth"] * years)
        level = spec["annual"] / 365.25 * s["volume_mult"]
        lam = level * mix[:, None] * cat_trend * (weekly * seasonal * holiday * growth)[None, :]
        counts = rng.poisson(rng.gamma(p.nb_size, lam / p.nb_size))
        frames.append(pd.DataFrame(counts.T, columns=cats).assign(station_id=s["station_id"], date=dates))
    wide = pd.concat(frames, ignore_index=True)
    return wide[["station_id", "date", *cats]]


def _wide_to_long(wide: pd.DataFrame) -> pd.DataFrame:
    long = wide.melt(id_vars=["station_id", "date"], var_name="category", value_name="count")
    long["category"] = pd.Categorical(long["category"], categories=list(schema.CATEGORIES))
    long = long.sort_values(["station_id", "date", "category"], kind="stable").reset_index(drop=True)
    long["count"] = long["count"].astype("int64")
    return long


# ---------------------------------------------------------------------------
# Monthly panel and truth
# ---------------------------------------------------------------------------


def _ramp(event_time: np.ndarray, months: int) -> np.ndarray:
    return np.where(event_time >= 0, np.minimum(1.0, (event_time + 1) / months), 0.0)


def _panel_and_truth(
    st: pd.DataFrame, wide: pd.DataFrame, p: SimulationParams, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    cats = list(schema.CATEGORIES)
    monthly = (
        wide.assign(month=wide["date"].dt.to_period("M"))
        .groupby(["station_id", "month"], sort=True)[cats]
        .sum()
        .reset_index()
    )
    t0 = pd.Period(p.start, freq="M")
    st = st.set_index("station_id")
    n_st = len(st)
    scale = dict(zip(pd.PeriodIndex(list(p.cohorts), freq="M"), p.cohort_scale))
    # Station draws, in a fixed order.
    clear_level = (
        p.clearance_base
        + st["archetype"].map(lambda a: ARCHETYPES[a]["clearance_offset"])
        + rng.normal(0, p.clearance_station_sd, n_st)
    )
    sat_level = pd.Series(
        p.satisfaction_base + rng.normal(0, p.satisfaction_station_sd, n_st), index=st.index
    )
    resp_level = st["archetype"].map(lambda a: ARCHETYPES[a]["response_base"]) * np.exp(
        rng.normal(0, 0.1, n_st)
    )
    eff_mult = 1 + rng.normal(0, p.station_effect_sd, (n_st, len(OUTCOMES)))
    base_effect = np.array([p.effect_clearance, p.effect_satisfaction, p.effect_response])

    rows, truth_rows = [], []
    for i, (sid, s) in enumerate(st.iterrows()):
        m = monthly[monthly["station_id"] == sid].reset_index(drop=True)
        years = np.array([(mm - t0).n for mm in m["month"]]) / 12.0
        adopt = s["adoption_month"]
        if pd.isna(adopt):
            event = np.full(len(m), -10_000)
            g_scale = 0.0
        else:
            event = np.array([(mm - adopt).n for mm in m["month"]])
            g_scale = scale[adopt]
        effect = _ramp(event, p.ramp_months)[:, None] * (base_effect * g_scale * eff_mult[i])[None, :]
        incidents = m[cats].sum(axis=1).to_numpy()
        at_risk = (m["criminal"] + m["fraud"]).to_numpy()
        cases = rng.binomial(at_risk, p.case_filing_rate)
        p_clear = (
            clear_level[sid]
            + p.clearance_trend * years
            + effect[:, 0]
            + rng.normal(0, p.clearance_month_sd, len(m))
        )
        cleared = rng.binomial(cases, np.clip(p_clear, 0.01, 0.99))
        survey = np.array([mm.month in (3, 6, 9, 12) for mm in m["month"]])
        n_resp = np.where(survey, rng.poisson(p.survey_n, len(m)), 0)
        q = sat_level[sid] + p.satisfaction_trend * years + effect[:, 1]
        sat_yes = rng.binomial(n_resp, np.clip(q, 0.01, 0.99))
        resp = (
            resp_level[sid]
            + p.response_trend * years
            + effect[:, 2]
            + rng.normal(0, p.response_month_sd, len(m))
        )
        rows.append(
            pd.DataFrame(
                {
                    "station_id": sid,
                    "month": m["month"],
                    "incidents": incidents,
                    "cases": cases,
                    "cleared": cleared,
                    "satisfaction_n": pd.Series(n_resp, dtype="Int64").where(survey),
                    "satisfaction_yes": pd.Series(sat_yes, dtype="Int64").where(survey),
                    "response_minutes": np.round(np.maximum(resp, 1.0), 2),
                    "officers": int(s["officers"]),
                    "adoption_month": adopt,
                }
            )
        )
        if not pd.isna(adopt):
            post = event >= 0
            for k, outcome in enumerate(OUTCOMES):
                keep = post & survey if outcome == "satisfaction_rate" else post
                if not keep.any():
                    continue
                truth_rows.append(
                    pd.DataFrame(
                        {
                            "outcome": outcome,
                            "cohort": adopt,
                            "month": m["month"][keep].to_numpy(),
                            "event_time": event[keep],
                            "att_station": effect[keep, k],
                        }
                    )
                )
    panel = pd.concat(rows, ignore_index=True)
    if not truth_rows:
        empty = pd.DataFrame(columns=["outcome", "cohort", "month", "event_time", "att", "n_stations"])
        return panel, empty
    att = (
        pd.concat(truth_rows, ignore_index=True)
        .groupby(["outcome", "cohort", "month", "event_time"], sort=True)["att_station"]
        .agg(att="mean", n_stations="size")
        .reset_index()
    )
    att["att"] = att["att"].round(10)
    return panel, att


def aggregate_truth(att: pd.DataFrame, kind: str = "simple", outcome: str | None = None) -> pd.DataFrame:
    """Aggregate true ATT(g, t) the way Callaway & Sant'Anna aggregate estimates.

    ``simple``: average over all post-adoption cells weighted by cohort size;
    ``dynamic``: by event time, weighted by cohort size; ``group``: average over
    each cohort's post-adoption months; ``calendar``: by month, weighted by
    cohort size.

    Examples
    --------
    >>> att = pd.DataFrame({"outcome": "y", "cohort": [1, 1, 2], "month": [1, 2, 2],
    ...                     "event_time": [0, 1, 0], "att": [1.0, 2.0, 4.0],
    ...                     "n_stations": [1, 1, 2]})
    >>> float(aggregate_truth(att)["att"].iloc[0])
    2.75
    """
    if kind not in ("simple", "dynamic", "group", "calendar"):
        raise ValueError(f"kind must be simple, dynamic, group or calendar, not {kind!r}")
    df = att if outcome is None else att[att["outcome"] == outcome]
    if df.empty:
        raise ValueError(f"no truth rows for outcome {outcome!r}")

    def wmean(g: pd.DataFrame) -> float:
        return float(np.average(g["att"], weights=g["n_stations"]))

    by = {"simple": [], "dynamic": ["event_time"], "group": ["cohort"], "calendar": ["month"]}[kind]
    keys = ["outcome", *by]
    if kind == "group":
        out = df.groupby(keys, sort=True)["att"].mean().reset_index()
    else:
        out = df.groupby(keys, sort=True)[["att", "n_stations"]].apply(wmean).rename("att").reset_index()
    return out


# ---------------------------------------------------------------------------
# Public entry points
# ---------------------------------------------------------------------------


def simulate_city(seed: int = DEFAULT_SEED, **overrides: object) -> City:
    """Simulate M city.

    Parameters
    ----------
    seed : int
        Seed of the random generator (PCG64).  The same seed and parameters
        give identical data.
    **overrides
        Any field of :class:`SimulationParams` (e.g. ``n_stations=20``,
        ``end="2020-12-31"``).

    Returns
    -------
    City
        ``stations``, ``demand`` (daily, long), ``panel`` (monthly) and
        ``truth``.

    Examples
    --------
    >>> city = simulate_city(seed=3, start="2024-01-01", end="2024-02-29", n_stations=6)
    >>> bool(city.demand.groupby("date")["count"].sum().gt(0).all())
    True
    """
    unknown = set(overrides) - set(SimulationParams.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown simulation parameters: {sorted(unknown)}")
    p = SimulationParams(**overrides)  # type: ignore[arg-type]
    rng = np.random.default_rng(seed)
    st = _make_stations(p, rng)
    st["adoption_month"] = _assign_adoption(st, p, rng)
    wide = _daily_demand(st, p, rng)
    panel, att = _panel_and_truth(st, wide, p, rng)
    archetypes = st[["station_id", "archetype"]].assign(
        archetype_zh=st["archetype"].map(lambda a: ARCHETYPES[a]["zh"]),
        archetype_en=st["archetype"].map(lambda a: ARCHETYPES[a]["en"]),
    )
    stations = st[
        [
            "station_id",
            "station_name",
            "district",
            "area_type",
            "population",
            "area_km2",
            "officers",
            "auxiliaries",
            "adoption_month",
        ]
    ].copy()
    params = {"seed": int(seed), **p.to_dict(), "archetypes": ARCHETYPES, "districts": DISTRICTS}
    return City(
        stations=stations,
        demand=_wide_to_long(wide),
        panel=panel,
        truth=Truth(archetypes=archetypes, att=att, params=params),
    )
