"""One spelling per concept (package glossary): old keyword spellings warn and give the same numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jingwu import effects

MPDTA = pd.read_csv(Path(__file__).parent / "reference" / "mpdta.csv")
COLS = ("lemp", "countyreal", "year", "first.treat")


def _state(d: pd.DataFrame) -> pd.DataFrame:
    return d.assign(state=d["countyreal"] // 1000)


def test_att_gt_old_spellings_are_deprecated_aliases():
    new = effects.att_gt(MPDTA, *COLS, alpha=0.1, bstrap=True, n_boot=99, seed=3)
    with pytest.warns(DeprecationWarning, match=r"att_gt\(alp=...\) is deprecated"):
        old = effects.att_gt(MPDTA, *COLS, alp=0.1, bstrap=True, biters=99, random_state=3)
    np.testing.assert_array_equal(new.se, old.se)
    assert new.crit_val == old.crit_val
    with pytest.warns(DeprecationWarning, match="clustervars"):
        cl_old = effects.att_gt(_state(MPDTA), *COLS, clustervars="state")
    np.testing.assert_array_equal(cl_old.se, effects.att_gt(_state(MPDTA), *COLS, cluster="state").se)
    agg = new.aggregate("simple", alpha=0.2)
    with pytest.warns(DeprecationWarning, match="alp"):
        assert new.aggregate("simple", alp=0.2).alp == agg.alpha == 0.2


def test_both_spellings_at_once_is_an_error():
    with pytest.raises(TypeError, match="both alp= and alpha="):
        effects.att_gt(MPDTA, *COLS, alp=0.1, alpha=0.1)


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        effects.att_gt(MPDTA, *COLS, "~ lpop")  # type: ignore[misc]
    with pytest.raises(TypeError):
        effects.imputation(MPDTA, *COLS, "w")  # type: ignore[misc]


def test_twfe_and_wild_bootstrap_take_dname():
    d = _state(MPDTA).assign(
        D=lambda x: ((x["first.treat"] > 0) & (x["year"] >= x["first.treat"])).astype(int)
    )
    ids = ("lemp", "countyreal", "year")
    new = effects.twfe(d, *ids, dname="D")
    with pytest.warns(DeprecationWarning, match="treatname"):
        old = effects.twfe(d, *ids, treatname="D")
    assert new.coef == old.coef == effects.twfe(d, *ids, gname="first.treat").coef
    w_new = effects.wild_cluster_bootstrap(d, *ids, dname="D", cluster="state", n_boot=199, seed=1)
    with pytest.warns(DeprecationWarning):
        w_old = effects.wild_cluster_bootstrap(d, *ids, treatname="D", cluster="state", B=199, random_state=1)
    assert w_new.p_value == w_old.p_value and w_new.n_boot == w_old.n_boot
    with pytest.warns(DeprecationWarning, match=r"\.B is deprecated"):
        assert w_old.B == w_new.n_boot


def test_pretrend_and_score_bootstrap_take_n_boot():
    agg = effects.att_gt(_state(MPDTA), *COLS, cluster="state").aggregate("simple")
    a = effects.wild_score_bootstrap(agg, n_boot=199, seed=2)
    with pytest.warns(DeprecationWarning, match="B="):
        b = effects.wild_score_bootstrap(agg, B=199, seed=2)
    assert a.p_value == b.p_value
