"""Build hook: ship the bundled data and the notebooks inside the package.

``data/`` and ``notebooks/`` live at the top of the repository (where readers
and ``jupytext`` expect them); a wheel copies them to ``jingwu/_bundled/`` so
that ``load_m_city()`` and ``jingwu reproduce`` work after ``pip install``
outside a clone.  All metadata stays in ``pyproject.toml``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
BUNDLED = {"data": ("*.csv", "*.csv.gz", "*.json", "*.md"), "notebooks": ("[0-9][0-9]_*.ipynb",)}


class BuildWithBundledFiles(build_py):
    """``build_py`` that also copies the bundled data and notebooks."""

    def run(self) -> None:
        super().run()
        for folder, patterns in BUNDLED.items():
            source = ROOT / folder
            target = Path(self.build_lib) / "jingwu" / "_bundled" / folder
            for pattern in patterns:
                for path in sorted(source.rglob(pattern)):
                    dest = target / path.relative_to(source)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)


setup(cmdclass={"build_py": BuildWithBundledFiles})
