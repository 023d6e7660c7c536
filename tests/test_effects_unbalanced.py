"""Unbalanced panels: imputation and Sun-Abraham use every observation; what is dropped is reported."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jingwu import effects
from jingwu.effects._event import _sun_abraham_regression
from jingwu.effects._prep import prepare_panel

ROOT = Path(__file__).resolve().parents[1]
REF = Path(__file__).parent / "reference"
MPDTA = pd.read_csv(REF / "mpdta.csv")


def _unbalanced(frac: float = 0.1, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return MPDTA.drop(index=rng.choice(len(MPDTA), int(frac * len(MPDTA)), replace=False))


def test_sun_abraham_regression_equals_did_path_on_balanced_data():
    # the regression used for unbalanced panels reproduces the balanced fast path (which
    # matches pyfixest sunab in test_effects.py) exactly
    p = prepare_panel(
        MPDTA, "lemp", "countyreal", "year", "first.treat", control_group="notyettreated", balance=False
    )
    reg = _sun_abraham_regression(p, 0.05)
    fast = effects.sun_abraham(MPDTA, "lemp", "countyreal", "year", "first.treat")
    np.testing.assert_allclose(reg["att"], fast["att"], atol=1e-10)
    np.testing.assert_allclose(reg["se"], fast["se"], atol=1e-10)


def test_imputation_equals_dummy_regression_on_unbalanced_panel():
    # BJS by definition: OLS of y on unit and year dummies over untreated observations,
    # then the mean of y - fitted over treated observations (checked with dense dummies)
    d = _unbalanced()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = effects.imputation(d, "lemp", "countyreal", "year", "first.treat")
    g = d["first.treat"].replace(0, np.inf)
    untreated = d["year"] < g
    treated = ~untreated
    units = pd.Categorical(d["countyreal"])
    years = pd.Categorical(d["year"])
    Xu = np.column_stack(
        [pd.get_dummies(units).to_numpy(float), pd.get_dummies(years).to_numpy(float)[:, 1:]]
    )
    beta = np.linalg.lstsq(Xu[untreated.to_numpy()], d.loc[untreated, "lemp"].to_numpy(), rcond=None)[0]
    # treated observations of units or years with no untreated observation cannot be imputed
    has_u = pd.Series(untreated.to_numpy()).groupby(units.codes).transform("any").to_numpy()
    ok = treated.to_numpy() & has_u
    tau = d["lemp"].to_numpy()[ok] - Xu[ok] @ beta
    assert res.overall_att == pytest.approx(tau.mean(), abs=1e-10)
    assert any("cannot be imputed" in k for k in res.dropped)


def test_unbalanced_estimators_keep_every_unit():
    d = _unbalanced()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sa = effects.sun_abraham(d, "lemp", "countyreal", "year", "first.treat")
        cs = effects.att_gt(d, "lemp", "countyreal", "year", "first.treat")
    # att_gt balances (as R did's default) and says which units it dropped and why
    reason = [k for k in cs.panel.dropped if "every period" in k][0]
    assert len(cs.panel.dropped[reason]) == d["countyreal"].nunique() - cs.n
    assert sa.attrs["dropped"] == {}
    assert np.isfinite(sa["att"]).all() and (sa.loc[sa["event_time"] != -1, "se"] > 0).all()


@pytest.mark.slow
def test_unbalanced_monte_carlo_coverage():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from effects_unbalanced_mc import monte_carlo

    out = monte_carlo(reps=200)
    for est in ("imputation", "cs_balanced_subpanel", "cs_unbalanced"):
        assert 0.93 <= out[est]["coverage_95"] <= 0.97, (est, out[est])


# --------------------------------------------------------------------------- allow_unbalanced_panel
UNB = pd.read_csv(REF / "unbalanced_panel.csv")
UNB_REF = pd.read_csv(REF / "unbalanced_reference_numbers.csv")
UNB_SCENARIOS = {
    # name: control group, est_method, covariates, panel (see tests/reference/unbalanced_reference.py)
    "unb_nev_dr": ("nevertreated", "dr", None, True),
    "unb_nyt_reg": ("notyettreated", "reg", None, True),
    "unb_nev_ipw": ("nevertreated", "ipw", None, True),
    "unb_nev_dr_cov": ("nevertreated", "dr", "~ x", True),
    "unb_nyt_ipw_cov": ("notyettreated", "ipw", "~ x", True),
    "unb_nev_reg_cov": ("nevertreated", "reg", "~ x", True),
    "rc_nev_dr": ("nevertreated", "dr", None, False),
    "rc_nyt_dr_cov": ("notyettreated", "dr", "~ x", False),
}


def _unb_fit(name: str):
    cg, est, xf, panel = UNB_SCENARIOS[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return effects.att_gt(
            UNB,
            "y",
            "id",
            "year",
            "first_treat",
            xformla=xf,
            control_group=cg,
            est_method=est,
            allow_unbalanced_panel=True,
            panel=panel,
        )


@pytest.mark.parametrize("name", sorted(UNB_SCENARIOS))
def test_att_gt_unbalanced_matches_csdid(name):
    res = _unb_fit(name)
    ref = UNB_REF[UNB_REF["scenario"] == name]
    cells = ref[ref["level"] == "attgt"]
    f = res.to_frame()
    np.testing.assert_array_equal(f["group"], cells["g_or_e"].astype(int))
    np.testing.assert_array_equal(f["time"], cells["t"].astype(int))
    np.testing.assert_allclose(f["att"], cells["att"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(f["se"], cells["se"], atol=1e-6, rtol=0)
    simple = res.aggregate("simple")
    row = ref[ref["level"] == "simple_overall"].iloc[0]
    assert simple.overall_att == pytest.approx(row["att"], abs=1e-6)
    assert simple.overall_se == pytest.approx(row["se"], abs=1e-6)
    dyn = res.aggregate("dynamic")
    row = ref[ref["level"] == "dynamic_overall"].iloc[0]
    assert dyn.overall_att == pytest.approx(row["att"], abs=1e-6)
    assert dyn.overall_se == pytest.approx(row["se"], abs=1e-6)
    es = ref[ref["level"] == "dynamic"]
    np.testing.assert_array_equal(dyn.egt, es["g_or_e"])
    np.testing.assert_allclose(dyn.att, es["att"], atol=1e-6, rtol=0)
    np.testing.assert_allclose(dyn.se, es["se"], atol=1e-6, rtol=0)


def test_att_gt_unbalanced_keeps_every_unit_and_says_so():
    res = _unb_fit("unb_nev_dr")
    assert res.n == UNB["id"].nunique()
    assert res.params["panel_type"] == "unbalanced panel"
    assert not any("every period" in k for k in res.panel.dropped)
    assert "unbalanced panel" in res.summary()
    # the default still balances, and names the units it drops
    with pytest.warns(UserWarning, match="not observed in every period"):
        bal = effects.att_gt(UNB, "y", "id", "year", "first_treat")
    reason = [k for k in bal.panel.dropped if "every period" in k][0]
    assert bal.n + len(bal.panel.dropped[reason]) == UNB["id"].nunique()


def test_att_gt_unbalanced_on_balanced_data_is_the_panel_estimator():
    # R did: allow_unbalanced_panel on a balanced panel takes the panel path
    a = effects.att_gt(MPDTA, "lemp", "countyreal", "year", "first.treat", xformla="~ lpop")
    b = effects.att_gt(
        MPDTA, "lemp", "countyreal", "year", "first.treat", xformla="~ lpop", allow_unbalanced_panel=True
    )
    assert b.params["panel_type"] == "balanced panel"
    np.testing.assert_array_equal(a.att, b.att)
    np.testing.assert_array_equal(a.se, b.se)


@pytest.mark.parametrize("method", ["dr", "ipw", "reg"])
def test_did_2x2_rc_influence_function_is_the_empirical_one(method):
    # the influence function is the derivative of the estimate with respect to one
    # observation's weight (nuisance models re-fitted), up to the centring constant
    from jingwu.effects._drdid_rc import did_2x2_rc

    rng = np.random.default_rng(1)
    n = 120
    D = (rng.random(n) < 0.4).astype(float)
    post = (rng.random(n) < 0.5).astype(float)
    x = rng.normal(size=n) + 0.5 * D
    y = 1 + x + 0.5 * D + 0.3 * post + 0.8 * x * post + D * post + rng.normal(size=n)
    X = np.column_stack([np.ones(n), x])
    w = np.ones(n)
    att, inf = did_2x2_rc(y, post, D, X, w, method)
    eps = 1e-6
    emp = np.empty(n)
    for i in range(n):
        w2 = w.copy()
        w2[i] += eps
        emp[i] = (did_2x2_rc(y, post, D, X, w2, method)[0] - att) / eps * n
    np.testing.assert_allclose(emp - emp.mean(), inf - inf.mean(), atol=1e-4)


def test_att_gt_unbalanced_recovers_the_effect():
    # known truth: a constant effect of 2 on a panel with 15% of rows missing
    rng = np.random.default_rng(7)
    df = pd.DataFrame([(i, t) for i in range(300) for t in range(1, 7)], columns=["id", "t"])
    df["g"] = df["id"].map(lambda i: [0, 3, 5][i % 3])
    fe = rng.normal(size=300)
    df["y"] = fe[df["id"]] + 0.2 * df["t"] + 2.0 * ((df["g"] > 0) & (df["t"] >= df["g"]))
    df["y"] += rng.normal(0, 0.1, len(df))
    df = df.drop(index=rng.choice(len(df), int(0.15 * len(df)), replace=False))
    res = effects.att_gt(df, "y", "id", "t", "g", allow_unbalanced_panel=True)
    simple = res.aggregate("simple")
    assert abs(simple.overall_att - 2.0) < 3 * simple.overall_se
    assert simple.overall_se < 0.05


def test_pretrend_test_on_unbalanced_result_uses_the_f_form():
    res = _unb_fit("unb_nev_dr")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pt = effects.pretrend_test(res)
    assert pt.method == "F" and 0 <= pt.p_value <= 1
    with pytest.raises(ValueError, match="balanced panel"):
        effects.pretrend_test(res, method="bootstrap")
