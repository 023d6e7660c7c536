"""Aggregation round trips: incidents -> daily -> monthly."""

import pandas as pd
import pytest

import jingwu as jw
from jingwu import simulate as sim


@pytest.fixture(scope="module")
def small():
    city = sim.simulate_city(seed=11, start="2024-01-01", end="2024-03-31", n_stations=8)
    return city, sim.simulate_incidents(city)


def test_daily_sums_equal_monthly(small):
    city, inc = small
    daily = jw.aggregate.daily_demand(inc)
    monthly = jw.aggregate.monthly_panel(incidents=inc, stations=city.stations)
    by_month = (
        daily.assign(month=daily["date"].dt.to_period("M")).groupby(["station_id", "month"])["count"].sum()
    )
    assert (monthly.set_index(["station_id", "month"])["incidents"] == by_month).all()
    assert monthly["incidents"].sum() == len(inc)
    # Cases and clearances counted from the records.
    assert monthly["cases"].sum() == inc["is_case"].sum()
    assert monthly["cleared"].sum() == inc["cleared"].sum()
    assert (monthly["cleared"] <= monthly["cases"]).all()


def test_bundled_panel_incidents_equal_daily_demand(m_city):
    city = m_city
    monthly = jw.aggregate.demand_to_monthly(city.demand)
    merged = city.panel.merge(monthly, on=["station_id", "month"], suffixes=("", "_daily"))
    assert len(merged) == len(city.panel)
    assert (merged["incidents"] == merged["incidents_daily"]).all()


def test_streaming_from_parquet_and_csv_matches_memory(small, tmp_path):
    _, inc = small
    in_memory = jw.aggregate.daily_demand(inc)
    pq = tmp_path / "inc.parquet"
    inc.to_parquet(pq)
    csv = tmp_path / "inc.csv"
    inc.to_csv(csv, index=False)
    pd.testing.assert_frame_equal(jw.aggregate.daily_demand(pq), in_memory)
    pd.testing.assert_frame_equal(jw.aggregate.daily_demand(csv), in_memory)


def test_zero_fill_keeps_quiet_stations(small):
    city, inc = small
    ids = sorted(city.stations["station_id"]) + ["S99"]
    d = jw.aggregate.daily_demand(inc[inc["station_id"] != "S02"], station_ids=ids)
    quiet = d[d["station_id"].isin(["S02", "S99"])]
    assert len(quiet) == 2 * 91 * 7 and quiet["count"].eq(0).all()


def test_missing_columns_and_bad_categories_raise(small, tmp_path):
    _, inc = small
    with pytest.raises(jw.DataError, match="category"):
        jw.aggregate.daily_demand(inc.drop(columns="category"))
    bad = inc.head(20).copy()
    bad.loc[bad.index[3], "category"] = "burglary"
    with pytest.raises(jw.DataError, match="unknown categories"):
        jw.aggregate.daily_demand(bad)
    with pytest.raises(jw.DataError, match="no incident records"):
        jw.aggregate.daily_demand(inc.iloc[:0])
    f = tmp_path / "x.json"
    f.write_text("a")
    with pytest.raises(jw.DataError, match="unsupported file type"):
        jw.aggregate.daily_demand(f)


def test_hourly_counts_sum_to_records(small):
    _, inc = small
    h = jw.aggregate.hourly_counts(inc)
    assert h["count"].sum() == len(inc)
    assert h["dow"].between(0, 6).all() and h["hour"].between(0, 23).all()
