"""Bundled datasets load, validate and have the documented shape."""

import pandas as pd
import pytest

import jingwu as jw


def test_m_city_shape():
    city = jw.datasets.load_m_city()
    assert len(city.stations) == 48 and city.stations["district"].nunique() == 6
    assert city.demand["date"].min() == pd.Timestamp("2018-01-01")
    assert city.demand["date"].max() == pd.Timestamp("2024-12-31")
    assert set(city.demand["category"].astype(str)) == set(jw.schema.CATEGORIES)
    assert len(city.panel) == 48 * 84
    never = city.stations["adoption_month"].isna().sum()
    assert 5 <= never <= 15 and city.stations["adoption_month"].nunique() == 5


def test_chicago_rows_ranges_and_cohorts():
    chi = jw.datasets.load_chicago()
    assert len(chi.stations) == 22
    assert chi.demand["station_id"].nunique() == 22
    days = (pd.Timestamp("2022-01-31") - pd.Timestamp("2001-01-01")).days + 1
    assert len(chi.demand) == 22 * days
    assert (chi.demand["count"] >= 0).all()
    sent = chi.panel.dropna(subset=["trust"])
    assert sent["month"].min() == pd.Period("2017-11") and sent["month"].max() == pd.Period("2023-02")
    assert sent["trust"].between(0, 100).all() and sent["safety"].between(0, 100).all()
    assert len(sent) == 22 * 64
    adopt = chi.stations.set_index("station_id")["adoption_month"]
    assert pd.isna(adopt["016"])
    assert adopt["007"] == pd.Period("2017-02") and adopt["001"] == pd.Period("2020-06")
    assert adopt.dropna().dt.year.value_counts().sort_index().to_dict() == {
        2017: 6,
        2018: 7,
        2019: 7,
        2020: 1,
    }
    # "best" falls back to the conservative month where no source names one.
    assert adopt["006"] == pd.Period("2017-08")
    cons = jw.datasets.load_chicago(dating="conservative").stations.set_index("station_id")["adoption_month"]
    assert (cons.dropna() >= adopt.dropna()).all() and cons["007"] == pd.Period("2017-03")


def test_chicago_monthly_file_sums_the_daily_one():
    chi = jw.datasets.load_chicago()
    monthly = jw.aggregate.demand_to_monthly(chi.demand)
    merged = chi.panel.dropna(subset=["incidents"]).merge(monthly, on=["station_id", "month"])
    assert (merged["incidents_x"].astype(int) == merged["incidents_y"]).all()


def test_bad_dating_rejected():
    with pytest.raises(ValueError, match="dating"):
        jw.datasets.load_chicago(dating="latest")


def test_corrupted_bundle_raises_data_error(tmp_path):
    from jingwu import simulate as sim

    city = sim.simulate_city(seed=3, start="2024-01-01", end="2024-01-31", n_stations=6)
    sim.write_city(city, tmp_path)
    panel = pd.read_csv(tmp_path / "panel.csv", dtype=str)
    panel.loc[2, "cleared"] = "-1"
    panel.to_csv(tmp_path / "panel.csv", index=False)
    with pytest.raises(jw.DataError, match=r"panel.csv: column 'cleared'"):
        jw.datasets.load_m_city(path=tmp_path)
