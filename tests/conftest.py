"""Shared fixtures: the bundled data sets, read once per test session.

Tests must not modify these objects in place (copy first); the datasets are
read-only inputs, as users' files are.
"""

from __future__ import annotations

import pytest

import jingwu as jw


@pytest.fixture(scope="session")
def m_city():
    """The bundled M city (stations, daily demand, monthly panel, truth)."""
    return jw.datasets.load_m_city()


@pytest.fixture(scope="session")
def chicago_best():
    """The bundled Chicago data, SDSC openings with the best dating."""
    return jw.datasets.load_chicago()


@pytest.fixture(scope="session")
def chicago_conservative():
    """The bundled Chicago data, SDSC openings with the conservative dating."""
    return jw.datasets.load_chicago(dating="conservative")
