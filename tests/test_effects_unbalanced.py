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
    for est in ("imputation", "cs_balanced_subpanel"):
        assert 0.93 <= out[est]["coverage_95"] <= 0.97, (est, out[est])
