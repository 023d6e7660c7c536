"""Read a project's exports into the suite's tables: :func:`read_city`, :func:`load_city` and the incident helpers."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import pandas as pd

from ... import aggregate, io, schema
from ...errors import DataError
from ...simulate import City, Truth, read_truth
from .config import SALT_ENV, TABLES, OwnCity, Project, load_project

# ---------------------------------------------------------------------------
# Reading a project into the suite's tables
# ---------------------------------------------------------------------------


def _read(project: Project, table: str, notices: list[str], **extra: Any) -> pd.DataFrame:
    """Read one export through :mod:`jingwu.io`, turning its warnings into notices."""
    spec = project.files[table]
    reader = {"incidents": io.read_incidents, "stations": io.read_stations, "outcomes": io.read_outcomes}[
        table
    ]
    kwargs: dict[str, Any] = dict(
        header_map=spec.header_map or None,
        sheet_name=spec.sheet,
        pii=project.personal_data,
        timezone=project.timezone,
        **extra,
    )
    if table == "incidents":
        kwargs["category_map"] = project.category_map or None
    if project.personal_data == "hash":
        salt = os.environ.get(SALT_ENV, "")
        if not salt:
            raise DataError(
                f"personal_data = 'hash' needs a secret salt in the {SALT_ENV} environment variable",
                file=project.project_file,
                expected=f"export {SALT_ENV}=<a long random text kept out of the folder>",
            )
        kwargs["salt"] = salt
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            df = reader(spec.path, **kwargs)
        except DataError as exc:
            raise _with_category_hint(exc, project) from None
    notices.extend(str(w.message) for w in caught)
    return df


def _with_category_hint(exc: DataError, project: Project) -> DataError:
    unknown = getattr(exc, "unknown_categories", None)
    if not unknown:
        return exc
    lines = "\n".join(
        f'"{u}" = "other"   # criminal | public_order | traffic | dispute | assistance | fraud | other'
        for u in unknown[:30]
    )
    return DataError(
        f"{len(unknown)} unknown incident categor{'y' if len(unknown) == 1 else 'ies'} "
        f"{unknown[:5]}; add to {project.project_file}:\n[categories]\n{lines}\n",
        file=exc.file,
        column=exc.column,
        rows=exc.rows,
        expected=exc.expected,
    )


def _join_stations(
    incidents: pd.DataFrame, stations: pd.DataFrame, project: Project, notices: list[str]
) -> pd.DataFrame:
    """Match the incidents' stations to the station table: by code, or else by exact name."""
    known = set(stations["station_id"].astype(str))
    ids = incidents["station_id"].astype(str)
    if "station_name" in stations and not ids.isin(known).any():
        by_name = dict(zip(stations["station_name"].astype(str), stations["station_id"].astype(str)))
        if ids.isin(by_name).any():
            notices.append(
                "the incidents name their stations (派出所名称); matched to the station "
                "table's codes by exact name"
            )
            ids = ids.map(lambda v: by_name.get(v, v))
            incidents = incidents.assign(station_id=ids.to_numpy())
    unknown = sorted(set(ids) - known)
    if unknown:
        n_rows = int(ids.isin(unknown).sum())
        names = set(stations["station_name"].dropna().astype(str)) if "station_name" in stations else set()
        hint = aggregate.near_matches(unknown, sorted(known | names))
        raise DataError(
            f"{n_rows:,} incident(s) name {len(unknown)} station(s) missing from the station table "
            f"({project.files['stations'].path.name}): {unknown[:5]}{hint}",
            file=project.files["incidents"].path,
            column="station_id",
            expected="every station of the incidents in the station table (same code or name); "
            "map a differently named column with [headers.incidents] in jingwu.toml",
        )
    quiet = sorted(known - set(ids))
    if quiet:
        notices.append(
            f"{len(quiet)} station(s) of the station table have no incident in the export "
            f"(their demand is zero): {quiet[:5]}"
        )
    return incidents


def read_city(project: Project | str | Path) -> OwnCity:
    """Read a project's exports into the suite's tables, in one documented step.

    1. the station table (adoption months; 未上线 and similar read as never
       adopted, with a notice);
    2. the incident records, personal data removed, report times in the
       bureau's local time, every station checked against the station table;
    3. ``demand``: daily counts per station and category, zero-filled over
       every station and day of the export;
    4. ``panel``: monthly incidents, officers and adoption month, with cases,
       cleared and response time from the incidents, replaced by the outcomes
       export's figures where it has them (rows outside the incident history
       are reported, not dropped silently).

    Parameters
    ----------
    project : Project, or a folder / ``jingwu.toml`` path

    Returns
    -------
    OwnCity

    Raises
    ------
    DataError
        Naming the file, column, rows and what was expected.
    """
    if not isinstance(project, Project):
        project = load_project(project)
    missing = [t for t, required in TABLES.items() if required and t not in project.files]
    if missing:
        raise DataError(
            f"the project names no {' or '.join(missing)} export",
            file=project.project_file,
            expected=f'[data] {missing[0]} = "file name"',
        )
    notices: list[str] = []
    stations = _read(project, "stations", notices)
    incidents = _read(project, "incidents", notices)
    incidents = _join_stations(incidents, stations, project, notices)

    day = incidents["reported_at"].dt.normalize()
    start, end = day.min(), day.max()
    demand = aggregate.daily_demand(
        incidents,
        start=f"{start:%Y-%m-%d}",
        end=f"{end:%Y-%m-%d}",
        station_ids=stations["station_id"].astype(str).tolist(),
    )
    panel = aggregate.monthly_panel(demand=demand, incidents=incidents, stations=stations)
    if "outcomes" in project.files:
        outcomes = _read(project, "outcomes", notices, stations=stations)
        panel = _merge_outcomes(panel, outcomes, project, notices)
    handling = pd.Series(dtype=float)
    if "handling_minutes" in incidents and incidents["handling_minutes"].notna().any():
        handling = (
            incidents.groupby(incidents["category"].astype(str))["handling_minutes"]
            .mean()
            .rename("handling_minutes")
        )
    truth: Truth | None = read_truth(project.truth_dir) if project.truth_dir is not None else None
    return OwnCity(
        stations=stations,
        demand=demand,
        panel=panel,
        truth=truth,
        name=project.name,
        handling_minutes=handling,
        notices=notices,
        project=project,
        incidents=incidents.reset_index(drop=True),
    )


def _merge_outcomes(
    panel: pd.DataFrame, outcomes: pd.DataFrame, project: Project, notices: list[str]
) -> pd.DataFrame:
    cols = [
        c
        for c in ("cases", "cleared", "satisfaction_n", "satisfaction_yes", "response_minutes")
        if c in outcomes.columns
    ]
    keys = ["station_id", "month"]
    inside = outcomes.set_index(keys).index.isin(panel.set_index(keys).index)
    if not inside.all():
        months = outcomes.loc[~inside, "month"]
        notices.append(
            f"{int((~inside).sum())} row(s) of {project.files['outcomes'].path.name} lie outside "
            f"the incident history ({months.min()}..{months.max()}) and are not used"
        )
    merged = panel.drop(columns=[c for c in cols if c in panel.columns]).merge(
        outcomes.loc[inside, keys + cols], on=keys, how="left"
    )
    for c in ("cases", "cleared", "satisfaction_n", "satisfaction_yes"):
        if c in merged:
            merged[c] = merged[c].astype("Int64")
    schema.validate_panel(merged, file=project.files["outcomes"].path)
    return merged


def load_city(city: str | Path | None = None) -> City:
    """The city a notebook analyses: the bundled M city (``None``) or a project folder.

    Notebooks call this with their ``CITY`` parameter, so the same notebook
    runs on M city and on a user's own exports.

    Examples
    --------
    >>> load_city().name
    'M city'
    """
    if city is None:
        from ...datasets import load_m_city

        return load_m_city()
    return read_city(city)


def incident_records(
    city: City,
    station_ids: list[str] | None = None,
    start: str | None = None,
    end: str | None = None,
    *,
    seed: int | None = None,
) -> pd.DataFrame:
    """Incident records of a city: the export's own for a user's city, simulated for M city.

    The hour-of-week profile and shift staffing need report times.  A user's
    city has them from its export (:attr:`OwnCity.incidents`); the bundled
    city keeps daily counts only, so records consistent with them are
    simulated (:func:`jingwu.simulate.simulate_incidents`).  The frame's
    ``attrs["source"]`` says which (``"export"`` or ``"simulated"``).

    Parameters
    ----------
    city : City or OwnCity
    station_ids : list of str, optional
        Stations to keep (default: all).
    start, end : str, optional
        First and last day (inclusive; default: the whole history).
    seed : int, optional
        Seed of the simulation (M city only; default: the simulator's).

    Examples
    --------
    >>> from jingwu.simulate import simulate_city
    >>> city = simulate_city(seed=1, start="2024-01-01", end="2024-01-07", n_stations=5)
    >>> inc = incident_records(city, ["S01"], "2024-01-02", "2024-01-03")
    >>> inc.attrs["source"], bool(inc["reported_at"].dt.day.isin([2, 3]).all())
    ('simulated', True)
    """
    own = getattr(city, "incidents", None)
    if own is None:
        from ...simulate import simulate_incidents

        if seed is None:
            records = simulate_incidents(city, station_ids, start, end)
        else:
            records = simulate_incidents(city, station_ids, start, end, seed=seed)
        records.attrs["source"] = "simulated"
        return records
    keep = pd.Series(True, index=own.index)
    if station_ids is not None:
        unknown = sorted(set(station_ids) - set(city.stations["station_id"].astype(str)))
        if unknown:
            raise ValueError(f"unknown station ids: {unknown}")
        keep &= own["station_id"].astype(str).isin(station_ids)
    day = own["reported_at"].dt.normalize()
    if start is not None:
        keep &= day >= pd.Timestamp(start)
    if end is not None:
        keep &= day <= pd.Timestamp(end)
    records = own.loc[keep].reset_index(drop=True)
    records.attrs["source"] = "export"
    return records


def handling_minutes_for(city: City) -> tuple[dict[str, float], str]:
    """Handling minutes per category for staffing, and where they come from.

    A user's export with its own 处警时长 gives per-category means
    (:attr:`OwnCity.handling_minutes`); categories it lacks, and cities
    without handling times, keep the literature defaults
    (:data:`jingwu.allocate.DEFAULT_HANDLING_MINUTES`).

    Returns
    -------
    minutes : dict
        Category → mean minutes, including ``"all"`` (the incident-weighted
        mean when the export has handling times).
    source : {"export", "export+default", "default"}

    Examples
    --------
    >>> minutes, source = handling_minutes_for(load_city())
    >>> source, minutes["criminal"]
    ('default', 120.0)
    """
    from ...allocate import DEFAULT_HANDLING_MINUTES

    minutes = dict(DEFAULT_HANDLING_MINUTES)
    own = getattr(city, "handling_minutes", None)
    if own is None or not len(own):
        return minutes, "default"
    means = {str(k): float(v) for k, v in own.dropna().items()}
    minutes.update(means)
    records = getattr(city, "incidents", None)
    if records is not None and "handling_minutes" in records and records["handling_minutes"].notna().any():
        minutes["all"] = float(records["handling_minutes"].mean())
    missing = set(schema.CATEGORIES) - set(means)
    return minutes, ("export+default" if missing else "export")
