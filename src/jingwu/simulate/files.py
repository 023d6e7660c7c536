"""Write and read a simulated city's files (data and ground truth), with digests."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

from .. import schema
from ..paths import atomic_write_bytes, atomic_write_text
from .city import _wide_to_long
from .params import City, Truth

# ---------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------

#: Files a city directory holds, relative to it.
CITY_FILES = (
    "stations.csv",
    "demand.csv.gz",
    "panel.csv",
    "truth/archetypes.csv",
    "truth/att.csv",
    "truth/params.json",
)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    return df.to_csv(index=False, lineterminator="\n", float_format="%.10g").encode("utf-8")


def _city_file_bytes(city: City) -> dict[str, bytes]:
    """The exact bytes (uncompressed) of each file of a city directory."""
    if city.truth is None:
        raise ValueError("the city has no ground truth to write (a simulated city carries one)")
    truth = city.truth
    cats = list(schema.CATEGORIES)
    wide = city.demand.pivot_table(
        index=["station_id", "date"], columns="category", values="count", observed=True
    ).reset_index()
    wide = wide[["station_id", "date", *cats]]
    wide["date"] = wide["date"].dt.strftime("%Y-%m-%d")
    stations = city.stations.copy()
    stations["adoption_month"] = stations["adoption_month"].astype(str).replace("NaT", "")
    panel = city.panel.copy()
    for col in ("month", "adoption_month"):
        panel[col] = panel[col].astype(str).replace("NaT", "")
    att = truth.att.copy()
    att["cohort"] = att["cohort"].astype(str)
    att["month"] = att["month"].astype(str)
    params = json.dumps(truth.params, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
    return {
        "stations.csv": _csv_bytes(stations),
        "demand.csv.gz": _csv_bytes(wide),
        "panel.csv": _csv_bytes(panel),
        "truth/archetypes.csv": _csv_bytes(truth.archetypes),
        "truth/att.csv": _csv_bytes(att),
        "truth/params.json": params.encode("utf-8"),
    }


def file_digests(directory: str | Path) -> dict[str, str]:
    """SHA-256 of the *uncompressed* content of each file in a city directory.

    Hashing the content (not the gzip container) keeps the check independent of
    the compression library.
    """
    import gzip

    directory = Path(directory)
    out = {}
    for name in CITY_FILES:
        raw = (directory / name).read_bytes()
        if name.endswith(".gz"):
            raw = gzip.decompress(raw)
        out[name] = hashlib.sha256(raw).hexdigest()
    return out


def write_city(city: City, out: str | Path) -> dict[str, str]:
    """Write a city to ``out`` (atomically, file by file); return the content digests.

    Also writes ``MANIFEST.json`` with the digests, so a loaded city can be
    checked against what was written.
    """
    import gzip

    if city.truth is None:
        raise ValueError("write_city needs a simulated city (with truth)")
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    digests = {}
    for name, data in _city_file_bytes(city).items():
        digests[name] = hashlib.sha256(data).hexdigest()
        if name.endswith(".gz"):
            data = gzip.compress(data, compresslevel=9, mtime=0)
        atomic_write_bytes(out / name, data)
    manifest = {"seed": city.truth.params["seed"], "sha256_uncompressed": digests}
    atomic_write_text(out / "MANIFEST.json", json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return digests


def read_city(directory: str | Path, name: str = "M city") -> City:
    """Read a city directory written by :func:`write_city`, validating every table.

    Raises
    ------
    DataError
        If a table breaks the data contract.
    FileNotFoundError
        If a file is missing.
    """
    directory = Path(directory)
    missing = [f for f in CITY_FILES if not (directory / f).exists()]
    if missing:
        raise FileNotFoundError(
            f"{directory}: missing city files {missing}; regenerate with `jingwu simulate --out {directory}`"
        )
    stations = pd.read_csv(directory / "stations.csv", dtype={"station_id": str, "district": str})
    stations["adoption_month"] = pd.PeriodIndex(stations["adoption_month"], freq="M")
    wide = pd.read_csv(directory / "demand.csv.gz", dtype={"station_id": str}, parse_dates=["date"])
    demand = _wide_to_long(wide)
    panel = pd.read_csv(directory / "panel.csv", dtype={"station_id": str})
    panel["month"] = pd.PeriodIndex(panel["month"], freq="M")
    panel["adoption_month"] = pd.PeriodIndex(panel["adoption_month"], freq="M")
    for col in ("satisfaction_n", "satisfaction_yes"):
        panel[col] = panel[col].astype("Int64")
    schema.validate_stations(stations, file=directory / "stations.csv")
    schema.validate_demand(demand, file=directory / "demand.csv.gz")
    schema.validate_panel(panel, stations=stations, file=directory / "panel.csv")
    return City(
        stations=stations, demand=demand, panel=panel, truth=read_truth(directory / "truth"), name=name
    )


def read_truth(directory: str | Path) -> Truth:
    """Read the ground truth a simulated city wrote (``archetypes.csv``, ``att.csv``, ``params.json``).

    Examples
    --------
    >>> from jingwu.datasets import m_city_dir
    >>> read_truth(m_city_dir() / "truth").params["n_stations"]
    48
    """
    directory = Path(directory)
    archetypes = pd.read_csv(directory / "archetypes.csv", dtype={"station_id": str})
    att = pd.read_csv(directory / "att.csv")
    att["cohort"] = pd.PeriodIndex(att["cohort"], freq="M")
    att["month"] = pd.PeriodIndex(att["month"], freq="M")
    params = json.loads((directory / "params.json").read_text(encoding="utf-8"))
    return Truth(archetypes=archetypes, att=att, params=params)
