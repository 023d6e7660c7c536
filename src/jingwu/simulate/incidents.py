"""Incident-level records for a simulated city (the raw form an export takes), with fake personal data."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .params import DEFAULT_SEED, City

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
    >>> from jingwu.simulate import simulate_city
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
