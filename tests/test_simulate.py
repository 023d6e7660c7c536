"""Simulator: determinism, the bundled files, and consistency of the ground truth."""

import json

import pandas as pd
import pytest

import jingwu as jw
from jingwu import simulate as sim


@pytest.fixture(scope="module")
def fresh_default(tmp_path_factory):
    out = tmp_path_factory.mktemp("city")
    digests = sim.write_city(sim.simulate_city(), out)
    return out, digests


def test_bundled_files_are_what_the_default_seed_produces(fresh_default):
    out, digests = fresh_default
    bundled = sim.file_digests(jw.datasets.m_city_dir())
    assert digests == bundled
    manifest = json.loads((jw.datasets.m_city_dir() / "MANIFEST.json").read_text())
    assert manifest["sha256_uncompressed"] == bundled
    assert manifest["seed"] == sim.DEFAULT_SEED


def test_same_seed_same_bytes(tmp_path, fresh_default):
    out, digests = fresh_default
    again = sim.write_city(sim.simulate_city(seed=sim.DEFAULT_SEED), tmp_path)
    assert again == digests
    assert (tmp_path / "demand.csv.gz").read_bytes() == (out / "demand.csv.gz").read_bytes()


def test_other_seed_other_city_same_structure():
    a = sim.simulate_city(seed=1, end="2019-12-31")
    b = sim.simulate_city(seed=2, end="2019-12-31")
    assert not a.demand["count"].equals(b.demand["count"])
    for x, y in ((a.stations, b.stations), (a.demand, b.demand), (a.panel, b.panel)):
        assert list(x.columns) == list(y.columns)
        assert x.shape == y.shape
    assert (
        a.truth.archetypes["archetype"].value_counts().to_dict()
        == b.truth.archetypes["archetype"].value_counts().to_dict()
    )


def test_load_simulated_directory(tmp_path):
    city = sim.simulate_city(seed=5, start="2022-01-01", end="2022-12-31", n_stations=12)
    sim.write_city(city, tmp_path)
    loaded = jw.datasets.load_m_city(path=tmp_path)
    pd.testing.assert_frame_equal(loaded.demand, city.demand)
    assert loaded.truth.archetype_of() == city.truth.archetype_of()


def test_truth_maps_every_station_and_matches_adoption():
    city = jw.datasets.load_m_city()
    arche = city.truth.archetype_of()
    assert set(arche) == set(city.stations["station_id"])
    assert set(arche.values()) == set(sim.ARCHETYPES)
    att = city.truth.att
    adopters = city.stations.dropna(subset=["adoption_month"])
    sizes = adopters.groupby("adoption_month").size()
    for (_outcome, cohort), g in att.groupby(["outcome", "cohort"]):
        assert (g["n_stations"] == sizes[cohort]).all()
        assert (g["event_time"] == [(m - cohort).n for m in g["month"]]).all()
        assert (g["event_time"] >= 0).all()
    # Effects grow with time since adoption and have the documented sign.
    dyn = sim.aggregate_truth(att, "dynamic", "clearance_rate").set_index("event_time")["att"]
    assert dyn.loc[0] < dyn.loc[6] < dyn.loc[17]
    assert (sim.aggregate_truth(att, "dynamic", "response_minutes")["att"] < 0).all()
    sat = att[att["outcome"] == "satisfaction_rate"]
    assert set(sat["month"].dt.month) <= {3, 6, 9, 12}


def test_calibration_matches_the_codebook():
    city = jw.datasets.load_m_city()
    annual = city.demand.groupby(["station_id", city.demand["date"].dt.year])["count"].sum()
    per_station = annual.groupby("station_id").mean()
    # A busy urban station takes ~12,000 calls a year (codebook); rural ones far fewer.
    busiest = per_station.sort_values().iloc[-10:].mean()
    assert 10_000 < busiest < 20_000
    panel = jw.schema.add_rates(city.panel)
    first_year = panel[panel["month"].dt.year == 2018]
    assert 0.35 < first_year["clearance_rate"].mean() < 0.45
    assert 0.75 < first_year["satisfaction_rate"].mean() < 0.85
    fraud = (
        city.demand[city.demand["category"] == "fraud"].groupby(city.demand["date"].dt.year)["count"].sum()
    )
    total = city.demand.groupby(city.demand["date"].dt.year)["count"].sum()
    share = fraud / total
    assert share.is_monotonic_increasing


def test_spring_festival_moves_demand_on_lunar_dates():
    city = jw.datasets.load_m_city()
    arche = city.truth.archetype_of()
    d = city.demand.assign(archetype=city.demand["station_id"].map(arche))
    for year in (2019, 2023):
        lny = pd.Timestamp(jw.calendar.lunar_new_year(year))
        week = (d["date"] >= lny) & (d["date"] < lny + pd.Timedelta(days=6))
        before = (d["date"] >= lny - pd.Timedelta(days=35)) & (d["date"] < lny - pd.Timedelta(days=14))
        daily = lambda m, a: d[m & (d["archetype"] == a)].groupby("date")["count"].sum().mean()  # noqa: E731
        assert daily(week, "transit_hub") > 1.2 * daily(before, "transit_hub")
        assert daily(week, "commercial_core") < 0.8 * daily(before, "commercial_core")


def test_naive_before_after_overstates_the_true_effect():
    city = jw.datasets.load_m_city()
    panel = jw.schema.add_rates(city.panel)
    adopters = panel.dropna(subset=["adoption_month"])
    naive = (
        adopters[adopters["adopted"]]["clearance_rate"].mean()
        - adopters[~adopters["adopted"]]["clearance_rate"].mean()
    )
    truth = float(sim.aggregate_truth(city.truth.att, "simple", "clearance_rate")["att"].iloc[0])
    assert naive > 2 * truth
    assert 0.12 < naive < 0.20  # the published +15 to +18 points are of this kind


def test_incidents_are_consistent_with_demand():
    city = sim.simulate_city(seed=9, start="2024-03-01", end="2024-03-14", n_stations=6)
    inc = sim.simulate_incidents(city, with_personal_data=True)
    back = jw.aggregate.daily_demand(
        inc, start="2024-03-01", end="2024-03-14", station_ids=sorted(city.stations["station_id"])
    )
    pd.testing.assert_frame_equal(back, city.demand)
    assert inc["incident_id"].is_unique
    assert inc["caller_phone"].str.fullmatch(r"1[3-9]\d{9}").all()


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match="unknown simulation parameters"):
        sim.simulate_city(n_station=3)
    with pytest.raises(ValueError, match="before start"):
        sim.simulate_city(start="2020-01-01", end="2019-01-01")
