"""HonestDiD (Rambachan & Roth 2023) against R HonestDiD's published results.

Reference numbers and their sources: tests/reference/honestdid_reference.csv
(see tests/reference/README.md).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jingwu import effects
from jingwu.effects._event import _twfe_event
from jingwu.effects._rrng import r_rmvnorm, r_rnorm, r_runif

REF = Path(__file__).parent / "reference"
HONEST = pd.read_csv(REF / "honestdid_reference.csv")


def _ref(example: str) -> pd.DataFrame:
    return HONEST[HONEST["example"] == example].reset_index(drop=True)


def _ehec_event_study():
    """README example: TWFE event study of Medicaid expansion (2014 cohort vs never, years < 2016)."""
    df = pd.read_csv(REF / "ehec_data.csv")
    d = df[(df["year"] < 2016) & (df["yexp2"].isna() | (df["yexp2"] != 2015))].copy()
    d["g"] = np.where(d["yexp2"] == 2014, 2014.0, np.nan)
    out = _twfe_event(d, "dins", "stfips", "year", "g", cluster="stfips")
    V = out.attrs["vcov"]
    b = out.set_index("event_time").loc[V.index, "att"].to_numpy()
    return b, V.to_numpy()


def _printed_tol(x: float) -> float:
    """Half a unit in the last of the 3 significant digits R's tibble prints."""
    return 0.5 * 10.0 ** (np.floor(np.log10(abs(x))) - 2)


def test_r_random_stream():
    # R 4.x: set.seed(0); runif(3); set.seed(0); rnorm(3)
    np.testing.assert_allclose(r_runif(3, 0), [0.8966972, 0.2655087, 0.3721239], atol=5e-8)
    np.testing.assert_allclose(r_rnorm(3, 0), [1.2629543, -0.3262334, 1.3297993], atol=5e-8)
    S = np.array([[2.0, 0.5], [0.5, 1.0]])
    x = r_rmvnorm(20000, S, seed=1)
    np.testing.assert_allclose(np.cov(x.T), S, atol=0.05)


def test_flci_matches_honestdid_readme():
    b, V = _ehec_event_study()
    ref = _ref("ehec_medicaid_2014").query("Delta == 'DeltaSD'")
    h = effects.honest_did(
        betahat=b,
        sigma=V,
        num_pre_periods=5,
        num_post_periods=2,
        method="smoothness",
        M=ref["value"].to_numpy(),
        breakdown=False,
    )
    assert (h.table["method"] == "FLCI").all()
    for got, want in zip(np.r_[h.table["lb"], h.table["ub"]], np.r_[ref["lb"], ref["ub"]]):
        # printed digits; +1e-5 for the conic solver's tolerance (R's M = 0 lower bound
        # 0.02595 sits on a rounding boundary)
        assert abs(got - want) <= _printed_tol(want) + 1e-5, (got, want)


def test_flci_matches_honestdid_vignette_full_precision():
    lw = pd.read_csv(REF / "honestdid_lw_eventstudy.csv")
    b = lw["betahat"].to_numpy()
    V = lw.drop(columns=["event_time", "betahat"]).to_numpy()
    ref = _ref("lw_female_emp_e15")
    l = np.zeros(23)
    l[16] = 1.0  # 15 years of exposure: basisVector(15 - (-2), 23)
    h = effects.honest_did(
        betahat=b,
        sigma=V,
        num_pre_periods=9,
        num_post_periods=23,
        method="smoothness",
        M=ref["value"].to_numpy(),
        l_vec=l,
        breakdown=False,
    )
    # Half-lengths agree to 1e-5; centres to the tolerance of R's CVXR/ECOS solve and its
    # finite-difference bisection (about 3e-4 on an interval of width ~4.5-20 percentage points).
    np.testing.assert_allclose(h.table["ub"] - h.table["lb"], ref["ub"] - ref["lb"], atol=1e-4)
    np.testing.assert_allclose(h.table["lb"], ref["lb"], atol=3e-3)
    np.testing.assert_allclose(h.table["ub"], ref["ub"], atol=3e-3)


@pytest.mark.parametrize("mbar", [1.0, 2.0])
def test_relative_magnitudes_matches_honestdid_readme(mbar):
    b, V = _ehec_event_study()
    ref = _ref("ehec_medicaid_2014").query("Delta == 'DeltaRM' and value == @mbar")
    h = effects.honest_did(
        betahat=b, sigma=V, num_pre_periods=5, num_post_periods=2, Mbar=[mbar], breakdown=False
    )
    assert h.table["method"].iloc[0] == "C-LF"
    for got, want in [(h.table["lb"].iloc[0], ref["lb"].iloc[0]), (h.table["ub"].iloc[0], ref["ub"].iloc[0])]:
        assert abs(got - want) <= _printed_tol(want), (got, want)
    # the 2024 re-rendering of the same README differs from 2023's by at most one grid step
    new = _ref("ehec_medicaid_2014_readme2024").query("value == @mbar")
    step = 40 * np.sqrt(V[5, 5]) / 999
    assert abs(h.table["lb"].iloc[0] - new["lb"].iloc[0]) <= step + _printed_tol(new["lb"].iloc[0])
    assert abs(h.table["ub"].iloc[0] - new["ub"].iloc[0]) <= step + _printed_tol(new["ub"].iloc[0])


@pytest.mark.slow
def test_relative_magnitudes_full_readme_table():
    b, V = _ehec_event_study()
    ref = _ref("ehec_medicaid_2014").query("Delta == 'DeltaRM'")
    h = effects.honest_did(
        betahat=b,
        sigma=V,
        num_pre_periods=5,
        num_post_periods=2,
        Mbar=ref["value"].to_numpy(),
        breakdown=True,
    )
    for got, want in zip(np.r_[h.table["lb"], h.table["ub"]], np.r_[ref["lb"], ref["ub"]]):
        assert abs(got - want) <= _printed_tol(want), (got, want)
    # README: "the breakdown value for a significant effect is Mbar = 2" (lb < 0 only at 2)
    assert 1.5 < h.breakdown < 2.0


def test_honest_did_from_event_study_result():
    mp = pd.read_csv(REF / "mpdta.csv")
    es = effects.att_gt(mp, "lemp", "countyreal", "year", "first.treat", base_period="universal").aggregate(
        "dynamic"
    )
    h = effects.honest_did(es, Mbar=[0.0, 1.0], breakdown=False)
    # same numbers through R's entry point: coefficients without e = -1, pre-periods first
    keep = es.egt != -1
    V = es.vcov()[np.ix_(keep, keep)]
    r = effects.honest_did(
        betahat=es.att[keep],
        sigma=V,
        num_pre_periods=3,
        num_post_periods=4,
        l_vec=np.full(4, 0.25),
        Mbar=[0.0, 1.0],
        breakdown=False,
        grid_points=100,
    )
    pd.testing.assert_frame_equal(h.to_frame(), r.to_frame(), check_like=True)
    assert h.theta == pytest.approx(np.mean(es.att[es.egt >= 0]))
    # robust sets widen with Mbar and contain the identified set
    assert (h.table["ub"] - h.table["lb"]).iloc[1] > (h.table["ub"] - h.table["lb"]).iloc[0]
    assert np.all((h.table["lb"] <= h.table["id_lb"]) & (h.table["id_ub"] <= h.table["ub"]))
    with pytest.raises(ValueError, match="universal"):
        effects.honest_did(
            effects.att_gt(mp, "lemp", "countyreal", "year", "first.treat").aggregate("dynamic")
        )
    with pytest.raises(ValueError, match="either"):
        effects.honest_did(es, betahat=es.att, sigma=V)


def test_breakdown_value_brackets_zero():
    # one post-period, three pre-periods: fast no-nuisance branch of the conditional test
    b = np.array([0.02, -0.01, 0.01, 0.10])
    V = np.diag([0.01, 0.01, 0.01, 0.02]) ** 2
    kw = dict(betahat=b, sigma=V, num_pre_periods=3, num_post_periods=1)
    h = effects.honest_did(Mbar=[0.0], breakdown_tol=0.05, **kw)
    bd = h.breakdown
    assert 0 < bd < np.inf
    at = effects.honest_did(Mbar=[bd], breakdown=False, **kw)
    past = effects.honest_did(Mbar=[bd + 0.051], breakdown=False, **kw)
    assert at.table["lb"].iloc[0] > 0 and past.table["lb"].iloc[0] <= 0
    sd = effects.honest_did(method="smoothness", M=[0.0, 0.01], breakdown_tol=2e-4, **kw)
    bs = sd.breakdown
    assert effects.honest_did(method="smoothness", M=[bs], breakdown=False, **kw).table["lb"].iloc[0] > 0
    assert (
        effects.honest_did(method="smoothness", M=[bs + 2.1e-4], breakdown=False, **kw).table["lb"].iloc[0]
        <= 0
    )


def test_honest_did_argument_errors():
    with pytest.raises(ValueError, match="num_pre_periods"):
        effects.honest_did(betahat=np.zeros(3), sigma=np.eye(3), num_pre_periods=2, num_post_periods=2)
    with pytest.raises(ValueError, match="method"):
        effects.honest_did(
            betahat=np.zeros(3), sigma=np.eye(3), num_pre_periods=2, num_post_periods=1, method="bonferroni"
        )
    with pytest.raises(ValueError, match="give an event-study result"):
        effects.honest_did(betahat=np.zeros(3))


def test_long_windows_fall_back_to_the_projection_with_a_warning():
    rng = np.random.default_rng(0)
    npre, npost = 11, 25
    A = rng.normal(size=(npre + npost, npre + npost))
    S = (A @ A.T / (npre + npost) + np.eye(npre + npost)) * 0.01**2
    b = rng.normal(0, 0.01, npre + npost)
    b[npre:] += 0.05
    kw = dict(
        betahat=b, sigma=S, num_pre_periods=npre, num_post_periods=npost, l_vec=np.full(npost, 1 / npost)
    )
    with pytest.warns(UserWarning, match="Bonferroni"):
        h = effects.honest_did(Mbar=[0.0, 0.5], breakdown_tol=0.05, **kw)
    assert (h.table["method"] == "Bonferroni").all()
    lo, hi = h.original_ci
    assert h.table["lb"].iloc[0] == pytest.approx(lo) and h.table["ub"].iloc[0] == pytest.approx(hi)
    assert np.all((h.table["lb"] <= h.table["id_lb"]) & (h.table["id_ub"] <= h.table["ub"]))
    assert 0 < h.breakdown < np.inf


def test_rm_grid_widens_until_the_set_is_closed():
    # identified set [-3.8, 4.2] reaches past R's default grid (+-20 SDs of theta = +-2)
    import warnings

    from jingwu.effects._honest import rm_confidence_set, rm_identified_set

    b, S = np.array([1.0, -1.0, 0.5, 0.2]), np.eye(4) * 0.01
    idl, idu = rm_identified_set(b, 3, 1, 2.0, np.array([1.0]))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        lb, ub = rm_confidence_set(b, S, 3, 1, 2.0)
    assert lb < idl < idu < ub and lb > -2 * 20 * 0.1 * 4  # closed, within a few widenings
    assert (ub - idu) < 1.0 and (idl - lb) < 1.0
    # a bound the caller fixes is kept, and the open end is reported
    with pytest.warns(RuntimeWarning, match="open at the theta grid's end"):
        assert rm_confidence_set(b, S, 3, 1, 2.0, grid_lb=-2, grid_ub=2) == (-2.0, 2.0)
