"""Workload clustering: features on hand-built data, criteria, stability, recovery of M city."""
import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import jingwu as jw
from jingwu import cluster as cl
from jingwu.calendar import lunar_new_year


def _demand(station, dates, counts, category="all"):
    return pd.DataFrame({"station_id": station, "date": pd.DatetimeIndex(dates),
                         "category": category, "count": np.asarray(counts, dtype="int64")})


# --------------------------------------------------------------------------- features

def test_weekly_shares_and_volume_on_hand_built_data():
    dates = pd.date_range("2024-03-04", periods=28)  # Monday, four full weeks, no holidays
    counts = np.where(dates.dayofweek == 5, 6, 1)  # Saturdays 6, other days 1
    f = cl.workload_features(_demand("A", dates, counts))
    assert f.loc["A", "dow_sat"] == pytest.approx(6 / 12)
    assert f.loc["A", "dow_mon"] == pytest.approx(1 / 12)
    assert f.loc["A", "annual_incidents"] == pytest.approx(counts.sum() * 365.25 / 28)
    # only category "all" and no station table: no mix, no per-officer volume
    assert not any(c.startswith("mix_") for c in f.columns)
    assert "incidents_per_officer" not in f.columns and "fraud_share" not in f.columns


def test_mix_per_officer_per_resident_and_fraud_share():
    dates = pd.date_range("2023-01-01", "2023-12-31")
    d = pd.concat([_demand("A", dates, np.full(len(dates), 3), "fraud"),
                   _demand("A", dates, np.full(len(dates), 1), "traffic")])
    st = pd.DataFrame({"station_id": ["A"], "district": ["D1"], "officers": [10], "population": [20000]})
    f = cl.workload_features(d, st)
    assert f.loc["A", "mix_fraud"] == pytest.approx(0.75)
    assert f.loc["A", "mix_traffic"] == pytest.approx(0.25)
    assert f.loc["A", "fraud_share"] == pytest.approx(0.75)
    assert f.loc["A", "annual_incidents"] == pytest.approx(4 * 365)
    assert f.loc["A", "incidents_per_officer"] == pytest.approx(4 * 365 / 10)
    assert f.loc["A", "incidents_per_10k"] == pytest.approx(4 * 365 / 2)


def test_spring_festival_growth_and_seasonality():
    dates = pd.date_range("2020-01-01", "2023-12-31")
    years = dates.year - 2020
    base = 10 * 1.1 ** years  # +10 % a year
    t = 2 * np.pi * dates.dayofyear / 365.25
    lam = base * (1 + 0.2 * np.cos(t))
    sf = np.zeros(len(dates), dtype=bool)
    for y in range(2020, 2024):
        off = (dates - pd.Timestamp(lunar_new_year(y))).days
        sf |= (off >= -1) & (off <= 6)
    lam = np.where(sf, 2 * lam, lam)
    f = cl.workload_features(_demand("A", dates, np.round(lam * 100)))
    assert f.loc["A", "growth"] == pytest.approx(0.1, abs=0.01)
    assert f.loc["A", "seasonal_amplitude"] == pytest.approx(0.2, abs=0.02)
    assert f.loc["A", "spring_festival"] == pytest.approx(2.0, rel=0.05)


def test_panel_and_incident_features():
    dates = pd.date_range("2024-01-01", periods=14)
    d = _demand("A", dates, np.ones(14))
    panel = pd.DataFrame({"station_id": "A", "month": pd.PeriodIndex(["2024-01", "2024-02"], freq="M"),
                          "incidents": [7, 7], "cases": [10, 30], "cleared": [5, 5],
                          "response_minutes": [6.0, 8.0]})
    inc = pd.DataFrame({"station_id": "A", "reported_at": pd.to_datetime(
        ["2024-01-01 23:00", "2024-01-02 03:00", "2024-01-02 12:00", "2024-01-03 09:00"])})
    f = cl.workload_features(d, panel=panel, incidents=inc)
    assert f.loc["A", "clearance_rate"] == pytest.approx(10 / 40)
    assert f.loc["A", "response_minutes"] == pytest.approx(7.0)
    assert f.loc["A", "night_share"] == pytest.approx(0.5)


def test_bad_input_raises_data_error_and_input_is_untouched():
    d = _demand("A", pd.date_range("2024-01-01", periods=3), [1, -1, 2])
    with pytest.raises(jw.DataError):
        cl.workload_features(d)
    with pytest.raises(jw.DataError):
        cl.workload_features(d.drop(columns="count"))
    good = _demand("A", pd.date_range("2024-01-01", periods=3), [1, 1, 2])
    before = good.copy()
    cl.workload_features(good)
    pd.testing.assert_frame_equal(good, before)
    with pytest.raises(jw.DataError):
        cl.fit(pd.DataFrame({"a": [1.0, np.nan, 2.0, 3.0]}), k=2)


def test_every_feature_is_described():
    t = cl.describe_features()
    assert set(t["feature"]) == set(cl.FEATURES)
    assert t[["label_zh", "label_en", "definition"]].ne("").all().all()


def test_clr_transform():
    x = np.array([[0.2, 0.3, 0.5]])
    out = cl.CLRTransform().fit_transform(x)
    assert out.sum() == pytest.approx(0)
    assert out[0] == pytest.approx(np.log(x[0]) - np.log(x[0]).mean())


# --------------------------------------------------------------------------- criteria

def test_criteria_match_hand_computed_values():
    # 1-D points {0, 1} and {4, 6}; scale-invariant criteria computed by hand
    X = pd.DataFrame({"a": [0.0, 1.0, 4.0, 6.0]})
    sel = cl.select_k(X, [2], methods=["kmeans"], n_ref=5)
    row = sel.iloc[0]
    assert row["silhouette"] == pytest.approx((0.8 + 0.75 + (1 - 2 / 3.5) + (1 - 2 / 5.5)) / 4)
    assert row["calinski_harabasz"] == pytest.approx(20.25 / (2.5 / 2))
    assert row["davies_bouldin"] == pytest.approx(1.5 / 4.5)


def _blobs(n_per=15, k=3, seed=0, sd=0.3):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0], [5, 0, 0], [0, 5, 5]])[:k]
    x = np.vstack([rng.normal(c, sd, (n_per, 3)) for c in centres])
    return pd.DataFrame(x, columns=["a", "b", "c"]), np.repeat(np.arange(k), n_per)


def test_select_k_picks_three_on_three_blobs():
    X, _ = _blobs()
    sel = cl.select_k(X, range(2, 7), n_ref=10)
    assert cl.choose_k(sel) == 3
    assert set(sel["method"]) == set(cl.METHODS)
    assert sel.loc[sel["method"] == "gmm", "bic"].notna().all()


def test_fit_recovers_blobs_and_is_deterministic():
    X, truth = _blobs()
    a = cl.fit(X, 3, seed=7)
    b = cl.fit(X, 3, seed=7)
    assert adjusted_rand_score(truth, a.labels) == 1.0
    pd.testing.assert_series_equal(a.labels, b.labels)
    assert a.profiles().shape == (3, 3)
    assert a.names().is_unique
    assert list(a.to_frame().columns[:3]) == ["station_id", "cluster", "cluster_name"]
    for m in ("ward", "gmm"):
        assert adjusted_rand_score(truth, cl.fit(X, 3, m).labels) == 1.0


def test_clusterboot_jaccard_definition():
    # fpc::clusterboot, bootmethod "boot": Jaccard on the distinct sampled points
    orig = np.array([0, 0, 0, 1, 1, 1])
    sample = np.array([0, 1, 3, 4])
    boot = np.array([7, 8, 8, 8])
    # cluster 0 on sample = {0,1}; best boot cluster {0} -> 1/2, {1,3,4} -> 1/4
    # cluster 1 on sample = {3,4}; {1,3,4} -> 2/3
    assert cl.clusterboot_jaccard(orig, sample, boot) == pytest.approx([0.5, 2 / 3])
    assert cl.clusterboot_jaccard(orig, np.array([3, 4]), np.array([1, 1]))[0] == 0.0


def test_stability_high_on_blobs_low_on_noise():
    X, _ = _blobs()
    st = cl.stability(X, 3, n_boot=20)
    assert st.min_jaccard > 0.95 and not st.clusters["unstable"].any()
    assert st.ari.mean() > 0.95
    noise = pd.DataFrame(np.random.default_rng(3).normal(size=(40, 8)))
    sn = cl.stability(noise, 4, n_boot=20)
    assert sn.clusters["jaccard_mean"].mean() < 0.6
    assert sn.clusters["unstable"].any()
    assert sn.ari.mean() < 0.5


# --------------------------------------------------------------------------- M city

@pytest.fixture(scope="module")
def m_city_features():
    city = jw.datasets.load_m_city()
    f = cl.workload_features(city.demand, city.stations, panel=city.panel)
    truth = city.truth.archetypes.set_index("station_id")["archetype"].reindex(f.index)
    return f, truth


def test_m_city_recovers_the_five_archetypes(m_city_features):
    f, truth = m_city_features
    X = f[cl.workload_columns(f)]
    sel = cl.select_k(X, range(2, 8), n_ref=10)
    k = cl.choose_k(sel)
    assert k == 5
    res = cl.fit(X, k, describe=f[list(cl.OUTCOME_FEATURES)])
    assert adjusted_rand_score(truth, res.labels) >= 0.9
    assert res.names().is_unique
    assert "clearance_rate" in res.profiles().columns


# --------------------------------------------------------------------------- R reference numbers

REFERENCE = pd.read_csv(__import__("pathlib").Path(__file__).parent / "reference" / "cluster_reference.csv")


def _ref(quantity):
    return float(REFERENCE.set_index("quantity").loc[quantity, "value"])


def test_criteria_match_r_fpc_on_iris():
    # tests/reference/cluster_reference.R: fpc::cluster.stats on iris by species
    from sklearn.datasets import load_iris

    iris = load_iris()
    assert cl.silhouette_score(iris.data, iris.target) == pytest.approx(_ref("iris_species_silhouette"), rel=1e-6)
    assert cl.calinski_harabasz_score(iris.data, iris.target) == pytest.approx(
        _ref("iris_species_calinski_harabasz"), rel=1e-6)


def test_clusterboot_jaccard_matches_r_fpc_clujaccard():
    orig = np.array([0, 0, 0, 1, 1, 1])
    got = cl.clusterboot_jaccard(orig, np.array([0, 1, 3, 4]), np.array([7, 8, 8, 8]))
    assert got[0] == pytest.approx(max(_ref("jaccard_c1_b7"), _ref("jaccard_c1_b8")))
    assert got[1] == pytest.approx(_ref("jaccard_c2_b8"))
