"""A user's own city: the project file ``jingwu.toml``, its exports, and their checks.

A police-college researcher keeps a folder with the bureau's exports and one
project file naming them::

    name = "Y市"
    language = "zh"                      # zh | en | both
    [data]
    incidents = "接处警明细.csv"           # incident records export (required)
    stations  = "派出所基本情况.xlsx"       # station table (required)
    outcomes  = "月度绩效.xlsx"            # optional: monthly cases, cleared, surveys, response time

:func:`init_project` writes such a folder's ``jingwu.toml`` and ``README.md``,
:func:`load_project` reads the file, :func:`read_city` turns the exports into
the same tables as the bundled M city (a :class:`OwnCity`, so every notebook
runs on it unchanged), and :func:`validate_project` checks everything at once
for ``jingwu validate DIR``.  Personal data is removed by :mod:`jingwu.io` as
the exports are read; nothing here quotes a cell of an export.

Examples
--------
>>> import tempfile
>>> from jingwu.studies import project
>>> with tempfile.TemporaryDirectory() as d:
...     _ = project.init_project(d, name="Y市")
...     check = project.validate_project(d)   # the exports are not in the folder yet
...     check.ok, "接处警明细.csv" in check.problems[0]
(False, True)
"""

from __future__ import annotations

from .check import ProjectCheck, validate_project
from .config import (
    LANGUAGES,
    PROJECT_FILE,
    SALT_ENV,
    TABLES,
    ExportFile,
    OwnCity,
    Project,
    init_project,
    load_project,
)
from .config import MIN_FORECAST_DAYS as MIN_FORECAST_DAYS
from .reading import handling_minutes_for, incident_records, load_city, read_city

__all__ = [
    "PROJECT_FILE",
    "LANGUAGES",
    "TABLES",
    "ExportFile",
    "Project",
    "OwnCity",
    "ProjectCheck",
    "init_project",
    "load_project",
    "read_city",
    "validate_project",
    "load_city",
    "incident_records",
    "handling_minutes_for",
    "SALT_ENV",
]
