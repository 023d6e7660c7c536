"""The M-city simulator (M市): seeded synthetic policing data with ground truth.

M city echoes the field study of "A派出所, M市" in the Chinese policing
literature: 48 police stations (派出所) in 6 districts, daily incident demand
(警情) by seven categories for 2018–2024, a monthly panel of cases,
clearances, quarterly satisfaction surveys and response times, staffing, and a
staggered roll-out of a smart-policing platform (智慧警务).

How the data are generated (every number is in :class:`SimulationParams` and
written to ``truth/params.json``):

* **Stations** belong to one of five archetypes (commercial core, residential
  community, transport hub, urban–rural fringe, rural) that differ in volume,
  incident mix, weekly shape, seasonal amplitude, Spring Festival response and
  growth.  ``truth/archetypes.csv`` maps every station to its archetype.
* **Daily demand** is negative binomial (gamma–Poisson, size ``nb_size``)
  around ``annual / 365.25 × mix × weekly × seasonal × holiday × trend``.
  Holidays come from :mod:`jingwu.calendar` (the real lunar dates).  Fraud
  (电诈) grows by ``fraud_growth`` a year, so its share rises.
* **Staffing** follows population more than demand (as in practice), which
  creates the mismatch the staffing notebook studies.
* **Outcomes**: cases are criminal and fraud incidents filed as cases
  (binomial, ``case_filing_rate``); clearances are binomial with a station
  level, a citywide secular improvement (``clearance_trend`` a year) and the
  adoption effect; satisfaction is surveyed quarterly (March, June, September,
  December) with ~``survey_n`` respondents; response time is a monthly mean.
* **Adoption** happens in cohorts (``cohorts``), earlier for busy urban
  stations; some stations never adopt.  The effect on each outcome grows
  linearly over ``ramp_months`` after adoption, is larger for earlier cohorts
  (``cohort_scale``) and varies by station.  With the secular trend this makes
  naive before/after comparisons and two-way fixed effects biased, while a
  staggered design recovers ``truth/att.csv``.

Calibration (cited in ``data/README.md``): a busy urban station takes about
12,000 calls a year; baseline clearance is about 40 %; satisfaction is in the
80s; fraud is a rising share of incidents.

Examples
--------
>>> from jingwu.simulate import simulate_city
>>> city = simulate_city(seed=1, start="2023-01-01", end="2023-03-31", n_stations=10)
>>> sorted(city.truth.archetypes["archetype"].unique())[:2]
['commercial_core', 'fringe']
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import schema
from .calendar import holiday_features
from .paths import atomic_write_bytes, atomic_write_text

__all__ = [
    "DEFAULT_SEED",
    "ARCHETYPES",
    "SimulationParams",
    "City",
    "Truth",
    "simulate_city",
    "read_truth",
    "simulate_incidents",
    "write_city",
    "read_city",
    "aggregate_truth",
    "file_digests",
]

DEFAULT_SEED = 20240601

#: Archetypes: name, share of stations, volume, mix and temporal shape.
ARCHETYPES: dict[str, dict] = {
    "commercial_core": {
        "zh": "商业核心区",
        "en": "Commercial core",
        "n": 9,
        "area_type": "urban_core",
        "annual": 12000,
        "population": 60000,
        "area_km2": 8,
        "mix": {
            "criminal": 0.10,
            "public_order": 0.26,
            "traffic": 0.12,
            "dispute": 0.12,
            "assistance": 0.22,
            "fraud": 0.10,
            "other": 0.08,
        },
        "weekly": [0.92, 0.92, 0.95, 0.97, 1.08, 1.12, 1.04],
        "seasonal_amp": 0.06,
        "seasonal_peak_doy": 200,
        "spring_festival": 0.65,
        "golden_week": 1.20,
        "growth": 0.01,
        "adopt_score": 2.0,
        "clearance_offset": -0.02,
        "response_base": 6.0,
    },
    "residential": {
        "zh": "居住社区",
        "en": "Residential community",
        "n": 14,
        "area_type": "urban",
        "annual": 6000,
        "population": 90000,
        "area_km2": 12,
        "mix": {
            "criminal": 0.07,
            "public_order": 0.12,
            "traffic": 0.08,
            "dispute": 0.30,
            "assistance": 0.25,
            "fraud": 0.10,
            "other": 0.08,
        },
        "weekly": [0.95, 0.95, 0.95, 0.95, 1.00, 1.10, 1.10],
        "seasonal_amp": 0.10,
        "seasonal_peak_doy": 190,
        "spring_festival": 0.80,
        "golden_week": 0.95,
        "growth": 0.02,
        "adopt_score": 1.0,
        "clearance_offset": 0.02,
        "response_base": 7.0,
    },
    "transit_hub": {
        "zh": "交通枢纽",
        "en": "Transport hub",
        "n": 5,
        "area_type": "urban",
        "annual": 10000,
        "population": 30000,
        "area_km2": 15,
        "mix": {
            "criminal": 0.12,
            "public_order": 0.18,
            "traffic": 0.25,
            "dispute": 0.08,
            "assistance": 0.27,
            "fraud": 0.04,
            "other": 0.06,
        },
        "weekly": [1.05, 1.00, 1.00, 1.02, 1.12, 0.95, 0.86],
        "seasonal_amp": 0.08,
        "seasonal_peak_doy": 215,
        "spring_festival": 1.45,
        "golden_week": 1.40,
        "growth": 0.00,
        "adopt_score": 2.0,
        "clearance_offset": -0.04,
        "response_base": 6.5,
    },
    "fringe": {
        "zh": "城乡结合部",
        "en": "Urban-rural fringe",
        "n": 10,
        "area_type": "fringe",
        "annual": 5000,
        "population": 70000,
        "area_km2": 60,
        "mix": {
            "criminal": 0.16,
            "public_order": 0.18,
            "traffic": 0.14,
            "dispute": 0.22,
            "assistance": 0.12,
            "fraud": 0.08,
            "other": 0.10,
        },
        "weekly": [0.96, 0.96, 0.97, 0.98, 1.02, 1.06, 1.05],
        "seasonal_amp": 0.12,
        "seasonal_peak_doy": 200,
        "spring_festival": 0.70,
        "golden_week": 0.95,
        "growth": 0.05,
        "adopt_score": 0.5,
        "clearance_offset": 0.0,
        "response_base": 10.0,
    },
    "rural": {
        "zh": "农村",
        "en": "Rural",
        "n": 10,
        "area_type": "rural",
        "annual": 1500,
        "population": 35000,
        "area_km2": 300,
        "mix": {
            "criminal": 0.06,
            "public_order": 0.10,
            "traffic": 0.22,
            "dispute": 0.32,
            "assistance": 0.14,
            "fraud": 0.06,
            "other": 0.10,
        },
        "weekly": [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
        "seasonal_amp": 0.25,
        "seasonal_peak_doy": 220,
        "spring_festival": 1.35,
        "golden_week": 1.10,
        "growth": -0.01,
        "adopt_score": 0.0,
        "clearance_offset": 0.05,
        "response_base": 16.0,
    },
}

DISTRICTS: dict[str, str] = {
    "D1": "城东区",
    "D2": "城西区",
    "D3": "城南区",
    "D4": "城北区",
    "D5": "高新区",
    "D6": "临江县",
}

# Which districts each archetype's stations are spread over (urban types in the
# city districts, rural stations in the county), so districts differ but mix.
_ARCHETYPE_DISTRICTS: dict[str, tuple[str, ...]] = {
    "commercial_core": ("D1", "D2", "D3", "D4"),
    "residential": ("D1", "D2", "D3", "D4", "D5"),
    "transit_hub": ("D1", "D3", "D5"),
    "fringe": ("D4", "D5", "D6"),
    "rural": ("D6", "D5"),
}

OUTCOMES = ("clearance_rate", "satisfaction_rate", "response_minutes")


@dataclass(frozen=True)
class SimulationParams:
    """Every parameter of the simulator, with its default.

    Effects are in the outcome's own unit: clearance and satisfaction as
    proportions (0.06 = 6 percentage points), response time in minutes.
    """

    start: str = "2018-01-01"
    end: str = "2024-12-31"
    n_stations: int = 48
    nb_size: float = 30.0
    station_volume_sd: float = 0.25
    mix_concentration: float = 300.0
    fraud_growth: float = 0.15
    officers_per_10k_pop: float = 5.0
    officer_noise_sd: float = 0.25
    staffing_demand_weight: float = 0.5
    incidents_per_officer_norm: float = 250.0
    auxiliary_ratio: float = 1.3
    case_filing_rate: float = 0.8
    clearance_base: float = 0.36
    clearance_station_sd: float = 0.03
    clearance_trend: float = 0.025
    clearance_month_sd: float = 0.02
    satisfaction_base: float = 0.78
    satisfaction_station_sd: float = 0.02
    satisfaction_trend: float = 0.012
    survey_n: int = 150
    response_trend: float = -0.3
    response_month_sd: float = 0.4
    cohorts: tuple[str, ...] = ("2020-01", "2020-07", "2021-01", "2021-07", "2022-01")
    cohort_sizes: tuple[int, ...] = (8, 8, 8, 8, 6)
    cohort_scale: tuple[float, ...] = (1.3, 1.15, 1.0, 0.85, 0.7)
    ramp_months: int = 18
    effect_clearance: float = 0.06
    effect_satisfaction: float = 0.04
    effect_response: float = -1.5
    station_effect_sd: float = 0.2
    archetype_counts: dict = field(default_factory=lambda: {k: v["n"] for k, v in ARCHETYPES.items()})

    def __post_init__(self) -> None:
        if len(self.cohorts) != len(self.cohort_sizes) or len(self.cohorts) != len(self.cohort_scale):
            raise ValueError("cohorts, cohort_sizes and cohort_scale must have the same length")
        if pd.Timestamp(self.end) < pd.Timestamp(self.start):
            raise ValueError(f"end {self.end} is before start {self.start}")
        if self.n_stations < 5:
            raise ValueError("n_stations must be at least 5 (one per archetype)")

    def to_dict(self) -> dict:
        """Plain JSON-ready dict of the parameters."""
        d = asdict(self)
        d["cohorts"] = list(self.cohorts)
        d["cohort_sizes"] = list(self.cohort_sizes)
        d["cohort_scale"] = list(self.cohort_scale)
        return d


@dataclass
class Truth:
    """Ground truth of a simulated city.

    Attributes
    ----------
    archetypes : DataFrame
        ``station_id``, ``archetype``, ``archetype_zh``, ``archetype_en``.
    att : DataFrame
        True ATT(g, t) per outcome: ``outcome``, ``cohort`` (adoption month),
        ``month``, ``event_time`` (months since adoption), ``att``,
        ``n_stations``.  Satisfaction rows exist for survey months only.
    params : dict
        Every simulator parameter and the seed.
    """

    archetypes: pd.DataFrame
    att: pd.DataFrame
    params: dict

    def archetype_of(self) -> dict[str, str]:
        """Map ``station_id`` → archetype key."""
        return dict(zip(self.archetypes["station_id"], self.archetypes["archetype"]))


@dataclass
class City:
    """A city's data in the suite's schema plus its ground truth (if simulated).

    Attributes
    ----------
    stations, demand, panel : DataFrame
        The canonical tables (see :mod:`jingwu.schema`).
    truth : Truth or None
    name : str
    """

    stations: pd.DataFrame
    demand: pd.DataFrame
    panel: pd.DataFrame
    truth: Truth | None = None
    name: str = "M city"

    def __repr__(self) -> str:
        d = self.demand["date"]
        return (
            f"<City {self.name!r}: {len(self.stations)} stations in "
            f"{self.stations['district'].nunique()} districts, daily demand "
            f"{d.min():%Y-%m-%d}..{d.max():%Y-%m-%d} ({len(self.demand):,} rows), "
            f"panel {len(self.panel):,} station-months>"
        )


# ---------------------------------------------------------------------------
# Stations
# ---------------------------------------------------------------------------


def _scaled_counts(counts: dict[str, int], n: int) -> dict[str, int]:
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


# Hour-of-day shape per category (24 weights), used to place incidents in time.
_HOURLY = {
    "criminal": [3, 2, 2, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 6, 6, 6, 6, 5, 4],
    "public_order": [6, 5, 4, 2, 1, 1, 1, 2, 3, 3, 4, 4, 4, 4, 4, 4, 4, 5, 5, 6, 7, 8, 8, 7],
    "traffic": [1, 1, 1, 1, 1, 2, 4, 8, 9, 6, 5, 5, 5, 5, 5, 6, 7, 9, 8, 5, 3, 2, 2, 1],
    "dispute": [2, 1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 6, 7, 8, 8, 7, 5, 3],
    "assistance": [2, 2, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 6, 6, 6, 6, 5, 5, 4, 4, 3, 3],
    "fraud": [1, 1, 0.5, 0.5, 0.5, 0.5, 1, 2, 5, 7, 8, 8, 7, 7, 8, 8, 7, 6, 5, 5, 4, 3, 2, 1],
    "other": [2, 2, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 3, 3],
}
_HANDLING_MEAN = {
    "criminal": 120,
    "public_order": 60,
    "traffic": 45,
    "dispute": 70,
    "assistance": 40,
    "fraud": 90,
    "other": 30,
}
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
_ROADS = ["人民路", "解放路", "建设路", "中山路", "和平路", "新华路", "胜利路", "长江路"]


def _id_number(rng: np.random.Generator) -> str:
    """A random 18-digit ID-card-shaped string with a valid check digit (synthetic)."""
    body = (
        f"{rng.integers(110000, 659000)}{rng.integers(1950, 2005)}"
        f"{rng.integers(1, 13):02d}{rng.integers(1, 29):02d}{rng.integers(0, 1000):03d}"
    )
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    check = "10X98765432"[sum(int(c) * w for c, w in zip(body, weights)) % 11]
    return body + check


def simulate_incidents(
    city: City,
    station_ids: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    seed: int = DEFAULT_SEED,
    with_personal_data: bool = False,
) -> pd.DataFrame:
    """Incident records consistent with a city's daily demand.

    Each daily count becomes that many records with a report time drawn from
    the category's hour-of-day shape, handling and response times, case
    filing and clearance.  ``with_personal_data=True`` adds *synthetic* caller
    names, phone numbers, ID-card numbers and addresses, to demonstrate the
    intake's privacy screen.

    Examples
    --------
    >>> city = simulate_city(seed=1, start="2024-01-01", end="2024-01-07", n_stations=5)
    >>> inc = simulate_incidents(city, ["S01"])
    >>> int(inc.shape[0]) == int(city.demand.query("station_id == 'S01'")["count"].sum())
    True
    """
    demand = city.demand
    if station_ids is not None:
        unknown = sorted(set(station_ids) - set(demand["station_id"]))
        if unknown:
            raise ValueError(f"unknown station ids: {unknown}")
        demand = demand[demand["station_id"].isin(station_ids)]
    if start is not None:
        demand = demand[demand["date"] >= pd.Timestamp(start)]
    if end is not None:
        demand = demand[demand["date"] <= pd.Timestamp(end)]
    demand = demand[demand["count"] > 0]
    rng = np.random.default_rng([seed, 1])
    rep = demand.loc[demand.index.repeat(demand["count"])].reset_index(drop=True)
    cats = rep["category"].astype(str).to_numpy()
    hours = np.empty(len(rep), dtype=int)
    for c, w in _HOURLY.items():
        sel = cats == c
        w = np.asarray(w, float)
        hours[sel] = rng.choice(24, size=sel.sum(), p=w / w.sum())
    seconds = hours * 3600 + rng.integers(0, 3600, len(rep))
    reported = rep["date"] + pd.to_timedelta(seconds, unit="s")
    handling = np.array([_HANDLING_MEAN[c] for c in cats]) * np.exp(rng.normal(-0.18, 0.6, len(rep)))
    resp_base = rep["station_id"].map(city.panel.groupby("station_id")["response_minutes"].mean())
    response = resp_base.to_numpy() * np.exp(rng.normal(-0.08, 0.4, len(rep)))
    is_case = np.isin(cats, ["criminal", "fraud"]) & (rng.random(len(rep)) < 0.8)
    cleared = is_case & (rng.random(len(rep)) < 0.42)
    order = np.argsort(reported.to_numpy(), kind="stable")
    out = pd.DataFrame(
        {
            "incident_id": "",
            "station_id": rep["station_id"].to_numpy()[order],
            "reported_at": reported.to_numpy()[order],
            "category": cats[order],
            "handling_minutes": np.round(handling[order], 1),
            "response_minutes": np.round(response[order], 1),
            "is_case": is_case[order],
            "cleared": cleared[order],
        }
    )
    out["incident_id"] = [f"J{t:%Y%m%d}{i:06d}" for i, t in enumerate(out["reported_at"])]
    if with_personal_data:
        n = len(out)
        out["caller_name"] = [
            _SURNAMES[a] + _GIVEN[b] + (_GIVEN[c] if c >= 0 else "")
            for a, b, c in zip(
                rng.integers(0, len(_SURNAMES), n),
                rng.integers(0, len(_GIVEN), n),
                rng.integers(-len(_GIVEN), len(_GIVEN), n),
            )
        ]
        out["caller_phone"] = [f"1{rng.integers(3, 10)}{rng.integers(0, 10**9):09d}" for _ in range(n)]
        out["caller_id_number"] = [_id_number(rng) for _ in range(n)]
        out["address"] = [
            f"M市{_ROADS[r]}{k}号" for r, k in zip(rng.integers(0, len(_ROADS), n), rng.integers(1, 300, n))
        ]
    return out


# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

#: Files a city directory holds, relative to it.
CITY_FILES = (
    "stations.csv",
    "demand.csv.gz",
    "panel.csv",
    "truth/archetypes.csv",
    "truth/att.csv",
    "truth/params.json",
)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def _city_file_bytes(city: City) -> dict[str, bytes]:
    """The exact bytes (uncompressed) of each file of a city directory."""
    cats = list(schema.CATEGORIES)
    wide = city.demand.pivot_table(
        index=["station_id", "date"], columns="category", values="count", observed=True
    ).reset_index()
    wide = wide[["station_id", "date", *cats]]
    wide["date"] = wide["date"].dt.strftime("%Y-%m-%d")
    stations = city.stations.copy()
    stations["adoption_month"] = stations["adoption_month"].astype(str).replace("NaT", "")
    panel = city.panel.copy()
    for col in ("month", "adoption_month"):
        panel[col] = panel[col].astype(str).replace("NaT", "")
    att = city.truth.att.copy()
    att["cohort"] = att["cohort"].astype(str)
    att["month"] = att["month"].astype(str)
    params = json.dumps(city.truth.params, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return {
        "stations.csv": _csv_bytes(stations),
        "demand.csv.gz": _csv_bytes(wide),
        "panel.csv": _csv_bytes(panel),
        "truth/archetypes.csv": _csv_bytes(city.truth.archetypes),
        "truth/att.csv": _csv_bytes(att),
        "truth/params.json": params.encode("utf-8"),
    }


def file_digests(directory: str | Path) -> dict[str, str]:
    """SHA-256 of the *uncompressed* content of each file in a city directory.

    Hashing the content (not the gzip container) keeps the check independent of
    the compression library.
    """
    import gzip

    directory = Path(directory)
    out = {}
    for name in CITY_FILES:
        raw = (directory / name).read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        out[name] = hashlib.sha256(raw).hexdigest()
    return out


def write_city(city: City, out: str | Path) -> dict[str, str]:
    """Write a city to ``out`` (atomically, file by file); return the content digests.

    Also writes ``MANIFEST.json`` with the digests, so a loaded city can be
    checked against what was written.
    """
    import gzip

    if city.truth is None:
        raise ValueError("write_city needs a simulated city (with truth)")
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, data in _city_file_bytes(city).items():
        digests[name] = hashlib.sha256(data).hexdigest()
        if name.endswith(".gz"):
            data = gzip.compress(data, compresslevel=9, mtime=0)
        atomic_write_bytes(out / name, data)
    manifest = {"seed": city.truth.params["seed"], "sha256_uncompressed": digests}
    atomic_write_text(out / "MANIFEST.json", json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return digests


def read_city(directory: str | Path, name: str = "M city") -> City:
    """Read a city directory written by :func:`write_city`, validating every table.

    Raises
    ------
    DataError
        If a table breaks the data contract.
    FileNotFoundError
        If a file is missing.
    """
    directory = Path(directory)
    missing = [f for f in CITY_FILES if not (directory / f).exists()]
    if missing:
        raise FileNotFoundError(
            f"{directory}: missing city files {missing}; regenerate with `jingwu simulate --out {directory}`"
        )
    stations = pd.read_csv(directory / "stations.csv", dtype={"station_id": str, "district": str})
    stations["adoption_month"] = pd.PeriodIndex(stations["adoption_month"], freq="M")
    wide = pd.read_csv(directory / "demand.csv.gz", dtype={"station_id": str}, parse_dates=["date"])
    demand = _wide_to_long(wide)
    panel = pd.read_csv(directory / "panel.csv", dtype={"station_id": str})
    panel["month"] = pd.PeriodIndex(panel["month"], freq="M")
    panel["adoption_month"] = pd.PeriodIndex(panel["adoption_month"], freq="M")
    for col in ("satisfaction_n", "satisfaction_yes"):
        panel[col] = panel[col].astype("Int64")
    schema.validate_stations(stations, file=directory / "stations.csv")
    schema.validate_demand(demand, file=directory / "demand.csv.gz")
    schema.validate_panel(panel, stations=stations, file=directory / "panel.csv")
    return City(
        stations=stations, demand=demand, panel=panel, truth=read_truth(directory / "truth"), name=name
    )


def read_truth(directory: str | Path) -> Truth:
    """Read the ground truth a simulated city wrote (``archetypes.csv``, ``att.csv``, ``params.json``).

    Examples
    --------
    >>> from jingwu.datasets import m_city_dir
    >>> read_truth(m_city_dir() / "truth").params["n_stations"]
    48
    """
    directory = Path(directory)
    archetypes = pd.read_csv(directory / "archetypes.csv", dtype={"station_id": str})
    att = pd.read_csv(directory / "att.csv")
    att["cohort"] = pd.PeriodIndex(att["cohort"], freq="M")
    att["month"] = pd.PeriodIndex(att["month"], freq="M")
    params = json.loads((directory / "params.json").read_text(encoding="utf-8"))
    return Truth(archetypes=archetypes, att=att, params=params)
