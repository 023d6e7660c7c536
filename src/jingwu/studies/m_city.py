"""The suite's station panel as a smart-policing study: outcomes, their clocks, the simulator's truth.

The estimators in :mod:`jingwu.effects` take any long panel.  This module
holds the study-specific steps on the suite's monthly panel (``stations ×
month`` with ``adoption_month``; the bundled M city or a user's own city):
build one outcome in the right time unit (:func:`outcome_panel`), report it
in its unit (:func:`scale_effects`, :func:`outcome_label`) and put the
simulator's ground truth in the same units for checking (:func:`truth_effects`).

Outcome definitions live in :data:`OUTCOMES` (one place, bilingual labels,
the denominator used as weight and the reporting scale).

(Formerly in ``jingwu.effects``; ``jw.effects.outcome_panel`` and the other
names still work.)
"""

from __future__ import annotations

import pandas as pd

from ..errors import DataError
from ..schema import require_columns

__all__ = ["OUTCOMES", "outcome_panel", "truth_effects", "scale_effects", "outcome_label"]

#: Outcome → how it is built from the monthly panel and how it is reported.
#: ``scale`` converts the estimate into the reporting ``unit`` (shares × 100 =
#: percentage points).  Satisfaction is surveyed quarterly, so it is analysed
#: on a quarterly clock.
OUTCOMES: dict[str, dict] = {
    "clearance_rate": {
        "zh": "破案率",
        "en": "Clearance rate",
        "numerator": "cleared",
        "denominator": "cases",
        "freq": "M",
        "scale": 100.0,
        "unit": "pp",
    },
    "satisfaction_rate": {
        "zh": "群众满意度",
        "en": "Public satisfaction",
        "numerator": "satisfaction_yes",
        "denominator": "satisfaction_n",
        "freq": "Q",
        "scale": 100.0,
        "unit": "pp",
    },
    "response_minutes": {
        "zh": "出警时间",
        "en": "Response time",
        "column": "response_minutes",
        "denominator": None,
        "freq": "M",
        "scale": 1.0,
        "unit": "min",
    },
}

_KEYS = ["station_id", "month", "adoption_month"]


def _spec(outcome: str) -> dict:
    if outcome not in OUTCOMES:
        raise ValueError(f"outcome must be one of {sorted(OUTCOMES)}, not {outcome!r}")
    return OUTCOMES[outcome]


def _require(panel: pd.DataFrame, columns: list[str], what: str) -> None:
    require_columns(panel, columns, what=what, file="panel")


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


def outcome_panel(
    panel: pd.DataFrame,
    outcome: str,
    stations: pd.DataFrame | None = None,
    *,
    keep: list[str] | None = None,
    freq: str | None = None,
) -> pd.DataFrame:
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
        df = (
            _quarterly(df, col, None)
            if freq == "Q"
            else df.rename(columns={"month": "period", "adoption_month": "cohort"})
        )
        out = df.rename(columns={col: "y"})
        out["weight"] = 1.0
    else:
        num, den = spec["numerator"], spec["denominator"]
        df = df[df[den].notna() & (df[den] > 0)]
        bad = df[num] > df[den]
        if bad.any():
            raise DataError(
                f"{num} exceeds {den}",
                column=num,
                rows=list(df.index[bad][:10]),
                expected=f"0 <= {num} <= {den}",
            )
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


def truth_effects(
    truth_att: pd.DataFrame, outcome: str, kind: str = "simple", stations: pd.Series | None = None
) -> pd.DataFrame:
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


def scale_effects(
    table: pd.DataFrame, outcome: str, columns: tuple[str, ...] = ("att", "se", "ci_lower", "ci_upper")
) -> pd.DataFrame:
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
