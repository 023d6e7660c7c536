"""Language of a run: labels of columns and codes, zh/en text, effects and key findings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..schema import label
from .labels import (
    _FIGURE_PATTERNS,
    _LEVELLED,
    _LEVELLED_LABELS,
    FIGURE_PHRASES,
    RESULT_LABELS,
    SUFFIX_LABELS,
)

#: How yes/no cells read in each language (tables and :func:`labelled`).
BOOL_TEXT = {"zh": ("是", "否"), "en": ("Yes", "No"), "both": ("是 / Yes", "否 / No")}

#: Columns whose values (codes) are labelled too when a table is labelled.
_LABELLED_VALUES = ("category", "area_type", "level", "model")


def _has_cjk_text(s: str) -> bool:
    return any(ord(ch) >= 0x2E80 for ch in s)


def figure_text(s: str, lang: str | None = "auto", *, sep: str = " / ") -> str:
    """A figure's text in the run's language: phrases, patterns and code names.

    English phrases of :data:`FIGURE_PHRASES` and :data:`FIGURE_PATTERNS`
    become Chinese (``"zh"``) or ``中文 / English`` (``"both"``); code names
    (``coverage_95``, ``twfe``) become their labels (:func:`label_text`) in
    every language.  Text already holding Chinese, numbers and anything not
    known come back unchanged, so applying it twice changes nothing.

    Examples
    --------
    >>> from jingwu.report import figure_text
    >>> figure_text("officers today", "zh"), figure_text("coverage_95", "en")
    ('现有民警', '95% coverage')
    >>> figure_text("S09: units needed by hour of the week", "both")
    'S09：一周内各小时所需警力 / S09: units needed by hour of the week'
    >>> figure_text("S01", "zh"), figure_text("officers today", "en")
    ('S01', 'officers today')
    """
    lang = _resolve(lang)
    if lang is None or not isinstance(s, str):
        return s
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang must be 'auto', None, 'zh', 'en' or 'both', not {lang!r}")
    key = s.strip()
    if not key or _has_cjk_text(key):
        return s
    zh: str | None = FIGURE_PHRASES.get(key.lower())
    en = key
    if zh is None:
        for pattern, template in _FIGURE_PATTERNS:
            m = pattern.fullmatch(key)
            if m is not None:
                parts = [figure_text(g, "zh") for g in m.groups()]
                zh = template.format(*parts)
                break
    if zh is None:
        zh_label, en_label = label_text(key, "zh"), label_text(key, "en")
        if zh_label == key and en_label == key:
            return s
        zh, en = zh_label, en_label
    if lang == "zh":
        return zh
    if lang == "en" or zh == en:
        return en
    return f"{zh}{sep}{en}"


_RUN: dict[str, str | None] = {"lang": None}


def set_language(lang: str | None) -> None:
    """Set the language of the run: the default ``lang`` of tables.

    :func:`jingwu.viz.set_theme` calls this, so a notebook's ``LANGUAGE``
    parameter reaches both its figures and its tables.  None restores code
    names.

    Examples
    --------
    >>> from jingwu import report
    >>> report.set_language("zh"); report.current_language()
    'zh'
    >>> report.set_language(None)
    """
    if lang not in (None, "zh", "en", "both"):
        raise ValueError(f"lang must be None, 'zh', 'en' or 'both', not {lang!r}")
    _RUN["lang"] = lang


def current_language() -> str | None:
    """The language set by :func:`set_language` (None: code names).

    Examples
    --------
    >>> from jingwu import report
    >>> report.set_language(None); report.current_language() is None
    True
    """
    return _RUN["lang"]


def _resolve(lang: str | None) -> str | None:
    return current_language() if lang == "auto" else lang


def label_text(key: Any, lang: str | None) -> str:
    """Human name of a column or code in ``lang`` (``"both"``: ``zh / en``).

    Looks in :data:`RESULT_LABELS`, then :func:`jingwu.schema.label`;
    unknown keys come back unchanged.

    Examples
    --------
    >>> from jingwu.report import label_text
    >>> label_text("ci_lower", "zh"), label_text("fraud", "both"), label_text("S01", "en")
    ('95%置信区间下限', '电诈 / Telecom fraud', 'S01')
    >>> label_text("coverage_80", "zh"), label_text("winkler_95", "en")
    ('80%区间覆盖率', '95% Winkler score')
    """
    text = str(key)
    if lang is None:
        return text

    def one(code: str, lg: str) -> str:
        if code in RESULT_LABELS:
            return RESULT_LABELS[code][lg]
        m = _LEVELLED.fullmatch(code)
        if m is not None:
            return _LEVELLED_LABELS[m.group(1)][lg].format(m.group(2))
        base, _, suffix = code.rpartition("_")
        if base and suffix in SUFFIX_LABELS and one(base, lg) != base:
            return SUFFIX_LABELS[suffix][lg].format(one(base, lg))
        return label(code, lg)

    if lang in ("zh", "en"):
        return one(text, lang)
    zh, en = one(text, "zh"), one(text, "en")
    return zh if zh == en else f"{zh} / {en}"


def labelled(df: pd.DataFrame, *, lang: str | None = "auto", digits: int | None = 3) -> pd.DataFrame:
    """A copy of ``df`` for display: human headers, labelled codes, rounded floats.

    ``lang="auto"`` uses the run's language (:func:`current_language`).  The
    frame itself is not changed; use it as the last line of a notebook cell.

    Examples
    --------
    >>> import pandas as pd
    >>> from jingwu.report import labelled
    >>> labelled(pd.DataFrame({"category": ["fraud"], "att": [0.123456]}), lang="en")
            Category  Estimate
    0  Telecom fraud     0.123
    """
    lang = _resolve(lang)
    if lang not in (None, "zh", "en", "both"):
        raise ValueError(f"lang must be 'auto', None, 'zh', 'en' or 'both', not {lang!r}")
    out = df.copy()
    for c in _LABELLED_VALUES:
        if c in out.columns and lang is not None:
            out[c] = out[c].map(lambda v: label_text(v, lang) if isinstance(v, str) else v)
    if lang is not None:  # cells that are known figure phrases ("earlier vs later treated") as in the figures
        for c in out.columns[[pd.api.types.is_object_dtype(t) for t in out.dtypes]]:
            if c not in _LABELLED_VALUES:
                out[c] = out[c].map(
                    lambda v: (
                        figure_text(v, lang)
                        if isinstance(v, str) and v.strip().lower() in FIGURE_PHRASES
                        else v
                    )
                )
    if lang is not None:  # yes/no in the reader's language, as in the saved tables
        yes, no = BOOL_TEXT[lang]
        for c in out.select_dtypes("bool").columns:
            out[c] = out[c].map({True: yes, False: no})
    if digits is not None:
        floats = out.select_dtypes("floating").columns
        out[floats] = out[floats].round(digits)
        if digits == 0:  # whole numbers read as counts, not "14443.0"
            for c in floats:
                if out[c].dropna().abs().lt(2**53).all():
                    out[c] = out[c].astype("Int64")

    def names(ix: pd.Index) -> list[Any]:
        return [label_text(n, lang) if n is not None else None for n in ix.names]

    def key(c: Any) -> Any:  # a float header (1/3 from a pivot) reads as 0.3333, not 17 digits
        if isinstance(c, (float, np.floating)):
            return f"{c:.4g}"
        return label_text(c, lang) if isinstance(c, str) else c

    if isinstance(out.columns, pd.MultiIndex):  # label every level (pivot tables)
        out.columns = pd.MultiIndex.from_tuples(
            [tuple(key(p) for p in c) for c in out.columns], names=names(out.columns)
        )
    else:
        out.columns = pd.Index([str(key(c)) for c in out.columns], name=names(out.columns)[0])
    if lang is not None and not isinstance(out.index, pd.MultiIndex) and out.index.dtype == object:
        out.index = out.index.map(lambda v: label_text(v, lang) if isinstance(v, str) else v)
    out.index = out.index.set_names(names(out.index))
    return out


#: How a displayed frame shows a missing value (a year that never came, a criterion not computed).
MISSING_TEXT = "—"


def _plain_index(index: pd.Index) -> bool:
    """Whether ``index`` is row numbering: unnamed integers, as pandas numbers rows (0..n-1, or
    what is left of it after filtering or ``concat``); it tells a reader nothing."""
    return (
        not isinstance(index, pd.MultiIndex)
        and index.name is None
        and pd.api.types.is_integer_dtype(index.dtype)
    )


def _frame_html(df: pd.DataFrame, *, index: bool) -> str:
    """HTML as a notebook shows ``df`` (pandas' display options), with or without the index column."""
    from pandas.io.formats import format as fmt

    formatter = fmt.DataFrameFormatter(
        df,
        na_rep=MISSING_TEXT,
        index=index,
        bold_rows=True,
        escape=True,
        max_rows=pd.get_option("display.max_rows"),
        min_rows=pd.get_option("display.min_rows"),
        max_cols=pd.get_option("display.max_columns"),
        show_dimensions=pd.get_option("display.show_dimensions"),
    )
    return fmt.DataFrameRenderer(formatter).to_html(notebook=True)


def _labelled_html(df: pd.DataFrame) -> str | None:
    """The display hook: labelled headers, decimals by magnitude, missing values as "—", and no
    0..n-1 index column (a frame with a meaningful index shows it)."""
    if current_language() is None:
        return None  # pandas' own rendering
    try:
        from .tables import auto_float_format

        out = labelled(df, digits=None)
        for j in range(out.shape[1]):  # decimals by magnitude, as in the saved tables
            col = out.iloc[:, j]
            if pd.api.types.is_float_dtype(col):
                fmt = auto_float_format(col)
                out.isetitem(j, col.map(lambda x, fmt=fmt: MISSING_TEXT if pd.isna(x) else fmt(x)))
            elif col.isna().any():  # nullable integers and dates show <NA> / NaT whatever na_rep says
                out.isetitem(j, col.astype(object).where(col.notna(), MISSING_TEXT))
        return _frame_html(out, index=not _plain_index(df.index))
    except Exception:  # a display hook must never break a cell; pandas shows the frame instead
        return None


def show_labelled_tables(on: bool = True) -> bool:
    """Show DataFrames in a notebook with human headers in the run's language.

    Registers an HTML formatter with IPython, so a frame that ends a cell
    is displayed through :func:`labelled` (headers, category codes and
    yes/no cells in the language of :func:`set_language`); the frame itself
    keeps its code names.  :func:`jingwu.viz.set_theme` turns this on; with
    no language set, frames show as pandas draws them.  Outside IPython it
    does nothing and returns False.

    Examples
    --------
    >>> from jingwu.report import show_labelled_tables
    >>> show_labelled_tables(False)  # no IPython kernel here
    False
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None:
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    if on:
        formatter.for_type(pd.DataFrame, _labelled_html)
    else:
        formatter.type_printers.pop(pd.DataFrame, None)
    return True


def text(zh: str, en: str, lang: str | None = "auto", *, sep: str = " / ") -> str:
    """Pick the Chinese or English version of a title or sentence (``both``: joined).

    ``lang="auto"`` uses the run's language; no language set gives English.

    Examples
    --------
    >>> from jingwu.report import text
    >>> text("破案率", "Clearance rate", "zh"), text("破案率", "Clearance rate", "both")
    ('破案率', '破案率 / Clearance rate')
    """
    lang = _resolve(lang) or "en"
    if lang == "zh":
        return zh
    if lang == "en":
        return en
    if lang == "both":
        return f"{zh}{sep}{en}"
    raise ValueError(f"lang must be 'auto', 'zh', 'en' or 'both', not {lang!r}")


def format_effect(
    estimate: float,
    ci_lower: float | None = None,
    ci_upper: float | None = None,
    *,
    unit: str = "",
    digits: int = 1,
    level: int = 95,
    lang: str | None = "auto",
) -> str:
    """An effect as a reader quotes it: ``+5.4 pp (95% CI 3.6 to 6.1)``.

    Examples
    --------
    >>> from jingwu.report import format_effect
    >>> format_effect(5.43, 3.61, 6.08, unit="pp", lang="en")
    '+5.4 pp (95% CI 3.6 to 6.1)'
    >>> format_effect(5.43, 3.61, 6.08, unit="pp", lang="zh")
    '+5.4 个百分点(95% 置信区间 3.6 至 6.1)'
    """
    lang = _resolve(lang) or "en"
    units_zh = {"pp": "个百分点", "min": "分钟", "minutes": "分钟", "%": "%"}
    est = f"{estimate:+.{digits}f}"
    if lang == "zh":
        u = units_zh.get(unit, unit)
        core = f"{est} {u}".rstrip() if u != "%" else f"{est}%"
        if ci_lower is None or ci_upper is None:
            return core
        return f"{core}({level}% 置信区间 {ci_lower:.{digits}f} 至 {ci_upper:.{digits}f})"
    core = f"{est} {unit}".rstrip()
    if ci_lower is None or ci_upper is None:
        en_text = core
    else:
        en_text = f"{core} ({level}% CI {ci_lower:.{digits}f} to {ci_upper:.{digits}f})"
    if lang == "both":
        return (
            format_effect(estimate, ci_lower, ci_upper, unit=unit, digits=digits, level=level, lang="zh")
            + " / "
            + en_text
        )
    return en_text


def effect_texts(
    values: Mapping[str, Any],
    estimate: str,
    lower: str | None = None,
    upper: str | None = None,
    *,
    unit: str = "",
    digits: int = 1,
    level: int = 95,
) -> tuple[str, str]:
    """An effect from ``values.json`` as a ``(zh, en)`` pair for :func:`findings`.

    ``estimate`` names the recorded point estimate; the interval bounds
    default to the same key with its ``att`` part replaced by ``ci_lower``
    and ``ci_upper`` (``03.clearance_rate.cs_never.att`` ->
    ``03.clearance_rate.cs_never.ci_lower``).  The text is made by
    :func:`format_effect`, so the key findings quote exactly the numbers
    that ``values.json`` holds.

    Examples
    --------
    >>> from jingwu.report import effect_texts
    >>> v = {"03.y.cs.att": 5.43, "03.y.cs.ci_lower": 3.61, "03.y.cs.ci_upper": 6.08}
    >>> effect_texts(v, "03.y.cs.att", unit="pp")
    ('+5.4 个百分点(95% 置信区间 3.6 至 6.1)', '+5.4 pp (95% CI 3.6 to 6.1)')
    """

    def bound(key: str | None, name: str) -> str:
        if key is not None:
            return key
        parts = estimate.rsplit("att", 1)
        if len(parts) != 2:
            raise ValueError(f"cannot derive the {name} key from {estimate!r}: give it")
        return name.join(parts)

    keys = [estimate, bound(lower, "ci_lower"), bound(upper, "ci_upper")]
    missing = [k for k in keys if k not in values]
    if missing:
        raise KeyError(f"{missing} not in the values; run the notebook that records them first")
    est, lo, hi = (float(values[k]) for k in keys)
    return tuple(
        format_effect(est, lo, hi, unit=unit, digits=digits, level=level, lang=lg) for lg in ("zh", "en")
    )  # type: ignore[return-value]


def findings(items: Sequence[tuple[str, str]], *, lang: str | None = "auto") -> Any:
    """Key findings as a Markdown list in the run's language, for a notebook cell.

    ``items`` are ``(zh, en)`` sentences, already holding their numbers
    (read them from :func:`load_values`, so the text and ``values.json``
    agree).  ``"both"`` gives each point in Chinese, then in English.

    Returns
    -------
    IPython.display.Markdown
        Shown as formatted text in a notebook and in the HTML reports.

    Examples
    --------
    >>> from jingwu.report import findings
    >>> print(findings([("破案率提高。", "Clearance rose.")], lang="both").data)
    - 破案率提高。<br>Clearance rose.
    """
    from IPython.display import Markdown

    lang = _resolve(lang) or "en"
    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang must be 'auto', 'zh', 'en' or 'both', not {lang!r}")
    lines = []
    for item in items:
        if not (isinstance(item, (tuple, list)) and len(item) == 2):
            raise ValueError(f"each finding must be a (zh, en) pair, got {item!r}")
        zh, en = item
        body = {"zh": zh, "en": en, "both": f"{zh}<br>{en}"}[lang]
        lines.append(f"- {body}")
    return Markdown("\n".join(lines))
