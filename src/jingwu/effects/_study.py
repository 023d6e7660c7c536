"""From a station panel to a staggered-adoption study: outcomes, naive numbers, comparisons.

The estimators in this package take any long panel.  This module holds the
steps every smart-policing analysis repeats on the suite's monthly panel
(``stations × month`` with ``adoption_month``): build one outcome in the right
time unit, compute the naive before/after figure that reports often quote,
run the estimators side by side, split effects by subgroup, and put the
simulator's ground truth in the same units for checking.

Outcome definitions live in :data:`OUTCOMES` (one place, bilingual labels,
the denominator used as weight and the reporting scale).
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import DataError
from ._cs import att_gt
from ._event import imputation
from ._prep import _time_codec
from ._twfe import twfe

__all__ = ["OUTCOMES", "outcome_panel", "naive_before_after", "compare_estimators",
           "subgroup_effects", "truth_effects", "scale_effects", "outcome_label", "bacon_summary"]

#: Outcome → how it is built from the monthly panel and how it is reported.
#: ``scale`` converts the estimate into the reporting ``unit`` (shares × 100 =
#: percentage points).  Satisfaction is surveyed quarterly, so it is analysed
#: on a quarterly clock.
OUTCOMES: dict[str, dict] = {
    "clearance_rate": {"zh": "破案率", "en": "Clearance rate", "numerator": "cleared",
                       "denominator": "cases", "freq": "M", "scale": 100.0, "unit": "pp"},
    "satisfaction_rate": {"zh": "群众满意度", "en": "Public satisfaction",
                          "numerator": "satisfaction_yes", "denominator": "satisfaction_n",
                          "freq": "Q", "scale": 100.0, "unit": "pp"},
    "response_minutes": {"zh": "出警时间", "en": "Response time", "column": "response_minutes",
                         "denominator": None, "freq": "M", "scale": 1.0, "unit": "min"},
}

_KEYS = ["station_id", "month", "adoption_month"]


def _spec(outcome: str) -> dict:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
    return OUTCOMES[outcome]


def _require(panel: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise DataError(f"the panel lacks {missing} needed for {what}", column=missing[0],
                        expected=f"columns {columns}")


def _quarterly(df: pd.DataFrame, num: str, den: str | None) -> pd.DataFrame:
    """Sum (or, without a denominator, average) months into quarters; a quarter
    counts as treated from the first observed month on or after adoption."""
    df = df.assign(period=df["month"].dt.asfreq("Q"))
    after = df["adoption_month"].notna() & (df["month"] >= df["adoption_month"])
    first = df.loc[after].groupby("station_id")["period"].min()
    grouped = df.groupby(["station_id", "period"], sort=True)
    out = (grouped[[num, den]].sum() if den else grouped[[num]].mean()).reset_index()
    out["cohort"] = out["station_id"].map(first).astype(pd.PeriodDtype("Q"))
    return out


def outcome_panel(panel: pd.DataFrame, outcome: str, stations: pd.DataFrame | None = None,
                  *, keep: list[str] | None = None, freq: str | None = None) -> pd.DataFrame:
    """Long frame for one outcome: ``station_id, period, cohort, y, weight``.

    Clearance is ``cleared / cases`` per station-month (weight: cases);
    satisfaction is ``yes / respondents`` per survey quarter (weight:
    respondents; the cohort is the first quarter with a survey on or after
    adoption); response time is the monthly mean (weight 1).  Station-months
    with a zero denominator are dropped (they carry no information); never
    adopters have a missing ``cohort``.

    Parameters
    ----------
    panel : DataFrame
        The suite's monthly panel (``station_id``, ``month`` Period[M],
        ``adoption_month`` and the outcome's columns).
    outcome : {"clearance_rate", "satisfaction_rate", "response_minutes"}
    stations : DataFrame, optional
        Station attributes to attach (``keep`` columns, e.g. ``district``).
    keep : list of str, optional
        Columns of ``stations`` to keep (default: ``district`` if present).
    freq : {"M", "Q"}, optional
        Clock of the analysis (default: the outcome's own, see
        :data:`OUTCOMES`).  ``"Q"`` pools months into quarters (rates: sums
        of numerator and denominator; response time: the mean), which makes
        pre-period estimates less noisy for sensitivity analysis.

    Examples
    --------
    >>> import pandas as pd
    >>> p = pd.DataFrame({"station_id": ["A"] * 3, "month": pd.period_range("2020-01", periods=3, freq="M"),
    ...                   "adoption_month": pd.Period("2020-02", "M"), "cleared": [1, 2, 3],
    ...                   "cases": [4, 4, 0]})
    >>> outcome_panel(p, "clearance_rate")[["period", "y", "weight"]].values.tolist()
    [[Period('2020-01', 'M'), 0.25, 4.0], [Period('2020-02', 'M'), 0.5, 4.0]]
    """
    spec = _spec(outcome)
    freq = spec["freq"] if freq is None else freq
    if freq not in ("M", "Q"):
        raise ValueError(f"freq must be 'M' or 'Q', not {freq!r}")
    if spec["freq"] == "Q" and freq == "M":
        raise ValueError(f"{outcome} is observed quarterly; it cannot be analysed monthly")
    value_cols = [spec["column"]] if "column" in spec else [spec["numerator"], spec["denominator"]]
    _require(panel, _KEYS + value_cols, outcome)
    df = panel[_KEYS + value_cols].copy()
    if "column" in spec:
        col = spec["column"]
        df = df[df[col].notna()]
        df = _quarterly(df, col, None) if freq == "Q" else \
            df.rename(columns={"month": "period", "adoption_month": "cohort"})
        out = df.rename(columns={col: "y"})
        out["weight"] = 1.0
    else:
        num, den = spec["numerator"], spec["denominator"]
        df = df[df[den].notna() & (df[den] > 0)]
        bad = df[num] > df[den]
        if bad.any():
            raise DataError(f"{num} exceeds {den}", column=num, rows=list(df.index[bad][:10]),
                            expected=f"0 <= {num} <= {den}")
        if freq == "Q":
            df = _quarterly(df, num, den)
        else:
            df = df.rename(columns={"month": "period", "adoption_month": "cohort"})
        out = df.assign(y=df[num].astype(float) / df[den].astype(float), weight=df[den].astype(float))
    out = out[["station_id", "period", "cohort", "y", "weight"]].reset_index(drop=True)
    if stations is not None:
        keep = keep if keep is not None else [c for c in ("district",) if c in stations.columns]
        _require(stations, ["station_id", *keep], "station attributes")
        out = out.merge(stations[["station_id", *keep]], on="station_id", how="left", validate="m:1")
    return out


def naive_before_after(data: pd.DataFrame, window: int | None = None, *, yname: str = "y",
                       idname: str = "station_id", tname: str = "period",
                       gname: str = "cohort") -> dict:
    """The before/after figure reports quote: adopters' mean after adoption
    minus their mean before (all periods, or ``window`` periods each side).

    No control group, so it mixes the adoption effect with every trend and
    shock of the same years; shown only to contrast with the estimators.

    Returns
    -------
    dict
        ``att`` (mean over adopters of their after − before difference),
        ``se`` (its standard error across adopters), ``n_units``, ``window``
        (the periods used each side; all of them when ``window`` is None).

    Examples
    --------
    >>> import pandas as pd
    >>> d = pd.DataFrame({"station_id": "A", "period": range(4), "cohort": 2, "y": [1., 1., 3., 3.]})
    >>> naive_before_after(d, window=2)["att"]
    2.0
    """
    if window is not None and window < 1:
        raise ValueError("window must be at least 1 period (or None for all periods)")
    df = data[data[gname].notna()]
    if df.empty:
        raise DataError("no adopting units", column=gname, expected="some non-missing adoption periods")
    # the estimators' own time codec: Periods become ordinals, and cohort and
    # time must be of the same kind
    codec = _time_codec(df[tname], tname)
    t = codec.encode(df[tname], tname)
    g = codec.encode(df[gname], gname)
    e = t - g
    if window is None:
        window = int(np.nanmax(np.abs(e))) + 1
    before = df.loc[(e >= -window) & (e < 0)].groupby(idname)[yname].mean()
    after = df.loc[(e >= 0) & (e < window)].groupby(idname)[yname].mean()
    diff = (after - before).dropna()
    if diff.empty:
        raise DataError(f"no adopter has data both {window} periods before and after adoption",
                        column=tname, expected="observations around adoption")
    se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
    return {"att": float(diff.mean()), "se": se, "n_units": int(len(diff)), "window": int(window)}


def _row(estimator: str, label: str, att: float, se: float, z: float) -> dict:
    return {"estimator": estimator, "label": label, "att": att, "se": se,
            "ci_lower": att - z * se, "ci_upper": att + z * se}


def compare_estimators(data: pd.DataFrame, *, yname: str = "y", idname: str = "station_id",
                       tname: str = "period", gname: str = "cohort", weightsname: str | None = None,
                       naive_window: int | None = None, alp: float = 0.05) -> pd.DataFrame:
    """Overall effect of adoption by every estimator, one row each.

    Rows: ``naive`` (before/after, :func:`naive_before_after`), ``twfe``
    (static two-way fixed effects, SEs clustered by unit), ``cs_never`` and
    ``cs_notyet`` (Callaway & Sant'Anna, doubly robust, simple aggregation,
    never-treated or not-yet-treated controls), ``imputation``
    (Borusyak, Jaravel & Spiess).  Estimates are in the outcome's units.

    Returns
    -------
    DataFrame
        ``estimator, label, att, se, ci_lower, ci_upper``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"station_id": np.repeat(np.arange(30), 8), "period": np.tile(np.arange(8), 30)})
    >>> d["cohort"] = np.where(d["station_id"] % 3 == 0, np.nan, 3 + d["station_id"] % 3)
    >>> d["y"] = rng.normal(size=len(d)) * 0.1 + 1.0 * (d["period"] >= d["cohort"])
    >>> t = compare_estimators(d, naive_window=3)
    >>> t["estimator"].tolist()
    ['naive', 'twfe', 'cs_never', 'cs_notyet', 'imputation']
    >>> bool(abs(t.set_index("estimator").loc["cs_never", "att"] - 1.0) < 0.1)
    True
    """
    z = float(stats.norm.ppf(1 - alp / 2))
    args = (data, yname, idname, tname, gname)
    rows = []
    nv = naive_before_after(data, naive_window, yname=yname, idname=idname, tname=tname, gname=gname)
    label = "Before/after" + ("" if naive_window is None else f" ({naive_window} periods)")
    rows.append(_row("naive", label, nv["att"], nv["se"], z))
    tw = twfe(data, yname, idname, tname, gname=gname, weightsname=weightsname, alp=alp)
    # TWFE keeps its own small-sample (t with G-1 df) interval.
    rows.append({**_row("twfe", "Two-way fixed effects", tw.coef, tw.se, z),
                 "ci_lower": tw.ci_lower, "ci_upper": tw.ci_upper})
    for cg, label in (("nevertreated", "Callaway-Sant'Anna, never-treated"),
                      ("notyettreated", "Callaway-Sant'Anna, not-yet-treated")):
        agg = att_gt(*args, control_group=cg, weightsname=weightsname, alp=alp).aggregate("simple")
        rows.append(_row("cs_never" if cg == "nevertreated" else "cs_notyet", label,
                         agg.overall_att, agg.overall_se, z))
    im = imputation(*args, weightsname=weightsname, alp=alp)
    rows.append(_row("imputation", "Imputation (Borusyak-Jaravel-Spiess)", im.overall_att, im.overall_se, z))
    return pd.DataFrame(rows)


def subgroup_effects(data: pd.DataFrame, by: str, *, yname: str = "y", idname: str = "station_id",
                     tname: str = "period", gname: str = "cohort", weightsname: str | None = None,
                     alp: float = 0.05) -> pd.DataFrame:
    """Callaway-Sant'Anna overall effect within each subgroup of adopters.

    Each subgroup's adopters are compared with *all* never-treated units
    (subgroups may hold too few never adopters of their own).  The estimate
    then also differs if never adopters of that type would have trended
    differently, so read subgroup gaps as descriptive.

    Returns
    -------
    DataFrame
        ``by`` value, ``n_treated``, ``att``, ``se``, ``ci_lower``, ``ci_upper``
        (subgroups with no adopters are skipped).

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> d = pd.DataFrame({"station_id": np.repeat(np.arange(12), 6), "period": np.tile(np.arange(6), 12)})
    >>> d["cohort"] = np.where(d["station_id"] < 4, np.nan, 3.0)
    >>> d["kind"] = np.where(d["station_id"] % 2 == 0, "a", "b")
    >>> d["y"] = d["station_id"] + np.where(d["kind"] == "a", 1.0, 2.0) * (d["period"] >= d["cohort"])
    >>> subgroup_effects(d, "kind")[["kind", "att"]].round(6).values.tolist()
    [['a', 1.0], ['b', 2.0]]
    """
    _require(data, [by, idname, gname], "subgroup effects")
    z = float(stats.norm.ppf(1 - alp / 2))
    never = data[gname].isna() | (data[gname] == 0)
    rows = []
    for level, part in data[~never].groupby(by, sort=True):
        sub = pd.concat([part, data[never]], ignore_index=True)
        agg = att_gt(sub, yname, idname, tname, gname, weightsname=weightsname, alp=alp).aggregate("simple")
        rows.append({by: level, "n_treated": int(part[idname].nunique()),
                     **{k: v for k, v in _row("cs", "", agg.overall_att, agg.overall_se, z).items()
                        if k not in ("estimator", "label")}})
    return pd.DataFrame(rows)


def truth_effects(truth_att: pd.DataFrame, outcome: str, kind: str = "simple",
                  stations: pd.Series | None = None) -> pd.DataFrame:
    """The simulator's true effects in the same time units as :func:`outcome_panel`.

    Parameters
    ----------
    truth_att : DataFrame
        ``city.truth.att`` (``outcome, cohort, month, event_time, att, n_stations``).
    outcome : str
    kind : {"simple", "dynamic", "group"}
        Aggregation, weighted as Callaway & Sant'Anna weight estimates.
        For satisfaction, months become quarters: event time counts survey
        quarters since the cohort's first treated survey.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"outcome": "satisfaction_rate", "cohort": pd.PeriodIndex(["2020-01"] * 2, freq="M"),
    ...                   "month": pd.PeriodIndex(["2020-03", "2020-06"], freq="M"), "event_time": [2, 5],
    ...                   "att": [0.01, 0.02], "n_stations": 3})
    >>> truth_effects(t, "satisfaction_rate", "dynamic")[["event_time", "att"]].values.tolist()
    [[0.0, 0.01], [1.0, 0.02]]
    """
    from ..simulate import aggregate_truth

    spec = _spec(outcome)
    if kind not in ("simple", "dynamic", "group"):
        raise ValueError(f"kind must be simple, dynamic or group, not {kind!r}")
    att = truth_att[truth_att["outcome"] == outcome].copy()
    if att.empty:
        raise ValueError(f"no truth rows for outcome {outcome!r}")
    if spec["freq"] == "Q":
        first = att.groupby("cohort")["month"].transform("min").dt.asfreq("Q")
        q = att["month"].dt.asfreq("Q")
        att["event_time"] = [a.ordinal - b.ordinal for a, b in zip(q, first)]
        att["cohort"] = first
        att["month"] = q
    return aggregate_truth(att, kind, outcome).drop(columns="outcome")


def scale_effects(table: pd.DataFrame, outcome: str,
                  columns: tuple[str, ...] = ("att", "se", "ci_lower", "ci_upper")) -> pd.DataFrame:
    """Rescale effect columns into the outcome's reporting unit (shares → pp).

    Examples
    --------
    >>> import pandas as pd
    >>> scale_effects(pd.DataFrame({"att": [0.05]}), "clearance_rate", ("att",))["att"].round(6).tolist()
    [5.0]
    """
    spec = _spec(outcome)
    out = table.copy()
    for c in columns:
        if c in out.columns:
            out[c] = out[c] * spec["scale"]
    return out


def outcome_label(outcome: str, lang: str = "en") -> str:
    """Bilingual label of an outcome with its reporting unit.

    Examples
    --------
    >>> outcome_label("clearance_rate", "zh")
    '破案率 (pp)'
    """
    spec = _spec(outcome)
    return f"{spec['zh'] if lang == 'zh' else spec['en']} ({spec['unit']})"



def bacon_summary(bacon: pd.DataFrame) -> pd.DataFrame:
    """Weight and weighted mean estimate of each Goodman-Bacon comparison type.

    ``forbidden`` marks "later vs earlier treated" and "later vs always
    treated" comparisons, which use already-treated units as controls and pull TWFE away from the ATT when
    effects grow over time.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"type": ["treated vs never treated", "later vs earlier treated"],
    ...                   "estimate": [2.0, -1.0], "weight": [0.75, 0.25]})
    >>> bacon_summary(b)[["weight", "forbidden"]].values.tolist()
    [[0.25, True], [0.75, False]]
    """
    _require(bacon, ["type", "estimate", "weight"], "the Bacon summary")
    out = (bacon.groupby("type", sort=True)
           .apply(lambda g: pd.Series({"n_comparisons": len(g), "weight": g["weight"].sum(),
                                       "estimate": np.average(g["estimate"], weights=g["weight"])
                                       if g["weight"].sum() > 0 else np.nan}), include_groups=False)
           .reset_index())
    out["n_comparisons"] = out["n_comparisons"].astype(int)
    out["contribution"] = out["weight"] * out["estimate"]
    out["forbidden"] = out["type"].isin(["later vs earlier treated", "later vs always treated"])
    return out
