"""The M-city parameters and containers: archetypes, :class:`SimulationParams`, :class:`Truth`, :class:`City`."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import pandas as pd

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
