"""The package works once pip-installed outside a clone: bundled data and notebooks ship in the wheel.

A wheel is built from this checkout and installed (without dependencies, which
the test environment already has) into a temporary folder that is put first on
``PYTHONPATH``; every command then runs from a directory outside the clone, so
nothing can fall back on the clone's ``data/`` or ``notebooks/``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    wheels, target = tmp / "wheels", tmp / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(wheels.glob("jingwu-*.whl"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    work = tmp / "elsewhere"
    work.mkdir()
    env = dict(os.environ, PYTHONPATH=str(target))
    env.pop("JINGWU_DATA", None)
    env.pop("JINGWU_REPORTS", None)
    return target, work, env


def _run(code: str, installed) -> str:
    target, work, env = installed
    done = subprocess.run([sys.executable, "-c", code], cwd=work, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_loaders_work_from_the_wheel(installed):
    target = installed[0]
    out = _run(
        "import jingwu as jw\n"
        "print(jw.__file__)\n"
        "c = jw.datasets.load_m_city(); print(len(c.stations), len(c.truth.archetypes))\n"
        "h = jw.datasets.load_chicago(); print(len(h.stations))\n"
        "print(jw.paths.notebooks_dir())",
        installed,
    ).splitlines()
    assert out[0].startswith(str(target))
    assert out[1] == "48 48" and out[2] == "22"
    assert out[3].startswith(str(target)) and out[3].endswith("notebooks")


@pytest.mark.notebook
def test_reproduce_with_out_from_the_wheel(installed):
    target, work, env = installed
    out = work / "my_reports"
    done = subprocess.run(
        [sys.executable, "-m", "jingwu.cli", "reproduce", "--quick", "--only", "00", "--out", str(out)],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "00_data_tour.html").is_file()
    assert json.loads((out / "values.json").read_text())
    assert not list(target.rglob("values.json")), "reports must not be written inside the installed package"
