"""Check a project before running the notebooks: :func:`validate_project` and its :class:`ProjectCheck`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ...errors import DataError
from .config import MIN_FORECAST_DAYS, TABLES, load_project
from .reading import read_city

# ---------------------------------------------------------------------------
# Checking a project
# ---------------------------------------------------------------------------


@dataclass
class ProjectCheck:
    """The result of :func:`validate_project`: what is fine, what to fix, what is missing.

    Attributes
    ----------
    ok : bool
        No problem stops the analysis.
    problems, warnings, facts : list of str
        Lines of the report (never quoting an export's cell).
    """

    ok: bool
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    facts: list[str] = field(default_factory=list)

    def report(self) -> str:
        """A readable report, one line per finding."""
        lines = [
            (
                "OK: the project is ready for `jingwu reproduce --city`"
                if self.ok
                else "NOT READY: fix the problems below"
            )
        ]
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  warning: {w}" for w in self.warnings]
        lines += [f"  {f}" for f in self.facts]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


def validate_project(path: str | Path) -> ProjectCheck:
    """Check a whole project: the file, every export, and how they join.

    Reports stations in the incidents but not in the station table, adoption
    months outside the incident history, a history too short for a forecast
    backtest, and which analyses the exports support.

    Examples
    --------
    >>> import tempfile
    >>> from jingwu.studies.project import init_project
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = init_project(d)
    ...     validate_project(d).ok
    False
    """
    check = ProjectCheck(ok=False)
    try:
        project = load_project(path)
    except DataError as exc:
        check.problems.append(str(exc))
        return check
    for table, required in TABLES.items():
        if required and table not in project.files:
            check.problems.append(f"[data] names no {table} export (required)")
    if check.problems:
        return check
    try:
        city = read_city(project)
    except DataError as exc:
        check.problems.append(str(exc))
        return check
    check.warnings.extend(city.notices)
    st, demand, panel = city.stations, city.demand, city.panel
    first, last = demand["date"].min(), demand["date"].max()
    days = (last - first).days + 1
    check.facts.append(
        f"{len(st)} stations in {st['district'].nunique()} districts; incidents "
        f"{first:%Y-%m-%d}..{last:%Y-%m-%d} ({days} days, "
        f"{int(demand['count'].sum()):,} incidents)"
    )
    if days < MIN_FORECAST_DAYS:
        check.problems.append(
            f"only {days} days of incidents: a forecast backtest needs at least "
            f"{MIN_FORECAST_DAYS} (a year or more is better)"
        )
    elif days < 730:
        check.warnings.append(
            f"{days} days of incidents: yearly seasonality (Spring Festival) needs two "
            "years or more to be estimated well"
        )
    adoption = st["adoption_month"].dropna() if "adoption_month" in st else pd.Series(dtype="period[M]")
    months = panel["month"]
    if len(adoption):
        outside = adoption[(adoption <= months.min()) | (adoption > months.max())]
        if len(outside):
            ids = st.loc[outside.index, "station_id"].astype(str).tolist()
            check.warnings.append(
                f"{len(outside)} adoption month(s) outside the incident history "
                f"({months.min()}..{months.max()}) for stations {ids[:5]}: these "
                "stations give no before/after comparison"
            )
        check.facts.append(
            f"smart-policing adoption: {adoption.nunique()} cohort(s), {len(adoption)} "
            f"adopting and {len(st) - len(adoption)} never-adopting stations"
        )
    else:
        check.warnings.append(
            "no adoption months in the station table: the effects notebook has no "
            "difference-in-differences to estimate"
        )
    has_outcomes = [
        c
        for c in ("cases", "cleared", "satisfaction_n", "response_minutes")
        if c in panel and panel[c].notna().any()
    ]
    if "outcomes" not in project.files:
        check.warnings.append(
            "no outcomes export: clearance and satisfaction effects need monthly "
            '立案数/破案数/满意度 figures ([data] outcomes = "月度绩效.xlsx")'
        )
    check.facts.append(
        f"monthly panel: {len(panel):,} station-months; outcomes available: {has_outcomes or 'none'}"
    )
    if "officers" not in st or st["officers"].isna().all():
        check.warnings.append(
            "no officer numbers in the station table: staffing and per-officer workload need 民警人数"
        )
    if len(city.handling_minutes):
        check.facts.append("handling times: the export's own per-category means (处警时长) are used")
    check.ok = not check.problems
    return check
