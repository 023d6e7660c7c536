"""Reference numbers for att_gt on an unbalanced panel, from the Python port `csdid`.

Makes ``unbalanced_panel.csv`` (a deterministic mpdta-like panel: 60 units x 8
years, cohorts 2004 and 2006 and never treated, one covariate ``x``, then 12% of
the rows deleted at random) and, with ``csdid`` (d2cml-ai, a port of R ``did``
that follows its ``allow_unbalanced_panel`` and ``panel=False`` paths),
writes ``unbalanced_reference_numbers.csv``: the group-time ATTs and their
analytic SEs, and the simple and dynamic aggregates.

Run in a separate environment (not the project's):
    python3 -m venv /tmp/refvenv && /tmp/refvenv/bin/pip install csdid==0.4.3 drdid==1.1.7
    /tmp/refvenv/bin/python tests/reference/unbalanced_reference.py
"""

from __future__ import annotations

import contextlib
import io
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent


def make_panel(seed: int = 20261203) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units, years = np.arange(1, 61), np.arange(2001, 2009)
    cohort = rng.choice([0, 2004, 2006], size=len(units), p=[0.4, 0.3, 0.3])
    x = rng.normal(0, 1, len(units))
    alpha = rng.normal(0, 1, len(units))
    rows = []
    for i, u in enumerate(units):
        for t in years:
            g = cohort[i]
            treated = g > 0 and t >= g
            eff = (0.5 + 0.1 * (t - g)) if treated else 0.0
            y = alpha[i] + 0.05 * (t - 2000) + 0.3 * x[i] * (t - 2000) / 8 + eff + rng.normal(0, 0.3)
            rows.append((u, t, g, round(float(x[i]), 6), round(float(y), 6)))
    df = pd.DataFrame(rows, columns=["id", "year", "first_treat", "x", "y"])
    drop = rng.choice(len(df), int(0.12 * len(df)), replace=False)
    return df.drop(index=drop).sort_values(["id", "year"]).reset_index(drop=True)


SCENARIOS = [
    # name, control group, est_method, covariates, panel
    ("unb_nev_dr", "nevertreated", "dr", None, True),
    ("unb_nyt_reg", "notyettreated", "reg", None, True),
    ("unb_nev_ipw", "nevertreated", "ipw", None, True),
    ("unb_nev_dr_cov", "nevertreated", "dr", "~ x", True),
    ("unb_nyt_ipw_cov", "notyettreated", "ipw", "~ x", True),
    ("unb_nev_reg_cov", "nevertreated", "reg", "~ x", True),
    ("rc_nev_dr", "nevertreated", "dr", None, False),
    ("rc_nyt_dr_cov", "notyettreated", "dr", "~ x", False),
]


def main() -> None:
    import csdid
    from csdid.att_gt import ATTgt

    df = make_panel()
    df.to_csv(HERE / "unbalanced_panel.csv", index=False)
    out = []
    for name, cg, est, xf, panel in SCENARIOS:
        # repeated cross sections: every row is its own sampling unit (``rid``)
        data = df.assign(rid=np.arange(1, len(df) + 1))
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            m = ATTgt(
                yname="y",
                tname="year",
                idname="id" if panel else "rid",
                gname="first_treat",
                data=data,
                control_group=cg,
                xformla=xf,
                panel=panel,
                allow_unbalanced_panel=panel,
            ).fit(est_method=est, bstrap=False)
        r = m.results
        for g, t, a, s in zip(r["group"], r["year"], r["att"], r["se"]):
            out.append((name, "attgt", g, t, a, s))
        for typ in ("simple", "dynamic"):
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
                warnings.simplefilter("ignore")
                m.aggte(typec=typ, bstrap=False)
            a = m.atte
            out.append((name, typ + "_overall", np.nan, np.nan, a["overall_att"], a["overall_se"]))
            if typ == "dynamic":
                for e, att, se in zip(a["egt"], a["att_egt"], np.ravel(a["se_egt"])):
                    out.append((name, "dynamic", e, np.nan, att, se))
    ref = pd.DataFrame(out, columns=["scenario", "level", "g_or_e", "t", "att", "se"])
    ref["source"] = f"csdid {csdid.__version__ if hasattr(csdid, '__version__') else '0.4.3'}"
    ref.to_csv(HERE / "unbalanced_reference_numbers.csv", index=False, float_format="%.12g")
    print(ref.to_string())


if __name__ == "__main__":
    main()
