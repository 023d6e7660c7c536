"""HTML reports: web font, noise removal, headings, renderings and ``index.html``."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .language import text

#: Family name of the Chinese web font embedded in the HTML reports.
WEB_FONT_FAMILY = "Jingwu CJK"

_CODE_FONTS = 'SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono"'
_TEXT_FONTS = 'system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial'


def _cjk_chars(text: str) -> str:
    return "".join(sorted({ch for ch in text if ord(ch) >= 0x2E80}))


def web_font_css(text: str, font_path: str | os.PathLike[str] | None = None) -> str:
    """CSS that embeds a Chinese font, cut down to the characters of ``text``.

    The reports must show Chinese on a machine without a CJK font, yet a
    whole CJK font is ~16 MB.  The glyphs of the CJK characters that occur
    in ``text`` are copied with fontTools from the font (default: the one
    :func:`jingwu.viz.find_cjk_font` finds, Noto Sans CJK SC from
    ``mplfonts``, SIL Open Font License) into a small TrueType font embedded
    as a base64 WOFF ``@font-face`` (about 25 KB for 150 characters); the
    page's text and code font stacks fall back to it.  Empty when ``text`` has no CJK or
    no font is found.

    Examples
    --------
    >>> from jingwu.report import web_font_css
    >>> css = web_font_css("警务 policing")
    >>> css == "" or "@font-face" in css
    True
    >>> web_font_css("no Chinese here")
    ''
    """
    chars = _cjk_chars(text)
    if not chars:
        return ""
    if font_path is None:
        from ..viz import find_cjk_font

        found = find_cjk_font()
        if found is None:
            return ""
        font_path = found[1]
    data = _subset_font(str(font_path), chars)
    import base64

    b64 = base64.b64encode(data).decode("ascii")
    fam = f'"{WEB_FONT_FAMILY}"'
    # The face comes first in every stack, limited by unicode-range to CJK:
    # listed after the Latin fonts, Chrome drew some mixed Chinese/English
    # runs as empty boxes instead of falling back to it.
    text_stack = f"{fam}, {_TEXT_FONTS}, sans-serif"
    code_stack = f"{fam}, {_CODE_FONTS}, monospace"
    return (
        "<style>\n"
        f"@font-face {{ font-family: {fam}; font-display: block; "
        f'src: url(data:font/woff;base64,{b64}) format("woff"); unicode-range: U+2E80-FFFF; }}\n'
        f":root {{ --jp-content-font-family: {text_stack};\n"
        f"  --jp-ui-font-family: {text_stack};\n"
        f"  --jp-code-font-family: {code_stack};\n"
        f"  --jp-code-font-family-default: {code_stack}; }}\n"
        f"body {{ font-family: {text_stack}; }}\n"
        f"pre, code {{ font-family: {code_stack}; }}\n"
        "</style>\n"
    )


def _subset_font(path: str, chars: str) -> bytes:
    """A small TrueType WOFF holding only ``chars``, with outlines copied from ``path``.

    The CJK fonts at hand are CID-keyed CFF (OpenType/PostScript); browsers
    rendered subsets of those unreliably (some runs as empty boxes), so the
    outlines are converted to quadratic TrueType glyphs in a fresh, simple
    font.  Timestamps are fixed, so the same characters give the same bytes.
    """
    import io

    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont

    src = TTFont(path, lazy=True, fontNumber=0)
    cmap = src.getBestCmap()
    glyph_set = src.getGlyphSet()
    hmtx = src["hmtx"]
    mapping = {ord(c): cmap[ord(c)] for c in chars if ord(c) in cmap}
    order = [".notdef", *sorted(set(mapping.values()) - {".notdef"})]
    upm = src["head"].unitsPerEm
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        if name != ".notdef":
            glyph_set[name].draw(Cu2QuPen(pen, max_err=upm / 1000, reverse_direction=True))
        glyphs[name] = pen.glyph()
    fb = FontBuilder(upm, isTTF=True)
    fb.setupGlyphOrder(order)
    fb.setupCharacterMap(mapping)
    fb.setupGlyf(glyphs)
    glyf = fb.font["glyf"]
    metrics = {
        n: (hmtx[n][0] if n in hmtx.metrics else upm, glyf[n].xMin if glyf[n].numberOfContours else 0)
        for n in order
    }
    fb.setupHorizontalMetrics(metrics)
    fb.setupHorizontalHeader(ascent=src["hhea"].ascent, descent=src["hhea"].descent)
    fb.setupNameTable({"familyName": WEB_FONT_FAMILY, "styleName": "Regular"})
    os2 = src["OS/2"]
    fb.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        sTypoLineGap=os2.sTypoLineGap,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
    )
    fb.setupPost()
    fb.font["head"].created = fb.font["head"].modified = 0
    fb.font.recalcTimestamp = False
    fb.font.flavor = "woff"
    buf = io.BytesIO()
    fb.save(buf)
    return buf.getvalue()


def embed_web_font(html: str, font_path: str | os.PathLike[str] | None = None) -> str:
    """Insert :func:`web_font_css` for the page's own text before ``</head>``.

    Examples
    --------
    >>> from jingwu.report import embed_web_font
    >>> embed_web_font("<html><head></head><body>hi</body></html>")
    '<html><head></head><body>hi</body></html>'
    """
    css = web_font_css(html, font_path)
    if not css:
        return html
    at = html.find("</head>")
    return html[:at] + css + html[at:] if at >= 0 else css + html


_NOISE_MIME = ("application/vnd.jupyter.widget-view+json",)


def strip_noise(nb: Any) -> list[str]:
    """Remove warnings and progress output from an executed notebook, in place.

    Text written to stderr (warnings, progress bars) and progress widgets
    do not belong in a report.  Returns what was removed, one entry per
    output with its cell number, for a log.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook()
    >>> cell = nbformat.v4.new_code_cell("x")
    >>> cell.outputs = [nbformat.v4.new_output("stream", name="stderr", text="UserWarning: x\\n"),
    ...                 nbformat.v4.new_output("stream", name="stdout", text="42\\n")]
    >>> nb.cells = [cell]
    >>> strip_noise(nb)
    ['cell 0: UserWarning: x\\n']
    >>> [o["name"] for o in nb.cells[0].outputs]
    ['stdout']
    """
    removed: list[str] = []
    for i, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        keep = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                removed.append(f"cell {i}: {out.get('text', '')}")
            elif out.get("output_type") in ("display_data", "execute_result") and any(
                m in out.get("data", {}) for m in _NOISE_MIME
            ):
                removed.append(f"cell {i}: (progress widget)\n")
            else:
                keep.append(out)
        cell["outputs"] = keep
    return removed


#: Headings without a Chinese part, translated for ``lang="zh"``.
_HEADING_ZH = {"References": "参考文献", "Key findings": "要点"}


def heading_text(heading: str, lang: str) -> str:
    """One language of a bilingual heading ``English（中文）``.

    The notebooks write headings as ``"## 3. The chosen model（模型选择）"``;
    ``"en"`` keeps the English part, ``"zh"`` the Chinese one (with the
    number), ``"both"`` the heading as written.

    Examples
    --------
    >>> from jingwu.report import heading_text
    >>> h = "## 3. The chosen model（模型选择）"
    >>> heading_text(h, "en"), heading_text(h, "zh")
    ('## 3. The chosen model', '## 3. 模型选择')
    >>> heading_text("# 03 · Did it work?（成效评估）", "zh"), heading_text("## References", "zh")
    ('# 03 · 成效评估', '## 参考文献')
    """
    import re

    if lang not in ("zh", "en", "both"):
        raise ValueError(f"lang must be 'zh', 'en' or 'both', not {lang!r}")
    m = re.match(r"^(#+\s+)(\d+\s*·\s*|\d+\.\s*)?(.*?)\s*（([^（）]+)）\s*$", heading)
    if lang == "both":
        return heading
    if m is None:
        m2 = re.match(r"^(#+\s+)(.*?)\s*$", heading)
        if lang == "zh" and m2 and m2.group(2) in _HEADING_ZH:
            return m2.group(1) + _HEADING_ZH[m2.group(2)]
        return heading
    hashes, number, en, zh = m.group(1), m.group(2) or "", m.group(3), m.group(4)
    return hashes + number + (en if lang == "en" else zh)


def localize_headings(nb: Any, lang: str) -> None:
    """Apply :func:`heading_text` to every heading line of the notebook's Markdown, in place."""
    for cell in nb.cells:
        if cell.get("cell_type") != "markdown":
            continue
        lines = cell["source"].split("\n")
        cell["source"] = "\n".join(heading_text(l, lang) if l.startswith("#") else l for l in lines)


def notebook_title(nb: Any) -> str:
    """The text of the notebook's first ``#`` heading ('' if none)."""
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            for line in cell["source"].split("\n"):
                if line.startswith("# "):
                    return line[2:].strip()
    return ""


def notebook_html(nb: Any, *, reader: bool = False, embed_font: bool = True) -> str:
    """Render an executed notebook as one self-contained HTML page.

    ``reader=False``: the full rendering, code shown (students, reviewers).
    ``reader=True``: outputs and text only, like nbconvert's ``--no-input``
    (policy readers).  Figures are embedded as images and the Chinese
    characters of the page as a subset web font (:func:`embed_web_font`).
    """
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab")
    if reader:
        exporter.exclude_input = True
        exporter.exclude_input_prompt = True
        exporter.exclude_output_prompt = True
    title = notebook_title(nb) or "jingwu"
    import logging

    # nbconvert warns about every figure without alt text; on the console of a
    # report run that is noise (the figures carry titles and captions).
    log = exporter.log
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        html, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title}})
    finally:
        log.setLevel(level)
    return embed_web_font(html) if embed_font else html


def _is_findings_heading(source: str) -> bool:
    import re

    return bool(re.search(r"^#+\s*(Key findings|要点)", source, flags=re.M))


def key_findings_html(nb: Any) -> str:
    """The outputs of the notebook's Key findings cells, as an HTML fragment.

    Reads the code cells after the "Key findings" / "要点" heading up to the
    next heading: Markdown output is converted, printed text becomes a list.
    """
    import html as _html

    from nbconvert.filters.markdown import markdown2html

    parts: list[str] = []
    inside = False
    for cell in nb.cells:
        if cell.get("cell_type") == "markdown":
            if _is_findings_heading(cell["source"]):
                inside = True
                continue
            if inside and cell["source"].lstrip().startswith("#"):
                break
            continue
        if not inside or cell.get("cell_type") != "code":
            continue
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            if "text/markdown" in data:
                parts.append(markdown2html(_join(data["text/markdown"])))
            elif "text/html" in data:
                parts.append(_join(data["text/html"]))
            elif out.get("output_type") == "stream" and out.get("name") == "stdout":
                items = [l for l in _join(out.get("text", "")).splitlines() if l.strip()]
                parts.append("<ul>" + "".join(f"<li>{_html.escape(l)}</li>" for l in items) + "</ul>")
    return "\n".join(parts)


def _join(text: Any) -> str:
    return "".join(text) if isinstance(text, list) else str(text)


def reports_index(
    notebooks: Sequence[str | os.PathLike[str]], *, lang: str = "both", embed_font: bool = True
) -> str:
    """``reports/index.html``: every executed notebook with its key findings and links.

    Each entry links the full rendering (``<stem>.html``) and the reader's
    one (``<stem>.reader.html``) next to ``index.html``.
    """
    import html as _html

    import nbformat

    names = {
        "title": text("警务研究报告", "jingwu reports", lang),
        "intro": text(
            "每个笔记本有两种版本：完整版（含代码，供学生和审稿人）和阅读版（仅结果，供政策读者）。",
            "Each notebook comes in two renderings: the full one (code shown, for students and "
            "reviewers) and the reader's one (results only, for policy readers).",
            lang,
            sep="<br>",
        ),
        "full": text("完整版", "full", lang),
        "reader": text("阅读版", "reader's", lang),
        "findings": text("要点", "Key findings", lang),
    }
    entries = []
    for path in notebooks:
        path = Path(path)
        nb = nbformat.read(path, as_version=4)
        title = _html.escape(notebook_title(nb) or path.stem)
        entries.append(
            f"<section><h2>{title}</h2>\n"
            f'<p class="links"><a href="{path.stem}.reader.html">{names["reader"]}</a> · '
            f'<a href="{path.stem}.html">{names["full"]}</a></p>\n'
            f"<h3>{names['findings']}</h3>\n{key_findings_html(nb) or '<p>–</p>'}\n</section>"
        )
    body = "\n".join(entries)
    page = (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">\n'
        f"<title>{names['title']}</title>\n<style>\n"
        f"body {{ font-family: {_TEXT_FONTS}, sans-serif; max-width: 60em; margin: 2em auto;"
        " padding: 0 1em; line-height: 1.5; color: #222; }\n"
        "section { border-top: 1px solid #ddd; padding-top: .5em; margin-top: 1.5em; }\n"
        "h2 { font-size: 1.3em; } h3 { font-size: 1em; color: #555; } .links a { font-weight: bold; }\n"
        "</style>\n</head><body>\n"
        f"<h1>{names['title']}</h1>\n<p>{names['intro']}</p>\n{body}\n</body></html>\n"
    )
    return embed_web_font(page) if embed_font else page
