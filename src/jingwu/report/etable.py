"""``etable``: estimators side by side, as fixest/pyfixest users expect."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import paths
from ._common import SavedFiles, _formats, _stem
from .language import _resolve, label_text, text
from .tables import _TABLE_FORMATS, _md, _tex

#: Rows of an estimator table after the estimate, in this order, when present.
ETABLE_INFO: tuple[str, ...] = ("n_units", "n_clusters", "n_obs", "control_group")


class ETable:
    """Estimators side by side, as ``fixest::etable`` / ``pyfixest.etable`` show them.

    Made by :func:`etable`.  :meth:`to_frame` gives the numbers (one column
    per model); :meth:`to_markdown`, :meth:`to_latex` and :meth:`save` give
    the formatted table: the estimate, under it the SE in parentheses or the
    CI in brackets, then the number of units and clusters and the control
    group.
    """

    def __init__(
        self,
        numbers: pd.DataFrame,
        *,
        stat: str,
        digits: int,
        lang: str | None,
        caption: str | None,
        label: str | None,
    ) -> None:
        self.numbers = numbers
        self.stat = stat
        self.digits = digits
        self.lang = lang
        self.caption = caption
        self.label = label

    def to_frame(self) -> pd.DataFrame:
        """Numbers, one column per model: att, se, ci_lower, ci_upper and the info rows."""
        return self.numbers.copy()

    def _row_name(self, key: str) -> str:
        names = {
            "att": ("估计值", "Estimate"),
            "se": ("(标准误)", "(SE)"),
            "ci": ("[95% 置信区间]", "[95% CI]"),
        }
        if key in names:
            zh, en = names[key]
            return text(zh, en, self.lang or "en")
        return label_text(key, self.lang or "en")

    def formatted(self) -> pd.DataFrame:
        """Text cells: the table as it is printed (rows x models)."""
        d = self.digits
        n = self.numbers

        def num(v: Any) -> str:
            return "" if pd.isna(v) else f"{float(v):.{d}f}"

        rows: dict[str, list[str]] = {self._row_name("att"): [num(v) for v in n.loc["att"]]}
        if self.stat == "se":
            rows[self._row_name("se")] = ["" if pd.isna(v) else f"({float(v):.{d}f})" for v in n.loc["se"]]
        else:
            rows[self._row_name("ci")] = [
                "" if pd.isna(lo) or pd.isna(hi) else f"[{float(lo):.{d}f}, {float(hi):.{d}f}]"
                for lo, hi in zip(n.loc["ci_lower"], n.loc["ci_upper"])
            ]
        for key in ETABLE_INFO:
            if key in n.index:
                rows[self._row_name(key)] = [
                    "" if pd.isna(v) else (f"{int(v):,}" if key != "control_group" else str(v))
                    for v in n.loc[key]
                ]
        out = pd.DataFrame(rows, index=list(n.columns)).T
        out.index.name = ""
        return out

    def _text_parts(self) -> tuple[list[str], list[list[str]], list[bool]]:
        f = self.formatted()
        headers = ["", *map(str, f.columns)]
        rows = [[str(idx), *map(str, r)] for idx, r in zip(f.index, f.to_numpy().tolist())]
        return headers, rows, [False] + [True] * len(f.columns)

    def to_markdown(self) -> str:
        """Pipe table, models as columns."""
        headers, rows, right = self._text_parts()
        return _md(headers, rows, right, self.caption)

    def to_latex(self) -> str:
        """Booktabs table (numbers right-aligned, ``$-$`` minus), shrunk to the page if wide."""
        headers, rows, right = self._text_parts()
        return _tex(headers, rows, right, caption=self.caption, label=self.label, note=None)

    def summary(self) -> str:
        """The Markdown table (for printing)."""
        return self.to_markdown()

    def _repr_markdown_(self) -> str:
        return self.to_markdown()

    def __repr__(self) -> str:
        return self.to_markdown()

    def save(
        self,
        name: str,
        *,
        prefix: str | int | None = None,
        formats: str | Sequence[str] = _TABLE_FORMATS,
        directory: str | os.PathLike[str] | None = None,
    ) -> dict[str, Path]:
        """Write ``<prefix>_<name>.{csv,md,tex}`` to the tables directory, atomically.

        The CSV holds the numbers (:meth:`to_frame`, a ``statistic`` column
        first), the others the formatted table.
        """
        stem = _stem(name, prefix)
        fmts = _formats(formats, _TABLE_FORMATS)
        folder = Path(directory) if directory is not None else paths.tables_dir()
        written: dict[str, Path] = {}
        for fmt in fmts:
            if fmt == "csv":
                body = (
                    self.numbers.rename_axis("statistic")
                    .reset_index()
                    .to_csv(index=False, float_format="%.10g", lineterminator="\n")
                )
            elif fmt == "md":
                body = self.to_markdown() + "\n"
            else:
                body = self.to_latex()
            written[fmt] = paths.atomic_write_text(folder / f"{stem}.{fmt}", body)
        return SavedFiles(written)

    def plot(self, ax: Any = None) -> Any:
        """Coefficient plot of the models' estimates with their intervals."""
        from .viz import plot_coefficients

        t = self.numbers.T[["att", "ci_lower", "ci_upper"]].astype(float)
        return plot_coefficients(t, "att", "ci_lower", "ci_upper", ax=ax)


def etable(
    results: pd.DataFrame | Mapping[str, pd.DataFrame | Mapping[str, Any]],
    *,
    model_col: str | None = None,
    stat: str = "se",
    digits: int = 3,
    alpha: float = 0.05,
    lang: str | None = "auto",
    caption: str | None = None,
    label: str | None = None,
) -> ETable:
    """Put estimators side by side: estimate, SE or CI, N units, N clusters, control group.

    Takes tidy results (the ``to_frame()`` output of the effects estimators,
    or :func:`jingwu.effects.compare_estimators`), so this module imports no
    method.  Columns used: ``att`` (or ``estimate``), ``se``, ``ci_lower``,
    ``ci_upper`` and, when present, ``n_units``, ``n_clusters``, ``n_obs``,
    ``control_group``.  A missing CI is built from the SE (normal, level
    ``1 - alpha``); a missing SE from a CI.

    Parameters
    ----------
    results : DataFrame or mapping
        A frame with one row per model (name in ``model_col``), or a mapping
        model name -> one-row frame or dict.
    model_col : str, optional
        Column naming the models when ``results`` is a frame.
    stat : {"se", "ci"}
        Show the SE in parentheses or the CI in brackets under the estimate.
    digits : int
        Decimals of estimates, SEs and CIs.
    alpha : float
        Level of a CI built from an SE.
    lang : {"auto", "zh", "en", "both"} or None
        Row names; ``"auto"`` uses the run's language.
    caption, label : str, optional
        For the LaTeX float and under the Markdown table.

    Returns
    -------
    ETable
        ``.to_frame()``, ``.to_markdown()``, ``.to_latex()``, ``.save(name, prefix=)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import etable
    >>> res = pd.DataFrame({"label": ["TWFE", "CS"], "att": [1.2, 2.05], "se": [0.3, 0.4],
    ...                     "n_units": [48, 48], "control_group": ["all", "never treated"]})
    >>> print(etable(res, model_col="label", lang="en").to_markdown())
    |               |    TWFE |            CS |
    |:--------------|--------:|--------------:|
    | Estimate      |   1.200 |         2.050 |
    | (SE)          | (0.300) |       (0.400) |
    | N units       |      48 |            48 |
    | Control group |     all | never treated |
    """
    from scipy import stats

    if stat not in ("se", "ci"):
        raise ValueError(f"stat must be 'se' or 'ci', not {stat!r}")
    if isinstance(digits, bool) or not isinstance(digits, (int, np.integer)) or not 0 <= digits <= 10:
        raise ValueError(f"digits must be an integer from 0 to 10, got {digits!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    rows: dict[str, dict[str, Any]] = {}
    if isinstance(results, pd.DataFrame):
        if model_col is None or model_col not in results.columns:
            raise ValueError(
                f"model_col must name the column of model names; columns are {list(results.columns)}"
            )
        if results[model_col].duplicated().any():
            raise ValueError(f"model names in {model_col!r} must be unique")
        for _, r in results.iterrows():
            rows[str(r[model_col])] = r.to_dict()
    elif isinstance(results, Mapping):
        for name, res in results.items():
            if isinstance(res, pd.DataFrame):
                if len(res) != 1:
                    raise ValueError(
                        f"result {name!r} has {len(res)} rows; pass one row per model "
                        "(e.g. the overall estimate)"
                    )
                rows[str(name)] = res.iloc[0].to_dict()
            elif isinstance(res, Mapping):
                rows[str(name)] = dict(res)
            else:
                raise ValueError(
                    f"result {name!r} must be a one-row DataFrame or a dict, got {type(res).__name__}"
                )
    else:
        raise ValueError(f"results must be a DataFrame or a mapping, got {type(results).__name__}")
    if not rows:
        raise ValueError("results hold no model")
    z = float(stats.norm.ppf(1 - alpha / 2))
    table: dict[str, dict[str, Any]] = {}
    for name, r in rows.items():
        est = r.get("att", r.get("estimate"))
        if est is None:
            raise ValueError(f"result {name!r} has no 'att' or 'estimate'")
        se, lo, hi = r.get("se"), r.get("ci_lower"), r.get("ci_upper")
        if (lo is None or hi is None) and se is not None:
            lo, hi = est - z * se, est + z * se
        if se is None and lo is not None and hi is not None:
            se = (hi - lo) / (2 * z)
        col: dict[str, Any] = {"att": est, "se": se, "ci_lower": lo, "ci_upper": hi}
        for key in ETABLE_INFO:
            if key in r:
                col[key] = r[key]
        table[name] = col
    numbers = pd.DataFrame(table)
    order = ["att", "se", "ci_lower", "ci_upper", *[k for k in ETABLE_INFO if k in numbers.index]]
    numbers = numbers.loc[order]
    return ETable(numbers, stat=stat, digits=int(digits), lang=_resolve(lang), caption=caption, label=label)
