"""Workload clustering: features on hand-built data, criteria, stability, recovery of M city."""

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import adjusted_rand_score

import jingwu as jw
from jingwu import cluster as cl
from jingwu.calendar import lunar_new_year


def _demand(station, dates, counts, category="all"):
    return pd.DataFrame(
        {
            "station_id": station,
            "date": pd.DatetimeIndex(dates),
            "category": category,
            "count": np.asarray(counts, dtype="int64"),
        }
    )


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
    d = pd.concat(
        [
            _demand("A", dates, np.full(len(dates), 3), "fraud"),
            _demand("A", dates, np.full(len(dates), 1), "traffic"),
        ]
    )
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
    base = 10 * 1.1**years  # +10 % a year
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
    panel = pd.DataFrame(
        {
            "station_id": "A",
            "month": pd.PeriodIndex(["2024-01", "2024-02"], freq="M"),
            "incidents": [7, 7],
            "cases": [10, 30],
            "cleared": [5, 5],
            "response_minutes": [6.0, 8.0],
        }
    )
    inc = pd.DataFrame(
        {
            "station_id": "A",
            "reported_at": pd.to_datetime(
                ["2024-01-01 23:00", "2024-01-02 03:00", "2024-01-02 12:00", "2024-01-03 09:00"]
            ),
        }
    )
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
def m_city_features(m_city):
    city = m_city
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
    assert cl.silhouette_score(iris.data, iris.target) == pytest.approx(
        _ref("iris_species_silhouette"), rel=1e-6
    )
    assert cl.calinski_harabasz_score(iris.data, iris.target) == pytest.approx(
        _ref("iris_species_calinski_harabasz"), rel=1e-6
    )


def test_clusterboot_jaccard_matches_r_fpc_clujaccard():
    orig = np.array([0, 0, 0, 1, 1, 1])
    got = cl.clusterboot_jaccard(orig, np.array([0, 1, 3, 4]), np.array([7, 8, 8, 8]))
    assert got[0] == pytest.approx(max(_ref("jaccard_c1_b7"), _ref("jaccard_c1_b8")))
    assert got[1] == pytest.approx(_ref("jaccard_c2_b8"))


# --------------------------------------------------------------------------- one Ward tree, identical numbers


@pytest.mark.parametrize("seed", range(6))
def test_ward_cuts_of_one_tree_equal_a_fit_at_each_k(seed):
    from sklearn.cluster import AgglomerativeClustering

    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 60))
    x = rng.normal(size=(n, int(rng.integers(1, 6))))
    if seed % 2:
        x = np.round(x, 1)  # ties in the distances
    ks = range(1, min(n, 12) + 1)
    cuts = cl._ward_partitions(x, ks)
    for k in ks:
        ref = (
            np.zeros(n, int)
            if k == 1
            else AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(x)
        )
        np.testing.assert_array_equal(cuts[k], ref)


def test_gap_statistic_with_ward_is_unchanged_by_the_single_tree():
    from sklearn.cluster import AgglomerativeClustering

    rng = np.random.default_rng(4)
    x = np.r_[rng.normal(0, 0.3, (20, 3)), rng.normal(2, 0.3, (15, 3))]
    got = cl.gap_statistic(x, 6, method="ward", n_ref=7, seed=3)
    # the previous computation: a new Ward clustering for every k and reference set
    r = np.random.default_rng(3)
    xc = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    z = xc @ vt.T
    refs = [r.uniform(z.min(axis=0), z.max(axis=0), size=z.shape) @ vt for _ in range(7)]

    def log_w(data, k):
        lab = (
            np.zeros(len(data), int)
            if k == 1
            else AgglomerativeClustering(n_clusters=k, linkage="ward").fit_predict(data)
        )
        return np.log(cl._wss(data, lab))

    for k in range(1, 7):
        ref = np.array([log_w(rr, k) for rr in refs])
        row = got.set_index("k").loc[k]
        assert row["log_w"] == log_w(x, k)
        assert row["gap"] == ref.mean() - log_w(x, k)
        assert row["s"] == ref.std(ddof=0) * np.sqrt(1 + 1 / 7)


# ------------------------------------------------------------- features: memory-lean pass, bad numbers, joins


def _city_demand(n_stations=4, days=800, seed=0):
    rng = np.random.default_rng(seed)
    dates = pd.date_range("2021-01-01", periods=days)
    cats = ["criminal", "traffic", "fraud"]
    idx = pd.MultiIndex.from_product(
        [[f"S{i}" for i in range(n_stations)], dates, cats], names=["station_id", "date", "category"]
    )
    return idx.to_frame(index=False).assign(count=rng.poisson(3, len(idx)))


def test_chunked_pass_and_dtypes_give_identical_features(monkeypatch):
    d = _city_demand()
    whole = cl.workload_features(d)
    as_cat = d.assign(
        station_id=d["station_id"].astype("category"), category=d["category"].astype("category")
    )
    pd.testing.assert_frame_equal(whole, cl.workload_features(as_cat), check_exact=True)
    monkeypatch.setattr(cl._demand, "_CHUNK_ROWS", 997)
    monkeypatch.setattr(cl._demand, "_CHUNK_STATIONS", 3)
    chunked = cl.workload_features(d.sample(frac=1, random_state=1))
    # sums are exact; a least-squares solve over fewer stations may differ in the last bits
    pd.testing.assert_frame_equal(
        whole.drop(columns="seasonal_amplitude"), chunked.drop(columns="seasonal_amplitude"), check_exact=True
    )
    np.testing.assert_allclose(whole["seasonal_amplitude"], chunked["seasonal_amplitude"], rtol=1e-12)
    windowed = cl.workload_features(d, start="2021-03-01", end="2022-02-28")
    assert (
        windowed.loc["S0", "annual_incidents"]
        == d[(d["date"] >= "2021-03-01") & (d["date"] <= "2022-02-28") & (d["station_id"] == "S0")][
            "count"
        ].sum()
        * 365.25
        / 365
    )


@pytest.mark.parametrize(
    "bad, column, shown",
    [
        (np.nan, "count", "S1 2021-01-01"),
        (-2, "count", "S1 2021-01-01"),
        ("12", "count", "S1 2021-01-01"),
        (np.inf, "count", "S1 2021-01-01"),
    ],
)
def test_bad_counts_are_refused_naming_station_and_date(bad, column, shown):
    d = _city_demand(n_stations=2, days=30)
    d["count"] = d["count"].astype(object if isinstance(bad, str) else float)
    d.loc[(d["station_id"] == "S1") & (d["date"] == "2021-01-01") & (d["category"] == "fraud"), "count"] = bad
    with pytest.raises(
        jw.DataError,
        match=rf"column '{column}': 1 row\(s\) with a text, missing, infinite or "
        rf"negative count \(rows {shown}\); expected incident counts",
    ):
        cl.workload_features(d)


def test_bad_dates_and_ids_are_refused():
    d = _city_demand(n_stations=2, days=30)
    with pytest.raises(
        jw.DataError, match=r"'date'.*1 row\(s\) with a missing or unreadable date \(rows S0\)"
    ):
        cl.workload_features(d.assign(date=d["date"].where(d.index != 0)))
    with pytest.raises(jw.DataError, match=r"'date'.*time of day.*rows S0 2021-01-01"):
        cl.workload_features(d.assign(date=d["date"].where(d.index != 0, pd.Timestamp("2021-01-01 08:00"))))
    with pytest.raises(jw.DataError, match=r"'station_id'.*1 row\(s\) without a station_id \(rows row 3\)"):
        cl.workload_features(d.assign(station_id=d["station_id"].where(d.index != 3)))
    with pytest.raises(jw.DataError, match="no demand in the requested window"):
        cl.workload_features(d, start="2030-01-01")


def test_station_tables_that_do_not_match_are_reported_with_near_matches():
    d = _city_demand(n_stations=3, days=30)
    names = {"S0": "Y市公安局城关派出所", "S1": "Y市公安局东关派出所", "S2": "Y市公安局北关派出所"}
    d["station_id"] = d["station_id"].map(names)
    st = pd.DataFrame({"station_id": ["城关派出所", "东关派出所", "北关派出所"], "officers": [10, 12, 9]})
    with pytest.raises(jw.DataError) as e:
        cl.workload_features(d, st)
    msg = str(e.value)
    assert msg.startswith("stations: column 'station_id': 3 of 3 demand stations are not in stations")
    assert "remove the common prefix 'Y市公安局' (3 then match)" in msg and "not applied" in msg
    # fixed by the user: every feature is there
    fixed = st.assign(station_id="Y市公安局" + st["station_id"])
    f = cl.workload_features(d, fixed)
    assert f["incidents_per_officer"].notna().all()
    # a station in the table without demand is left out, with a warning naming it
    with pytest.warns(UserWarning, match=r"stations: 1 station\(s\) without demand rows.*新区派出所"):
        cl.workload_features(
            d, pd.concat([fixed, pd.DataFrame({"station_id": ["新区派出所"], "officers": [4]})])
        )
    # one station without officers, or with text: named
    with pytest.raises(
        jw.DataError, match=r"'officers': 1 station\(s\) with a missing, text.*Y市公安局东关派出所"
    ):
        cl.workload_features(d, fixed.assign(officers=[10, np.nan, 9]))
    with pytest.raises(jw.DataError, match=r"'officers'.*Y市公安局北关派出所"):
        cl.workload_features(d, fixed.assign(officers=pd.Series([10, 12, "九"], dtype=object)))
    # an empty officers column is simply not a feature (documented)
    assert "incidents_per_officer" not in cl.workload_features(d, fixed.assign(officers=np.nan)).columns


def test_panel_and_incidents_must_cover_the_demand_stations():
    d = _city_demand(n_stations=2, days=40)
    panel = pd.DataFrame(
        {
            "station_id": ["S0", "S0"],
            "month": pd.PeriodIndex(["2021-01", "2021-02"], freq="M"),
            "cases": [3, 4],
            "cleared": [1, 2],
        }
    )
    with pytest.raises(
        jw.DataError, match=r"panel: column 'station_id': 1 of 2 demand stations.*\(rows S1\)"
    ):
        cl.workload_features(d, panel=panel)
    inc = pd.DataFrame(
        {"station_id": ["S0", "S1", "S9"], "reported_at": pd.to_datetime(["2021-01-01 23:00"] * 3)}
    )
    with pytest.warns(UserWarning, match=r"incidents: 1 station\(s\) without demand rows.*S9"):
        f = cl.workload_features(d, incidents=inc)
    assert f["night_share"].tolist() == [1.0, 1.0]


# --------------------------------------------------------------------------- small samples (15 stations)


def _selection(ks, sizes, n, best_ch_at):
    """A select_k table where Calinski-Harabasz, Davies-Bouldin and BIC keep improving with k."""
    ks = list(ks)
    return pd.DataFrame(
        {
            "method": "kmeans",
            "k": ks,
            "silhouette": [0.5 if k == 4 else 0.3 for k in ks],
            "calinski_harabasz": [10.0 + (k == best_ch_at) * 50 + k for k in ks],
            "davies_bouldin": [1.0 - 0.05 * k for k in ks],
            "gap": [0.1 * k for k in ks],
            "gap_s": 0.01,
            "gap_next": [0.1 * (k + 1) for k in ks],
            "gap_s_next": 0.01,
            "bic": [100.0 - k for k in ks],
            "min_cluster_size": sizes,
            "n_stations": n,
        }
    )


def test_choose_k_skips_one_station_clusters_and_too_many_clusters_for_few_stations():
    sel = _selection(range(2, 10), [7, 5, 3, 3, 2, 1, 1, 1], 15, best_ch_at=8)
    # unrestricted (the old rule): CH, DB, BIC and the gap all favour the largest k
    assert cl.choose_k(sel, min_cluster_size=1, min_mean_size=1) == 9
    # no singletons (k <= 6) and at least 3 stations per cluster on average (k <= 5)
    k = cl.choose_k(sel)
    assert k == 5 and k.to_frame()["k"].max() == 5 and isinstance(k, int)
    assert set(k.summary()["k"]) <= {5, 4, 3, 2} and (k.summary()["k"] == 5).sum() >= 3
    # the old tuple form still works for a release, with a warning
    with pytest.warns(DeprecationWarning, match="return_votes"):
        k_old, votes = cl.choose_k(sel, return_votes=True)
    assert k_old == 5 and votes.equals(k.votes)
    assert cl.choose_k(sel, min_mean_size=1) == 6
    # 48 stations: the parsimony bound (16) does not bind, only the singletons do
    assert cl.choose_k(sel.assign(n_stations=48)) == 6
    with pytest.raises(ValueError, match="no candidate k"):
        cl.choose_k(sel.assign(min_cluster_size=1))
    with pytest.raises(ValueError, match="min_cluster_size"):
        cl.choose_k(sel, min_cluster_size=0)


def _fifteen_stations(seed=0):
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0, 0], [4, 0, 0], [0, 4, 0], [0, 0, 4], [4, 4, 4]], float)
    x = np.vstack([rng.normal(c, 0.4, (3, 3)) for c in centres])
    return pd.DataFrame(
        x,
        columns=["fraud_share", "growth", "seasonal_amplitude"],
        index=pd.Index([f"S{i:02d}" for i in range(15)], name="station_id"),
    )


def test_select_k_reports_the_smallest_cluster_and_singletons_are_flagged():
    X = _fifteen_stations()
    sel = cl.select_k(X, range(2, 10), methods=["kmeans", "ward"], n_ref=5)
    assert (sel["n_stations"] == 15).all()
    assert sel.loc[sel["k"] == 9, "min_cluster_size"].eq(1).all()  # 9 clusters of 15: some alone
    assert cl.choose_k(sel) == 5
    with pytest.warns(UserWarning, match=r"k = 9 leaves \d cluster\(s\) with a single station"):
        res = cl.fit(X, 9)
    summ = res.summary()
    assert summ["singleton"].tolist() == (summ["n_stations"] == 1).tolist() and summ["singleton"].any()
    assert all(name.endswith("(1 station)") for name in res.names("en")[summ["singleton"]])
    assert all(name.endswith("（单站）") for name in res.names("zh")[summ["singleton"]])
    with pytest.warns(UserWarning):
        st = cl.stability(X, 9, n_boot=10)
    assert st.clusters.loc[st.clusters["singleton"], "unstable"].all()


@pytest.mark.filterwarnings("ignore:k = 5 leaves")
def test_names_do_not_repeat_a_concept_or_follow_noise():
    X = _fifteen_stations().rename(columns={"growth": "mix_fraud"})
    X["mix_fraud"] = X["fraud_share"] + np.random.default_rng(1).normal(0, 0.01, 15)  # the same concept
    res = cl.fit(X, 5)
    for name in res.names("en"):
        assert name.count("fraud") <= 1, name  # not "high fraud, high telecom fraud"
        assert name.count(",") <= 1
    # beyond the first feature, only clear differences (|z| >= 0.5) enter a name
    row = pd.Series({"fraud_share": 1.2, "mix_fraud": 1.1, "growth": 0.4, "dow_tue": 1.0})
    assert cl._name_features(row) == [("fraud_share", 1.2)]
    assert cl._name_features(row.replace(0.4, -0.6)) == [("fraud_share", 1.2), ("growth", -0.6)]


def test_only_clashing_names_grow_and_equal_ones_are_numbered():
    # clusters 1 and 2 differ from 3 only in the same direction on fraud: their names would clash
    X = pd.DataFrame(
        {
            "fraud_share": [5, 5.1, 4.9, 5, 5.1, 4.9, 0, 0.1, -0.1],
            "growth": [1, 1.1, 0.9, -1, -1.1, -0.9, 0, 0.1, -0.1],
        },
        index=[f"S{i}" for i in range(9)],
    )
    assert cl.fit(X, 3).names("en").tolist() == [
        "High growth, high fraud",
        "Low growth, high fraud",
        "Low fraud",
    ]
    # one feature cannot tell two low clusters apart: they are numbered, not named after noise
    Z = pd.DataFrame({"growth": [1, 1.1, 0.9, 3, 3.1, 2.9, 0, 0.1, -0.1]}, index=[f"S{i}" for i in range(9)])
    assert cl.fit(Z, 3).names("en").tolist() == ["High growth", "Low growth (2)", "Low growth (3)"]


@pytest.mark.slow
def test_fifteen_simulated_stations_no_longer_get_one_station_clusters():
    # Issue "small samples": 15 simulated stations (seed 1) used to give k = 9 with six singletons.
    city = jw.simulate.simulate_city(seed=1, n_stations=15, start="2021-01-01", end="2023-12-31")
    f = cl.workload_features(city.demand, city.stations, panel=city.panel)
    X = f[cl.workload_columns(f)]
    sel = cl.select_k(X, range(2, 10), n_ref=20)
    assert cl.choose_k(sel, min_cluster_size=1, min_mean_size=1) == 9
    k = cl.choose_k(sel)
    assert k == 5
    res = cl.fit(X, k)
    truth = city.truth.archetypes.set_index("station_id")["archetype"].reindex(f.index)
    assert adjusted_rand_score(truth, res.labels) == 1.0
    assert not res.summary()["singleton"].any() and res.names().is_unique
