"""The staggered-adoption study on M city recovers the simulator's truth; helpers behave."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jingwu import effects as ef
from jingwu.errors import DataError

OUTCOMES = list(ef.OUTCOMES)


@pytest.fixture(scope="module")
def city(m_city):
    return m_city


@pytest.fixture(scope="module")
def comparisons(city):
    out = {}
    for outcome in OUTCOMES:
        data = ef.outcome_panel(city.panel, outcome)
        out[outcome] = ef.compare_estimators(data).set_index("estimator")
    return out


def _truth(city, outcome, kind="simple"):
    return ef.truth_effects(city.truth.att, outcome, kind)


@pytest.mark.parametrize("outcome", OUTCOMES)
@pytest.mark.parametrize("estimator", ["cs_never", "cs_notyet", "imputation"])
def test_staggered_estimators_cover_truth(city, comparisons, outcome, estimator):
    truth = float(_truth(city, outcome)["att"].iloc[0])
    row = comparisons[outcome].loc[estimator]
    assert row["ci_lower"] <= truth <= row["ci_upper"], (outcome, estimator, truth, row.to_dict())


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_twfe_is_biased_towards_zero(city, comparisons, outcome):
    # Effects grow after adoption, so already-treated controls absorb part of
    # the effect: TWFE is attenuated and its CI misses the truth.
    truth = float(_truth(city, outcome)["att"].iloc[0])
    row = comparisons[outcome].loc["twfe"]
    assert abs(row["att"]) < abs(truth)
    assert not (row["ci_lower"] <= truth <= row["ci_upper"])
    assert abs(row["att"] - truth) > 0.25 * abs(truth)


def test_naive_before_after_overstates_clearance(city, comparisons):
    truth = float(_truth(city, "clearance_rate")["att"].iloc[0])
    naive = comparisons["clearance_rate"].loc["naive", "att"]
    assert naive > 1.5 * truth


@pytest.mark.parametrize("outcome", OUTCOMES)
def test_event_study_covers_truth_at_most_horizons(city, outcome):
    data = ef.outcome_panel(city.panel, outcome)
    dyn = ef.att_gt(data, "y", "station_id", "period", "cohort").aggregate("dynamic").to_frame()
    truth = _truth(city, outcome, "dynamic")
    m = dyn.merge(truth, on="event_time", suffixes=("", "_true"))
    assert len(m) >= 10
    covered = ((m["ci_lower"] <= m["att_true"]) & (m["att_true"] <= m["ci_upper"])).mean()
    assert covered >= 0.85, covered


def test_cohort_effects_cover_truth(city):
    data = ef.outcome_panel(city.panel, "response_minutes")
    grp = ef.att_gt(data, "y", "station_id", "period", "cohort").aggregate("group").to_frame()
    truth = _truth(city, "response_minutes", "group").rename(columns={"cohort": "group"})
    m = grp.merge(truth, on="group", suffixes=("", "_true"))
    assert len(m) == 5
    assert ((m["ci_lower"] <= m["att_true"]) & (m["att_true"] <= m["ci_upper"])).all()
    # earlier cohorts gain more (the simulator's design), and the estimates see it
    assert m["att"].iloc[0] < m["att"].iloc[-1]


def test_outcome_panel_satisfaction_is_quarterly(city):
    d = ef.outcome_panel(city.panel, "satisfaction_rate", city.stations)
    assert d["period"].dtype == pd.PeriodDtype("Q")
    assert not d.duplicated(["station_id", "period"]).any()
    assert "district" in d.columns
    assert d["y"].between(0, 1).all()
    # adoption in January / July: the first treated survey is the same quarter
    adopt = city.stations.set_index("station_id")["adoption_month"].dropna()
    cohorts = d.dropna(subset=["cohort"]).groupby("station_id")["cohort"].first()
    assert (cohorts == adopt.dt.asfreq("Q").reindex(cohorts.index)).all()
    assert d["cohort"].isna().groupby(d["station_id"]).first().sum() == 10


def test_outcome_panel_quarter_starts_after_a_late_adoption():
    months = pd.period_range("2020-01", periods=6, freq="M")
    p = pd.DataFrame(
        {
            "station_id": "A",
            "month": months,
            "adoption_month": pd.Period("2020-03", "M"),
            "satisfaction_yes": [0, 8, 0, 0, 0, 9],
            "satisfaction_n": [0, 10, 0, 0, 0, 10],
        }
    )
    # survey in February precedes the March adoption: first treated quarter is Q2
    d = ef.outcome_panel(p, "satisfaction_rate")
    assert d["cohort"].iloc[0] == pd.Period("2020Q2", "Q")
    assert d["y"].tolist() == [0.8, 0.9]


def test_outcome_panel_rejects_bad_input(city):
    p = city.panel.head(24).copy()
    p.loc[p.index[3], "cleared"] = p.loc[p.index[3], "cases"] + 1
    with pytest.raises(DataError, match="cleared exceeds cases"):
        ef.outcome_panel(p, "clearance_rate")
    with pytest.raises(DataError, match=r"'cases': missing columns for clearance_rate"):
        ef.outcome_panel(p.drop(columns="cases"), "clearance_rate")
    with pytest.raises(ValueError, match="outcome must be"):
        ef.outcome_panel(p, "arrests")


def test_subgroup_effects_by_archetype_cover_truth_on_average(city):
    data = ef.outcome_panel(city.panel, "response_minutes")
    data["archetype"] = data["station_id"].map(city.truth.archetype_of())
    sub = ef.subgroup_effects(data, "archetype")
    assert sub["n_treated"].sum() == 38
    assert np.isfinite(sub[["att", "se"]].to_numpy()).all()
    assert (sub["att"] < 0).all()


def test_bacon_summary_adds_up_to_twfe(city):
    data = ef.outcome_panel(city.panel, "response_minutes")
    b = ef.bacon_decomposition(data, "y", "station_id", "period", "cohort")
    s = ef.bacon_summary(b)
    tw = ef.twfe(data, "y", "station_id", "period", gname="cohort")
    assert s["weight"].sum() == pytest.approx(1.0)
    assert s["contribution"].sum() == pytest.approx(tw.coef, rel=1e-8)
    assert s.loc[s["forbidden"], "weight"].iloc[0] > 0.1


def test_scale_and_label():
    t = pd.DataFrame({"att": [0.02], "se": [0.01]})
    assert ef.scale_effects(t, "satisfaction_rate")["se"].iloc[0] == pytest.approx(1.0)
    assert ef.scale_effects(t, "response_minutes")["att"].iloc[0] == 0.02
    assert ef.outcome_label("response_minutes") == "Response time (min)"


def test_outcome_panel_quarterly_pools_months(city):
    m = ef.outcome_panel(city.panel, "clearance_rate")
    q = ef.outcome_panel(city.panel, "clearance_rate", freq="Q")
    assert len(q) == len(m) // 3
    s01 = city.panel[city.panel["station_id"] == "S01"].head(3)
    assert q["y"].iloc[0] == pytest.approx(s01["cleared"].sum() / s01["cases"].sum())
    r = ef.outcome_panel(city.panel, "response_minutes", freq="Q")
    assert r["y"].iloc[0] == pytest.approx(s01["response_minutes"].mean())
    with pytest.raises(ValueError, match="observed quarterly"):
        ef.outcome_panel(city.panel, "satisfaction_rate", freq="M")


def test_pretrend_test_explains_too_many_pre_periods(city):
    data = ef.outcome_panel(city.panel, "satisfaction_rate")
    res = ef.att_gt(data, "y", "station_id", "period", "cohort")
    with pytest.raises(ValueError, match="min_e"):
        ef.pretrend_test(res)
    windowed = ef.pretrend_test(res.aggregate("dynamic", min_e=-4))
    assert windowed.df == 4 and 0 < windowed.p_value < 1


def test_moved_study_helpers_keep_their_old_names():
    from jingwu.studies import m_city

    for name in ("OUTCOMES", "outcome_panel", "truth_effects", "scale_effects", "outcome_label"):
        assert getattr(ef, name) is getattr(m_city, name)
    with pytest.raises(AttributeError):
        _ = ef._study.no_such_name


def test_naive_before_after_is_a_result_with_the_old_dict_access():
    from jingwu.effects._study import naive_before_after

    d = pd.DataFrame(
        {
            "station_id": np.repeat(["A", "B"], 4),
            "period": np.tile(range(4), 2),
            "cohort": 2,
            "y": [1.0, 1.0, 3.0, 3.0, 2.0, 2.0, 2.0, 6.0],
        }
    )
    res = naive_before_after(d, window=2)
    assert res == {"att": 2.0, "se": 0.0, "n_units": 2, "window": 2}
    assert res.to_frame()["difference"].tolist() == [2.0, 2.0]
    assert res.summary().loc[0, "att"] == 2.0
    import matplotlib

    matplotlib.use("Agg")
    assert len(res.plot().lines) == 3
