"""Designs and inputs the estimators must handle or refuse clearly (issue: estimators, round two)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jingwu import effects
from jingwu.errors import DataError


def _panel(cohorts, T=8, n_per=5, seed=0, t0=1):
    rng = np.random.default_rng(seed)
    ids = np.arange(len(cohorts) * n_per)
    df = pd.DataFrame({"id": np.repeat(ids, T), "t": np.tile(np.arange(t0, t0 + T), len(ids))})
    df["g"] = df["id"].map(lambda i: cohorts[i // n_per])
    treated = (df["g"] > 0) & (df["t"] >= df["g"])
    df["y"] = (
        rng.normal(size=len(df)) + 0.2 * df["t"] + 0.1 * df["id"] + treated * (1 + 0.3 * (df["t"] - df["g"]))
    )
    return df


@pytest.mark.parametrize(
    "cohorts",
    [
        [0, 3, 5, 7],  # never treated + staggered
        [0, 1, 4, 6],  # with always-treated units
        [1, 3, 5],  # always treated, no never treated
        [3, 5, 7],  # no never treated: the last cohort stays a cohort, no period is cut
        [0, 1, 4],
    ],
)
def test_bacon_adds_up_to_twfe_in_every_design(cohorts):
    d = _panel(cohorts)
    b = effects.bacon_decomposition(d, "y", "id", "t", "g")
    tw = effects.twfe(d, "y", "id", "t", gname="g").coef
    assert b["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (b["estimate"] * b["weight"]).sum() == pytest.approx(tw, abs=1e-10)
    assert (b["weight"] >= -1e-14).all()
    if 1 in cohorts:
        assert (b["control"] == "always").any()
        assert set(b.loc[b["control"] == "always", "type"]) == {"later vs always treated"}
    if 0 not in cohorts:
        assert not (b["control"] == "never").any()
    s = effects.bacon_summary(b)
    assert s.loc[s["type"] == "later vs always treated", "forbidden"].all()


def test_bacon_refuses_unbalanced_panels():
    d = _panel([0, 3, 5]).drop(index=[3, 17])
    with pytest.raises(DataError, match="balanced"):
        effects.bacon_decomposition(d, "y", "id", "t", "g")


def test_bacon_refuses_designs_without_variation():
    d = _panel([0, 1])
    with pytest.raises(DataError, match="changes treatment"):
        effects.bacon_decomposition(d, "y", "id", "t", "g")


def test_mixed_int_and_str_ids_are_a_data_error():
    d = _panel([0, 3, 5])
    d["id"] = d["id"].astype(object)
    d.loc[d["id"] == 2, "id"] = "2"
    for call in (
        lambda: effects.att_gt(d, "y", "id", "t", "g"),
        lambda: effects.twfe(d, "y", "id", "t", gname="g"),
    ):
        with pytest.raises(DataError, match="mix"):
            call()


def test_partly_missing_timing_is_a_data_error():
    d = _panel([0, 3, 5])
    d["g"] = d["g"].astype(float)
    d.loc[(d["id"] == 7) & (d["t"] < 3), "g"] = np.nan
    with pytest.raises(DataError, match="missing in some rows"):
        effects.att_gt(d, "y", "id", "t", "g")


def test_never_treated_coded_minus_one_is_a_data_error():
    d = _panel([0, 3, 5])
    d.loc[d["g"] == 0, "g"] = -1
    with pytest.raises(DataError, match="-1"):
        effects.att_gt(d, "y", "id", "t", "g")
    with pytest.raises(DataError, match="-1"):
        effects.twfe(d, "y", "id", "t", gname="g")


def test_treatment_dummy_as_timing_is_a_data_error():
    d = _panel([0, 2004, 2006], t0=2001)
    d["g"] = ((d["g"] > 0) & (d["t"] >= d["g"])).astype(int)
    with pytest.raises(DataError, match="indicator"):
        effects.att_gt(d, "y", "id", "t", "g")


def test_annual_datetimes_are_a_data_error():
    d = _panel([0, 2004, 2006], t0=2001)
    d["t"] = pd.to_datetime(d["t"].astype(str) + "-01-01")
    d["g"] = pd.to_datetime({"year": d["g"].where(d["g"] > 0), "month": 1, "day": 1})
    with pytest.raises(DataError, match="annual"):
        effects.att_gt(d, "y", "id", "t", "g")


def test_calendar_aggregation_ignores_max_e_like_r():
    d = _panel([0, 3, 5, 7])
    fit = effects.att_gt(d, "y", "id", "t", "g")
    full = fit.aggregate("calendar")
    with pytest.warns(UserWarning, match="ignored for calendar"):
        capped = fit.aggregate("calendar", max_e=1)
    np.testing.assert_allclose(capped.att, full.att, atol=0)
    assert capped.overall_att == full.overall_att
    # max_e still applies where R applies it
    assert fit.aggregate("group", max_e=1).overall_att != fit.aggregate("group").overall_att


def test_small_sample_corrections_follow_fixest_conventions():
    from scipy import stats

    d = _panel([0, 3, 5, 7], n_per=4)
    d["district"] = d["id"] % 6
    agg = effects.att_gt(d, "y", "id", "t", "g", cluster="district").aggregate("dynamic")
    ss = agg.small_sample()
    assert ss.dist_df == 5
    np.testing.assert_allclose(ss.se, agg.se * np.sqrt(6 / 5))
    assert ss.crit_val == pytest.approx(stats.t.ppf(0.975, 5))
    f = ss.to_frame(overall=True)
    assert f["ci_upper"].iloc[0] - f["att"].iloc[0] == pytest.approx(stats.t.ppf(0.975, 5) * ss.overall_se)
    imp = effects.imputation(d, "y", "id", "t", "g", cluster="district")
    iss = imp.small_sample()
    assert iss.overall_se == pytest.approx(imp.overall_se * np.sqrt(6 / 5))
    assert np.sqrt(np.sum(imp.scores**2)) == pytest.approx(imp.overall_se)


def test_wild_score_bootstrap_for_cs_and_imputation():
    d = _panel([0, 3, 5, 7], n_per=4)
    d["district"] = d["id"] % 6
    agg = effects.att_gt(d, "y", "id", "t", "g", cluster="district").aggregate("simple")
    imp = effects.imputation(d, "y", "id", "t", "g", cluster="district")
    for res in (agg, imp):
        a = effects.wild_score_bootstrap(res, n_boot=999, seed=1)
        assert a == effects.wild_score_bootstrap(res, n_boot=999, seed=1)  # deterministic
        assert a.n_clusters == 6 and 0 <= a.p_value <= 1
        full = effects.wild_score_bootstrap(res, weights="rademacher", n_boot=10_000)
        assert full.n_boot == 2**6  # every sign pattern
        assert full.p_value < 0.05  # effects of 1-2 SD in every treated cell
    # no effect: outcome unrelated to treatment
    d0 = d.assign(y=np.random.default_rng(5).normal(size=len(d)))
    p0 = effects.wild_score_bootstrap(
        effects.imputation(d0, "y", "id", "t", "g", cluster="district"), weights="rademacher"
    ).p_value
    assert p0 > 0.05
    with pytest.raises(ValueError, match="weights"):
        effects.wild_score_bootstrap(agg, weights="normal")


@pytest.mark.slow
@pytest.mark.parametrize("units", [15, 48, 500])
def test_pretrend_test_size_under_the_null(units):
    # the default form (bootstrap below 50 clusters, chi2 at 500) holds its size at 5%
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from effects_pretrend_size import rejection_rates

    rate = rejection_rates(units, reps=200 if units < 500 else 100, methods=("auto",), progress=False)["auto"]
    assert 0.03 <= rate <= 0.07 + 1e-9


def test_result_objects_and_one_release_of_old_access():
    import matplotlib

    matplotlib.use("Agg")
    d = _panel([0, 3, 5, 7], n_per=4)
    d["district"] = d["id"] % 6
    agg = effects.att_gt(d, "y", "id", "t", "g", cluster="district").aggregate("simple")
    w = effects.wild_score_bootstrap(agg, n_boot=999, seed=1)
    pt = effects.pretrend_test(
        effects.att_gt(d, "y", "id", "t", "g", base_period="universal").aggregate("dynamic", min_e=-3),
        method="F",
    )
    es = effects.att_gt(d, "y", "id", "t", "g", base_period="universal").aggregate(
        "dynamic", min_e=-3, max_e=1
    )
    h = effects.honest_did(es, Mbar=[0, 0.5], event_time=0)
    for res in (w, pt, h):
        assert isinstance(res.summary(), str) and isinstance(res.to_frame(), pd.DataFrame)
        assert res.plot() is not None
    assert w.to_frame()["p_value"].iloc[0] == w.p_value
    assert pt.to_frame()["test"].iloc[0] == "F" and pt.to_frame()["df"].iloc[0] == 2
    assert list(h.to_frame()["Mbar"]) == [0, 0.5]
    # the old dict / DataFrame-with-attrs access still answers, with a DeprecationWarning
    with pytest.warns(DeprecationWarning):
        assert w["p_value"] == w.p_value
    with pytest.warns(DeprecationWarning):
        assert pt["df"] == pt.df
    with pytest.warns(DeprecationWarning):
        assert h.attrs["breakdown"] == h.breakdown or np.isnan(h.breakdown)
    with pytest.warns(DeprecationWarning):
        assert h["lb"].iloc[0] == h.table["lb"].iloc[0]
    with pytest.warns(DeprecationWarning):
        assert h.assign(outcome="y")["outcome"].iloc[0] == "y"


def test_twfe_takes_gname_like_its_siblings():
    d = _panel([0, 13, 15], n_per=4, t0=10)
    assert effects.twfe(d, "y", "id", "t", "g").coef == effects.twfe(d, "y", "id", "t", gname="g").coef
    d["D"] = ((d["g"] > 0) & (d["t"] >= d["g"])).astype(int)
    with pytest.raises(DataError, match="dname"):
        effects.twfe(d, "y", "id", "t", "D")
    with pytest.raises(TypeError):
        effects.twfe(d, "y", "id", "t", "g", None)  # options are keyword-only


def test_multi_outcome_cells_equal_one_panel_at_a_time():
    from dataclasses import replace

    from jingwu.effects._cs import _att_gt_cells_multi, _att_gt_panel

    d = _panel([0, 3, 5, 7], n_per=4)
    rng = np.random.default_rng(2)
    for kw in ({}, {"control_group": "notyettreated"}, {"est_method": "reg"}, {"base_period": "universal"}):
        res = effects.att_gt(d, "y", "id", "t", "g", **kw)
        Ys = rng.normal(size=res.panel.Y.shape + (3,))
        att, inf = _att_gt_cells_multi(res.panel, res.params, Ys, only=np.ones(len(res.att), bool))
        for h in range(3):
            one = _att_gt_panel(replace(res.panel, Y=Ys[:, :, h]), res.params)
            np.testing.assert_allclose(att[:, h], np.nan_to_num(one.att), atol=1e-12)
            np.testing.assert_allclose(inf[:, :, h], one.inffunc, atol=1e-12)


def test_pretrend_bootstrap_with_few_clusters():
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from effects_pretrend_size import null_panel

    df = null_panel(15, seed=3)
    dyn = effects.att_gt(df, "y", "id", "t", "g").aggregate("dynamic", min_e=-6)
    with pytest.warns(UserWarning, match="leads"):
        out = effects.pretrend_test(dyn, progress=False)
    assert out.method == "bootstrap" and out.n_clusters == 15 and out.df == 6 and out.n_boot == 999
    with pytest.warns(UserWarning):
        again = effects.pretrend_test(dyn, progress=False)
    assert out == again  # deterministic given the seed
    with pytest.warns(UserWarning):
        f = effects.pretrend_test(dyn, method="F")
    # same Wald statistic, only its reference distribution differs
    assert out.stat == pytest.approx(f.stat * 6 * 14 / 9, rel=1e-12)
    assert 0.05 < out.p_value <= 1
    # a pre-trend in the treated cohorts (1 per month before adoption) is detected
    bad = df.assign(y=df["y"] + np.where(df["g"] > 0, 1.0 * (df["t"] - df["g"]).clip(upper=0), 0.0))
    p = effects.pretrend_test(
        effects.att_gt(bad, "y", "id", "t", "g").aggregate("dynamic", min_e=-3), progress=False
    ).p_value
    assert p < 0.01
    with pytest.raises(ValueError, match="weights"):
        effects.pretrend_test(dyn, weights="normal")
