"""Publishable outputs: figures, tables and the numbers quoted in the text.

Everything the notebooks publish goes through three functions, so every
figure, table and number traces back to the code that made it:

:func:`save_fig`
    ``reports/figures/<prefix>_<name>.png`` (and optionally ``.pdf``/``.svg``),
    with fixed metadata so a re-run gives identical bytes;
:func:`save_table`
    ``reports/tables/<prefix>_<name>.{csv,md,tex}``, with optional small-cell
    suppression (via :func:`jingwu.privacy.suppress_small_cells`) for
    publication;
:func:`record_value`
    one entry of ``reports/values.json``, rounded to a fixed number of
    significant digits, read back with :func:`value`.

Locations come from :mod:`jingwu.paths` (``JINGWU_REPORTS`` overrides the
reports directory) and every file is written atomically.

Examples
--------
>>> import os, tempfile
>>> from jingwu import report
>>> with tempfile.TemporaryDirectory() as tmp:
...     os.environ["JINGWU_REPORTS"] = tmp
...     try:
...         report.record_value("03.att_clearance", 0.0412345678, unit="share")
...         print(report.value("03.att_clearance"))
...     finally:
...         del os.environ["JINGWU_REPORTS"]
0.0412346
0.0412346
"""

from __future__ import annotations

from ._common import SavedFiles
from .etable import ETABLE_INFO, ETable, etable
from .figures import figure_texts, localize_figure, save_fig
from .html import (
    WEB_FONT_FAMILY,
    embed_web_font,
    heading_text,
    key_findings_html,
    localize_headings,
    notebook_html,
    notebook_title,
    reports_index,
    strip_noise,
    web_font_css,
)
from .labels import FIGURE_PATTERNS, FIGURE_PHRASES, RESULT_LABELS
from .language import (
    current_language,
    effect_texts,
    figure_text,
    findings,
    format_effect,
    label_text,
    labelled,
    set_language,
    show_labelled_tables,
    text,
)
from .tables import COUNT_COLUMNS, auto_float_format, save_table, to_latex, to_markdown
from .values import SIGNIFICANT_DIGITS, clear_values, load_values, record_value, value

__all__ = [
    "ETABLE_INFO",
    "WEB_FONT_FAMILY",
    "SIGNIFICANT_DIGITS",
    "COUNT_COLUMNS",
    "save_fig",
    "localize_figure",
    "figure_texts",
    "save_table",
    "to_markdown",
    "to_latex",
    "auto_float_format",
    "record_value",
    "load_values",
    "clear_values",
    "value",
    "SavedFiles",
    "RESULT_LABELS",
    "FIGURE_PHRASES",
    "FIGURE_PATTERNS",
    "figure_text",
    "set_language",
    "show_labelled_tables",
    "current_language",
    "label_text",
    "labelled",
    "text",
    "format_effect",
    "effect_texts",
    "findings",
    "web_font_css",
    "embed_web_font",
    "strip_noise",
    "heading_text",
    "localize_headings",
    "notebook_title",
    "notebook_html",
    "key_findings_html",
    "reports_index",
    "ETable",
    "etable",
]
