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

from .city import aggregate_truth, simulate_city
from .files import CITY_FILES as CITY_FILES
from .files import file_digests, read_city, read_truth, write_city
from .incidents import _GIVEN as _GIVEN  # the fake-name alphabet datasets reuses
from .incidents import _SURNAMES as _SURNAMES
from .incidents import simulate_incidents
from .panels import StaggeredPanel, staggered_panel
from .params import ARCHETYPES, DEFAULT_SEED, City, SimulationParams, Truth
from .params import DISTRICTS as DISTRICTS
from .params import OUTCOMES as OUTCOMES

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
    "StaggeredPanel",
    "staggered_panel",
]
