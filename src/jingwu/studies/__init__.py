"""Case studies and the user's own city: the data shaping that sits on top of the methods.

:mod:`jingwu.studies.project` reads a city project (``jingwu.toml`` naming a
bureau's exports), checks it and turns it into the same tables as the bundled
M city, so every notebook runs on it unchanged.

Examples
--------
>>> from jingwu import studies
>>> studies.project.PROJECT_FILE
'jingwu.toml'
"""
from __future__ import annotations

from . import project
from .project import (Project, handling_minutes_for, incident_records, init_project, load_city, load_project,
                      read_city, validate_project)

__all__ = ["project", "Project", "init_project", "load_project", "read_city", "validate_project",
           "load_city", "incident_records", "handling_minutes_for"]
