"""Tests for jingwu.effects: R/Stata/fixest reference numbers on mpdta, simulation recovery."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jingwu import effects
from jingwu.errors import DataError
from jingwu.simulate import staggered_panel

REF = Path(__file__).parent / "reference"
MPDTA = pd.read_csv(REF / "mpdta.csv")
NUMBERS = pd.read_csv(REF / "reference_numbers_mpdta.csv")

SCENARIOS = {
    "mpdta_nev_dr": dict(),
    "mpdta_nev_dr_cov": dict(xformla="~ lpop"),
    "mpdta_nev_ipw": dict(est_method="ipw"),
    "mpdta_nev_reg_cov": dict(est_method="reg", xformla="~ lpop"),
    "mpdta_nyt_dr": dict(control_group="notyettreated"),
    "mpdta_nyt_dr_cov": dict(control_group="notyettreated", xformla="~ lpop"),
}


@functools.cache
def _fit(scenario: str):
    return effects.att_gt(MPDTA, "lemp", "countyreal", "year", "first.treat", **SCENARIOS[scenario])


@functools.cache
def _agg(scenario: str, type_: str):
    return _fit(scenario).aggregate(type_)


def _tol(precision: str) -> float:
    """Half a unit in the last published digit (full precision: 1e-9)."""
    m = re.fullmatch(r"(\d+)dp", str(precision))
    if m:
        return 0.5 * 10 ** -int(m.group(1)) + 1e-12
    if precision == "computed":  # -0.04771, published to 5 decimals
        return 0.5e-5 + 1e-12
    return 1e-9


def _estimate(row) -> tuple[float, float]:
    level = row.level
    if row.scenario == "mpdta_twfe_static":
        r = effects.twfe(MPDTA, "lemp", "countyreal", "year", gname="first.treat")
        return r.coef, r.se
    if row.scenario == "mpdta_bjs_imputation":
        r = effects.imputation(MPDTA, "lemp", "countyreal", "year", "first.treat")
        return r.overall_att, np.nan
    if level == "attgt":
        f = _fit(row.scenario).to_frame()
        hit = f[(f["group"] == row.g_or_e) & (f["time"] == row.t)]
        assert len(hit) == 1
        return float(hit["att"].iloc[0]), float(hit["se"].iloc[0])
    type_ = level.replace("_overall", "")
    agg = _agg(row.scenario, type_)
    if level.endswith("_overall") or level == "simple":
        return agg.overall_att, agg.overall_se
    f = agg.to_frame()
    hit = f[f.iloc[:, 0] == row.g_or_e]
    assert len(hit) == 1
    return float(hit["att"].iloc[0]), float(hit["se"].iloc[0])


@pytest.mark.parametrize(
    "row",
    list(NUMBERS.itertuples(index=False)),
    ids=[f"{r.scenario}-{r.level}-{r.g_or_e}-{r.t}-{i}" for i, r in enumerate(NUMBERS.itertuples())],
)
def test_reference_numbers(row):
    att, se = _estimate(row)
    tol = _tol(row.precision)
    assert att == pytest.approx(row.att, abs=tol)
    if np.isfinite(row.se):
        assert se == pytest.approx(row.se, abs=tol)


def test_every_reference_scenario_is_covered():
    assert set(NUMBERS["scenario"]) == set(SCENARIOS) | {"mpdta_twfe_static", "mpdta_bjs_imputation"}


# ----------------------------------------------------------------- cross-checks without R
# pyfixest 0.60.0: event_study(estimator="saturated") (Sun & Abraham) and
# feols("lemp ~ i(rel, ref=-1) | countyreal + year", vcov={"CRV1": "countyreal"})
PYFIXEST_SA = {
    -4: (0.003306, 0.024555),
    -3: (0.025022, 0.018154),
    -2: (0.024459, 0.014267),
    0: (-0.019932, 0.011858),
    1: (-0.050957, 0.016871),
    2: (-0.137259, 0.036589),
    3: (-0.100811, 0.034504),
}
PYFIXEST_TWFE_ES = {
    0: (-0.018144, 0.010982),
    1: (-0.043472, 0.017577),
    2: (-0.131795, 0.028837),
    3: (-0.092247, 0.032336),
}


@pytest.mark.parametrize("estimator,ref", [("sa", PYFIXEST_SA), ("twfe", PYFIXEST_TWFE_ES)])
def test_event_study_matches_pyfixest(estimator, ref):
    es = effects.event_study(MPDTA, "lemp", "countyreal", "year", "first.treat", estimator=estimator)
    es = es.set_index("event_time")
    for e, (att, se) in ref.items():
        assert es.loc[e, "att"] == pytest.approx(att, abs=1e-6)
        assert es.loc[e, "se"] == pytest.approx(se, abs=1e-6)


def test_pretrend_test_matches_r_summary():
    # R did: summary(att_gt(...mpdta...)) prints "P-value for pre-test ...: 0.16812"
    out = effects.pretrend_test(_fit("mpdta_nev_dr"))
    assert out.df == 5 and out.method == "chi2"
    assert round(out.p_value, 5) == 0.16812


def test_bacon_weights_sum_to_twfe():
    b = effects.bacon_decomposition(MPDTA, "lemp", "countyreal", "year", "first.treat")
    assert b["weight"].sum() == pytest.approx(1.0, abs=1e-12)
    assert (b["weight"] * b["estimate"]).sum() == pytest.approx(-0.036548936674, abs=1e-10)
    assert set(b["type"]) == {
        "treated vs never treated",
        "earlier vs later treated",
        "later vs earlier treated",
    }


def test_event_study_frames_overlay():
    import matplotlib

    matplotlib.use("Agg")
    frames = [
        effects.event_study(MPDTA, "lemp", "countyreal", "year", "first.treat", estimator=e)
        for e in ("cs", "twfe", "sa", "imputation")
    ]
    for f in frames:
        assert list(f.columns) == ["estimator", "event_time", "att", "se", "ci_lower", "ci_upper"]
    cs, sa = frames[0].set_index("event_time"), frames[2].set_index("event_time")
    # SA == CS (never treated, universal base, no covariates) point estimates
    np.testing.assert_allclose(cs["att"], sa["att"], atol=1e-12)
    ax = effects.plot_event_studies(frames)
    assert len(ax.get_legend().get_texts()) == 4
    matplotlib.pyplot.close("all")


def test_result_plots_and_summaries():
    import matplotlib

    matplotlib.use("Agg")
    res = _fit("mpdta_nev_dr")
    assert "Pre-trend Wald test" in res.summary()
    res.plot()
    for t in ("simple", "group", "dynamic", "calendar"):
        agg = _agg("mpdta_nev_dr", t)
        assert "overall ATT" in agg.summary()
        agg.plot()
    matplotlib.pyplot.close("all")


# ----------------------------------------------------------------- input conventions
def test_never_treated_nan_and_periods_roundtrip():
    base = _fit("mpdta_nev_dr").to_frame()
    d = MPDTA.copy()
    d["g"] = d["first.treat"].replace(0, np.nan)
    alt = effects.att_gt(d, "lemp", "countyreal", "year", "g").to_frame()
    np.testing.assert_allclose(alt["att"], base["att"], rtol=0, atol=1e-14)
    # monthly Periods: 2003..2007 -> 2020-01..2020-05, never treated = NaT
    month = {y: pd.Period(f"2020-0{y - 2002}", freq="M") for y in range(2003, 2008)}
    d["month"] = pd.PeriodIndex(d["year"].map(month), freq="M")
    d["adopt"] = pd.PeriodIndex([month.get(int(v)) if v > 0 else None for v in d["first.treat"]], freq="M")
    per = effects.att_gt(d, "lemp", "countyreal", "month", "adopt")
    f = per.to_frame()
    assert isinstance(f["group"].dtype, pd.PeriodDtype)
    assert f["time"].iloc[0] == pd.Period("2020-02", freq="M")
    np.testing.assert_allclose(f["att"], base["att"], atol=1e-14)
    np.testing.assert_allclose(f["se"], base["se"], atol=1e-14)
    assert per.aggregate("dynamic").to_frame()["event_time"].tolist() == [-3, -2, -1, 0, 1, 2, 3]
    tw = effects.twfe(d, "lemp", "countyreal", "month", gname="adopt")
    assert tw.coef == pytest.approx(-0.036548936674, abs=1e-10)


def test_inputs_not_modified_and_errors():
    d = MPDTA.copy()
    before = d.copy()
    effects.att_gt(d, "lemp", "countyreal", "year", "first.treat", xformla="~ lpop")
    pd.testing.assert_frame_equal(d, before)
    with pytest.raises(DataError, match="not found"):
        effects.att_gt(d, "nope", "countyreal", "year", "first.treat")
    with pytest.raises(ValueError, match="est_method"):
        effects.att_gt(d, "lemp", "countyreal", "year", "first.treat", est_method="ols")
    bad = d.copy()
    bad.loc[bad.index[0], "first.treat"] = 2004  # unit 8001 switches cohort
    with pytest.raises(DataError, match="changes within"):
        effects.att_gt(bad, "lemp", "countyreal", "year", "first.treat")
    dup = pd.concat([d, d.iloc[:1]])
    with pytest.raises(DataError, match="more than one row"):
        effects.att_gt(dup, "lemp", "countyreal", "year", "first.treat")
    nonever = d[d["first.treat"] > 0]
    with pytest.raises(DataError, match="never-treated"):
        effects.att_gt(nonever, "lemp", "countyreal", "year", "first.treat")
    # not-yet-treated without never-treated units: last cohort becomes the comparison
    r = effects.att_gt(nonever, "lemp", "countyreal", "year", "first.treat", control_group="notyettreated")
    assert set(r.to_frame()["group"]) == {2004, 2006}
    unbalanced = d.drop(index=d.index[:1])
    with pytest.warns(UserWarning, match="balanced panel"):
        effects.att_gt(unbalanced, "lemp", "countyreal", "year", "first.treat")


def test_weights_and_clusters():
    d = MPDTA.copy()
    d["w"] = 1.0
    a = effects.att_gt(d, "lemp", "countyreal", "year", "first.treat", weightsname="w").to_frame()
    b = _fit("mpdta_nev_dr").to_frame()
    np.testing.assert_allclose(a["att"], b["att"], atol=1e-13)
    d["w"] = np.exp(d["lpop"])  # population weights change the estimate
    c = effects.att_gt(d, "lemp", "countyreal", "year", "first.treat", weightsname="w")
    assert not np.allclose(c.to_frame()["att"], b["att"])
    d["state"] = d["countyreal"] // 1000
    cl = effects.att_gt(d, "lemp", "countyreal", "year", "first.treat", cluster="state")
    np.testing.assert_allclose(cl.att, _fit("mpdta_nev_dr").att)
    assert not np.allclose(cl.se, _fit("mpdta_nev_dr").se)


def test_bootstrap_deterministic_and_close_to_analytic():
    kw = dict(bstrap=True, n_boot=499, seed=11)
    r1 = effects.att_gt(MPDTA, "lemp", "countyreal", "year", "first.treat", **kw)
    r2 = effects.att_gt(MPDTA, "lemp", "countyreal", "year", "first.treat", **kw)
    np.testing.assert_array_equal(r1.se, r2.se)
    assert r1.crit_val == r2.crit_val > 1.96  # uniform band is wider than pointwise
    np.testing.assert_allclose(r1.se, _fit("mpdta_nev_dr").se, rtol=0.2)
    agg = r1.aggregate("dynamic")
    assert agg.overall_se == pytest.approx(_agg("mpdta_nev_dr", "dynamic").overall_se, rel=0.2)


def test_universal_base_period_matches_r_conventions():
    r = effects.att_gt(MPDTA, "lemp", "countyreal", "year", "first.treat", base_period="universal")
    f = r.to_frame()
    ref = f[f["time"] == f["base_time"]]
    assert (ref["att"] == 0).all() and ref["se"].isna().all()
    # post-period cells do not depend on the base-period choice
    v = _fit("mpdta_nev_dr").to_frame()
    m = f[f["post"]].merge(v[v["post"]], on=["group", "time"])
    np.testing.assert_allclose(m["att_x"], m["att_y"], atol=1e-14)


def test_wild_cluster_bootstrap_few_clusters():
    d = MPDTA.copy()
    d["state"] = d["countyreal"] // 1000
    a = effects.wild_cluster_bootstrap(
        d, "lemp", "countyreal", "year", gname="first.treat", cluster="state", n_boot=1999, seed=5
    )
    b = effects.wild_cluster_bootstrap(
        d, "lemp", "countyreal", "year", gname="first.treat", cluster="state", n_boot=1999, seed=5
    )
    assert a == b
    assert a.coef == pytest.approx(-0.036548936674, abs=1e-10)
    assert 0.01 < a.p_value < 0.5
    w = effects.wild_cluster_bootstrap(
        d,
        "lemp",
        "countyreal",
        "year",
        gname="first.treat",
        cluster="state",
        n_boot=1999,
        seed=5,
        weights="webb",
    )
    assert abs(w.p_value - a.p_value) < 0.1
    # few clusters: Rademacher signs are enumerated exactly
    few = d[d["state"].isin(sorted(d["state"].unique())[:8])]
    e = effects.wild_cluster_bootstrap(
        few, "lemp", "countyreal", "year", gname="first.treat", cluster="state", n_boot=999
    )
    assert e.n_boot == 2**8


# ----------------------------------------------------------------- simulation recovery
def test_simulation_cs_recovers_truth_twfe_biased():
    df, truth = staggered_panel(n_units=400, seed=1001)
    res = effects.att_gt(df, "y", "id", "t", "g")
    agg = res.aggregate("simple")
    assert abs(agg.overall_att - truth) < 2.6 * agg.overall_se
    dyn = res.aggregate("dynamic").to_frame().set_index("event_time")
    # event time 0 truth: cohort-weighted base effect
    p = np.array([0.3, 0.25, 0.25])
    e0 = float(p @ np.array([1.0, 0.5, 0.25]) / p.sum())
    assert dyn.loc[0, "ci_lower"] < e0 < dyn.loc[0, "ci_upper"]
    tw = effects.twfe(df, "y", "id", "t", gname="g")
    # growing effects + already-treated controls pull TWFE below the truth
    assert tw.coef < truth - 3 * agg.overall_se
    imp = effects.imputation(df, "y", "id", "t", "g")
    assert abs(imp.overall_att - imp.tau["tau"].mean()) < 1e-12


def _monte_carlo(reps: int, seed: int = 2024) -> dict:
    ests, ses, cover = [], [], []
    truth = None
    for r in range(reps):
        df, truth = staggered_panel(n_units=300, n_periods=10, seed=seed + r)
        agg = effects.att_gt(df, "y", "id", "t", "g").aggregate("simple")
        ests.append(agg.overall_att)
        ses.append(agg.overall_se)
        cover.append(abs(agg.overall_att - truth) <= 1.959963984540054 * agg.overall_se)
    ests, ses = np.array(ests), np.array(ses)
    return {
        "reps": reps,
        "truth": truth,
        "mean_estimate": float(ests.mean()),
        "bias": float(ests.mean() - truth),
        "mean_se": float(ses.mean()),
        "sd_estimates": float(ests.std(ddof=1)),
        "coverage": float(np.mean(cover)),
    }


@pytest.mark.slow
def test_monte_carlo_coverage(request):
    if "slow" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("Monte Carlo: run with -m slow")
    mc = _monte_carlo(500)
    assert 0.92 <= mc["coverage"] <= 0.98
    assert abs(mc["bias"]) < 0.1 * mc["mean_se"]
    assert mc["sd_estimates"] == pytest.approx(mc["mean_se"], rel=0.15)
