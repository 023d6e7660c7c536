"""Chicago case-study helpers: panels, cohort coding, estimates and tables."""

import warnings

import numpy as np
import pandas as pd
import pytest

import jingwu as jw
from jingwu import effects as ef
from jingwu.studies import chicago

EARLY = ["006", "007", "009", "010", "011", "015"]  # SDSC opened before the survey (2017-11)


@pytest.fixture(scope="module")
def chi(chicago_best):
    return chicago_best


@pytest.fixture(scope="module")
def chi_cons(chicago_conservative):
    return chicago_conservative


def _toy_panel(seed=0, effect=2.0, n_units=12, n_months=10):
    rng = np.random.default_rng(seed)
    months = pd.period_range("2020-01", periods=n_months, freq="M")
    df = pd.DataFrame(
        [(f"{i:03d}", m) for i in range(n_units) for m in months], columns=["station_id", "month"]
    )
    first = {0: "2020-04", 1: "2020-06", 2: None}
    df["adoption_month"] = pd.PeriodIndex([first[int(s) % 3] for s in df["station_id"]], freq="M")
    treated = (df["month"] >= df["adoption_month"]).to_numpy()
    df["y"] = (
        df["station_id"].astype(int)
        + 0.2 * df["month"].dt.month
        + effect * treated
        + rng.normal(0, 0.3, len(df))
    )
    return df


# --------------------------------------------------------------------------- roll-out and cohorts
def test_adoption_table_roles_and_gaps(chi, chi_cons):
    t = chicago.adoption_table(chi, chi_cons)
    assert len(t) == 22 and t["station_id"].is_unique
    role = t.set_index("station_id")["sentiment_role"]
    assert sorted(role[role == "opened before survey"].index) == EARLY
    assert role["016"] == "never treated" and (role == "treated in window").sum() == 15
    assert (t["gap_months"].dropna() >= 0).all()
    assert t.set_index("station_id").loc["009", "gap_months"] == 5
    assert not t.set_index("station_id").loc["006", "month_named"]  # best falls back to conservative


def test_adoption_table_rejects_other_objects(chi):
    with pytest.raises(ValueError, match="Chicago"):
        chicago.adoption_table(chi, chi.stations)


def test_sentiment_panel_drops_pre_survey_adopters(chi, chi_cons):
    for data in (chi, chi_cons):
        p = chicago.sentiment_panel(data)
        assert p.attrs["already_treated"] == EARLY
        assert p["station_id"].nunique() == 16 and len(p) == 16 * 64
        assert not p["station_id"].isin(EARLY).any() and not p["already_treated"].any()
        assert set(p["cohort"]) == {"2018", "2019", "2020", "never"}
        assert (p["adoption_month"].dropna() > pd.Period("2017-11", "M")).all()
        assert p[["trust", "safety"]].notna().all().all()


def test_sentiment_panel_keeps_pre_survey_adopters_as_controls(chi):
    p = chicago.sentiment_panel(chi, already_treated="control")
    assert len(p) == 22 * 64
    early = p[p["station_id"].isin(EARLY)]
    assert early["already_treated"].all() and early["adoption_month"].isna().all()
    assert set(early["cohort"]) == {"before survey"}
    assert not p.loc[~p["station_id"].isin(EARLY), "already_treated"].any()


def test_sentiment_panel_window_and_bad_arguments(chi):
    p = chicago.sentiment_panel(chi, end="2020-02")
    assert p["month"].max() == pd.Period("2020-02", "M") and len(p) == 16 * 28
    # 001 opened after the window: the estimators treat it as not treated in the window.
    assert p.loc[p["station_id"] == "001", "adoption_month"].iloc[0] == pd.Period("2020-06", "M")
    with pytest.raises(ValueError, match="already_treated"):
        chicago.sentiment_panel(chi, already_treated="keep")
    with pytest.raises(ValueError, match="month"):
        chicago.sentiment_panel(chi, end="February")
    with pytest.raises(ValueError, match="before the first survey month"):
        chicago.sentiment_panel(chi, end="2016-01")
    with pytest.raises(ValueError, match="Chicago"):
        chicago.sentiment_panel(chi.panel)


def test_why_pre_survey_adopters_are_dropped(chi):
    """Left in, the estimators would drop them with a warning; the helper makes it explicit."""
    raw = chi.panel.dropna(subset=["trust"])
    with pytest.warns(UserWarning, match="already treated in the first period"):
        ef.att_gt(raw, "trust", "station_id", "month", "adoption_month", control_group="notyettreated")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ef.att_gt(
            chicago.sentiment_panel(chi),
            "trust",
            "station_id",
            "month",
            "adoption_month",
            control_group="notyettreated",
        )


def test_crime_panel_rows_and_seasonal_adjustment(chi):
    p = chicago.crime_panel(chi)
    assert len(p) == 22 * 121 and p["month"].min() == pd.Period("2012-01", "M")
    assert (p["crimes"] > 0).all() and np.allclose(np.exp(p["log_crimes"]), p["crimes"])
    ref = p[p["month"] <= pd.Period("2016-12", "M")].copy()
    ref["factor"] = ref["log_crimes"] - ref["log_crimes_sa"]
    # one factor per district and calendar month, averaging zero over the year
    per = ref.groupby(["station_id", ref["month"].dt.month])["factor"].agg(["min", "max"])
    assert np.allclose(per["min"], per["max"])
    assert np.allclose(per["min"].groupby(level=0).mean(), 0)
    # the adjusted series has no calendar-month pattern left in the reference years
    resid = ref.groupby(["station_id", ref["month"].dt.month])["log_crimes_sa"].mean()
    assert np.allclose(resid.groupby(level=0).std(), 0, atol=1e-12)
    assert set(p["cohort"]) == {"2017", "2018", "2019", "2020", "never"}


def test_crime_panel_bad_arguments(chi):
    with pytest.raises(ValueError, match="before the first SDSC"):
        chicago.crime_panel(chi, seasonal_reference=("2015-01", "2017-06"))
    with pytest.raises(jw.DataError, match="12 calendar months"):
        chicago.crime_panel(chi, seasonal_reference=("2016-01", "2016-06"))
    with pytest.raises(ValueError, match="pair"):
        chicago.crime_panel(chi, seasonal_reference="2016")
    with pytest.raises(ValueError, match="no crime data"):
        chicago.crime_panel(chi, start="2023-01")


def test_placebo_panel_keeps_untreated_rows_only(chi):
    sent = chicago.sentiment_panel(chi)
    pl = chicago.placebo_panel(sent, leads=12)
    assert (pl["adoption_month"].isna() | (pl["month"] < pl["adoption_month"])).all()
    per_unit = pl.groupby("station_id")["placebo"].sum()
    assert per_unit["016"] == 0 and per_unit["001"] == 12 and per_unit["003"] == 3  # 2018-02: 3 survey months
    with pytest.raises(ValueError, match="leads"):
        chicago.placebo_panel(sent, leads=0)


# --------------------------------------------------------------------------- estimates
def test_estimate_recovers_a_known_effect_and_is_deterministic():
    df = _toy_panel()
    a = chicago.estimate(df, "y", n_boot=199, seed=3)
    b = chicago.estimate(df, "y", n_boot=199, seed=3)
    pd.testing.assert_frame_equal(a, b)
    assert a["estimator"].tolist() == ["cs", "imputation", "twfe"]
    assert np.allclose(a["att"], 2.0, atol=0.3)
    assert (a["ci_lower"] < a["att"]).all() and (a["att"] < a["ci_upper"]).all()
    assert a.loc[a["estimator"] == "twfe", "p_wild"].iloc[0] < 0.05
    assert a.loc[a["estimator"] != "twfe", "p_wild"].isna().all()
    assert (a["n_units"] == 12).all() and (a["n_treated"] == 8).all()


def test_estimate_on_the_sentiment_panel(chi):
    sent = chicago.sentiment_panel(chi)
    out = chicago.estimate(sent, "trust", n_boot=199, seed=0)
    again = chicago.estimate(sent, "trust", n_boot=199, seed=0)
    pd.testing.assert_frame_equal(out, again)
    assert (out["n_units"] == 16).all() and (out["n_treated"] == 15).all()
    assert out["att"].between(-20, 20).all() and out["p_wild"].iloc[2] > 0


def test_estimate_bad_arguments():
    df = _toy_panel()
    with pytest.raises(ValueError, match="estimators"):
        chicago.estimate(df, "y", estimators=["ols"])
    with pytest.raises(ValueError, match="alpha must be in"):
        chicago.estimate(df, "y", alpha=1.5)
    # the old spellings still work for a release, with a warning, and give the same numbers
    with (
        pytest.warns(DeprecationWarning, match="alp= is deprecated"),
        pytest.raises(ValueError, match="alpha must be in"),
    ):
        chicago.estimate(df, "y", alp=1.5)
    with pytest.warns(DeprecationWarning, match="B= is deprecated"):
        old = chicago.estimate(df, "y", B=99, estimators=["twfe"])
    assert old.equals(chicago.estimate(df, "y", n_boot=99, estimators=["twfe"]))
    with pytest.raises(jw.DataError):
        chicago.estimate(df, "missing")


def test_robustness_table_stacks_specifications():
    df = _toy_panel()
    t = chicago.robustness_table(
        {"a": df, "b": df.assign(y=df["y"] * 2)}, "y", estimators={"b": ["cs", "twfe"]}, n_boot=99
    )
    assert t["spec"].tolist() == ["a", "a", "a", "b", "b"]
    assert np.isclose(t.loc[3, "att"], 2 * t.loc[0, "att"])
    with pytest.raises(ValueError, match="unknown specifications"):
        chicago.robustness_table({"a": df}, "y", control_groups={"z": "nevertreated"})
    with pytest.raises(ValueError, match="non-empty"):
        chicago.robustness_table({}, "y")


def test_event_studies_window_and_estimators():
    es = chicago.event_studies(_toy_panel(), "y", window=(-3, 2))
    assert set(es["estimator"]) == {"cs", "sa", "imputation"}
    assert es["event_time"].between(-3, 2).all()
    post = es[es["event_time"] >= 0]
    assert np.allclose(post["att"], 2.0, atol=0.5)
    with pytest.raises(ValueError, match="window"):
        chicago.event_studies(_toy_panel(), "y", window=(0, 3))


def test_compare_datings_and_percent():
    best = pd.DataFrame(
        {
            "outcome": ["trust", "crime"],
            "estimator": ["cs", "cs"],
            "att": [-1.0, 0.1],
            "ci_lower": [-2.0, 0.0],
            "ci_upper": [0.0, 0.2],
        }
    )
    cons = best.assign(att=[-0.5, 0.0])
    out = chicago.compare_datings(best, cons)
    assert out["outcome"].tolist() == ["trust", "crime"]  # order kept
    assert np.allclose(out["difference"], [0.5, -0.1])
    with pytest.raises(ValueError, match="more than one row"):
        chicago.compare_datings(pd.concat([best, best]), cons)
    assert np.isclose(chicago.log_to_percent(np.log(1.1)), 10.0)
    pct = chicago.to_percent(best.assign(se=0.01))
    assert np.isclose(pct.loc[1, "att"], 100 * np.expm1(0.1)) and np.isclose(pct.loc[1, "se"], np.exp(0.1))


def test_glance_table():
    e = pd.DataFrame(
        {
            "outcome": ["trust", "trust", "crime", "crime"],
            "unit": ["points", "points", "%", "%"],
            "estimator": ["cs", "twfe"] * 2,
            "att": [-1.0, -0.5, -2.345, -8.0],
            "ci_lower": [-2.0, -1.5, -5.0, -15.0],
            "ci_upper": [0.0, 0.5, 1.0, -1.0],
            "p_wild": [np.nan, 0.3, np.nan, 0.02],
        }
    )
    pre = pd.DataFrame({"outcome": ["crime", "trust"], "placebo_p_wild": [0.1, 0.6]})
    g = chicago.glance_table(e, pre, alternatives={"alt": e})
    assert g["outcome"].tolist() == ["trust", "crime"]
    assert g.loc[1, "cs [95% CI]"] == "-2.3 [-5.0, 1.0]" and g.loc[0, "cs [95% CI]"] == "-1.00 [-2.00, 0.00]"
    assert g["twfe_p_wild"].tolist() == [0.3, 0.02] and g["placebo_p_wild"].tolist() == [0.6, 0.1]
    assert "cs [95% CI], alt" in g.columns
    with pytest.raises(ValueError, match="one row per outcome"):
        chicago.glance_table(pd.concat([e, e]))


# --------------------------------------------------------------------------- forecasting helpers
def test_reconciled_backtest_is_coherent_and_levels_are_named():
    g = pd.DataFrame({"station_id": ["001", "002", "003"], "district": ["area_1", "area_1", "area_2"]})
    S = jw.forecast.summing_matrix(g, ["district"], "station_id", total="city")
    assert chicago.node_levels(S).to_dict() == {
        "city": "city",
        "area_1": "area",
        "area_2": "area",
        "001": "district",
        "002": "district",
        "003": "district",
    }
    rng = np.random.default_rng(2)
    ds = pd.date_range("2024-01-01", periods=63)
    d = pd.DataFrame(
        {"station_id": np.repeat(g["station_id"], 63), "date": np.tile(ds, 3), "count": rng.poisson(20, 189)}
    )
    nodes = jw.forecast.aggregate_hierarchy(d, S, id_col="station_id", time_col="date", target_col="count")
    bt = jw.forecast.backtest(
        nodes, h=7, n_windows=3, models=["naive"], id_col="station_id", time_col="date", target_col="count"
    )
    rec = chicago.reconcile_backtest(bt, S, "naive")
    assert rec.models == ["snaive", "naive", "naive_bottom_up", "naive_mint_shrink"]
    for m in ("naive_bottom_up", "naive_mint_shrink"):
        f = rec.forecasts[rec.forecasts["model"] == m]
        for c in rec.cutoffs:
            w = f[f["cutoff"] == c]
            assert jw.forecast.coherence_error(w, S) < 1e-8
    acc = chicago.accuracy_by_level(rec, S)
    assert acc["level"].unique().tolist() == ["district", "area", "city"]
    assert np.allclose(acc.loc[acc["model"] == "snaive", "mase_vs_snaive"], 1.0)
    with pytest.raises(ValueError, match="not in the backtest"):
        chicago.reconcile_backtest(bt, S, "ets")
    with pytest.raises(ValueError, match="methods"):
        chicago.reconcile_backtest(bt, S, "naive", methods=["top_down"])
