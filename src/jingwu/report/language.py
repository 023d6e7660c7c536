"""Language of a run: labels of columns and codes, zh/en text, effects and key findings."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd

from ..schema import label

#: Columns whose values (codes) are labelled too when a table is labelled.
_LABELLED_VALUES = ("category", "area_type")


#: zh/en names of the columns that result tables use (estimates, diagnostics,
#: accuracy), so published headers read as words, not code names.  Canonical
#: data columns are labelled by :func:`jingwu.schema.label`.
RESULT_LABELS: dict[str, dict[str, str]] = {
    "att": {"zh": "效应估计", "en": "Estimate"},
    "estimate": {"zh": "估计值", "en": "Estimate"},
    "se": {"zh": "标准误", "en": "SE"},
    "ci_lower": {"zh": "95%置信区间下限", "en": "95% CI lower"},
    "ci_upper": {"zh": "95%置信区间上限", "en": "95% CI upper"},
    "t": {"zh": "t 值", "en": "t"},
    "t_stat": {"zh": "t 值", "en": "t"},
    "p_value": {"zh": "p 值", "en": "p-value"},
    "estimator": {"zh": "估计方法", "en": "Estimator"},
    "label": {"zh": "估计方法", "en": "Estimator"},
    "outcome": {"zh": "结果变量", "en": "Outcome"},
    "truth": {"zh": "真实效应", "en": "True effect"},
    "covers_truth": {"zh": "区间覆盖真值", "en": "CI covers truth"},
    "naive": {"zh": "简单前后对比", "en": "Naive before/after"},
    "naive_over_truth": {"zh": "前后对比/真实效应", "en": "Naive / truth"},
    "n_obs": {"zh": "观测数", "en": "N obs."},
    "n_units": {"zh": "单位数", "en": "N units"},
    "n_clusters": {"zh": "聚类数", "en": "N clusters"},
    "control_group": {"zh": "对照组", "en": "Control group"},
    "event_time": {"zh": "相对采用期", "en": "Periods since adoption"},
    "group": {"zh": "采用批次", "en": "Cohort"},
    "cohort": {"zh": "采用批次", "en": "Cohort"},
    "time": {"zh": "时期", "en": "Period"},
    "period": {"zh": "时期", "en": "Period"},
    "weight": {"zh": "权重", "en": "Weight"},
    "weights": {"zh": "权重类型", "en": "Weights"},
    "draws": {"zh": "抽样次数", "en": "Draws"},
    "twfe": {"zh": "双向固定效应", "en": "TWFE"},
    "type": {"zh": "类型", "en": "Type"},
    "forbidden": {"zh": "以已处理为对照", "en": "Already-treated controls"},
    "archetype": {"zh": "派出所类型", "en": "Station type"},
    "total": {"zh": "合计", "en": "Total"},
    "model": {"zh": "模型", "en": "Model"},
    "unique_id": {"zh": "序列", "en": "Series"},
    "mase": {"zh": "MASE", "en": "MASE"},
    "mase_vs_snaive": {"zh": "MASE/季节朴素", "en": "MASE vs seasonal naive"},
    "rmsse": {"zh": "RMSSE", "en": "RMSSE"},
    "smape": {"zh": "sMAPE", "en": "sMAPE"},
    "bias": {"zh": "偏差", "en": "Bias"},
    "coverage_80": {"zh": "80%区间覆盖率", "en": "80% coverage"},
    "coverage_95": {"zh": "95%区间覆盖率", "en": "95% coverage"},
    "winkler_95": {"zh": "95% Winkler 分数", "en": "95% Winkler score"},
    "pretrend_chi2": {"zh": "预趋势卡方", "en": "Pre-trend χ²"},
    "pretrend_p": {"zh": "预趋势 p 值", "en": "Pre-trend p"},
    "df": {"zh": "自由度", "en": "df"},
    "effect_q3": {"zh": "一年效应", "en": "One-year effect"},
    "breakdown_Mbar": {"zh": "临界 M̄(相对幅度)", "en": "Breakdown M̄ (relative)"},
    "breakdown_M_smooth": {"zh": "临界 M(平滑)", "en": "Breakdown M (smoothness)"},
    "Mbar": {"zh": "M̄", "en": "M̄"},
    "lb": {"zh": "下限", "en": "Lower"},
    "ub": {"zh": "上限", "en": "Upper"},
    "id_lb": {"zh": "识别集下限", "en": "Identified set lower"},
    "id_ub": {"zh": "识别集上限", "en": "Identified set upper"},
    "cluster": {"zh": "聚类", "en": "Cluster"},
    "k": {"zh": "聚类数 k", "en": "k"},
    "share": {"zh": "占比", "en": "Share"},
    "n": {"zh": "数量", "en": "N"},
    "officers_needed": {"zh": "所需民警", "en": "Officers needed"},
    "officers_per_call": {"zh": "每起出警民警", "en": "Officers per call"},
    "committed_share": {"zh": "出警时间占比", "en": "Committed time share"},
    "year": {"zh": "年份", "en": "Year"},
    "stations": {"zh": "派出所数", "en": "Stations"},
    "incidents_2024": {"zh": "2024年警情数", "en": "Incidents, 2024"},
    "archetype_en": {"zh": "派出所类型", "en": "Station type"},
    "districts": {"zh": "警区", "en": "Districts"},
    "table": {"zh": "表", "en": "Table"},
    "column": {"zh": "列名", "en": "Column"},
    "kind": {"zh": "类型", "en": "Kind"},
    "required": {"zh": "必填", "en": "Required"},
    "label_zh": {"zh": "中文名", "en": "Chinese name"},
    "label_en": {"zh": "英文名", "en": "English name"},
    "key": {"zh": "主键", "en": "Key"},
    "trust": {"zh": "信任", "en": "Trust"},
    "n_comparisons": {"zh": "比较数", "en": "Comparisons"},
    "contribution": {"zh": "贡献", "en": "Contribution"},
    "commercial_core": {"zh": "商业核心区", "en": "Commercial core"},
    "residential": {"zh": "居住社区", "en": "Residential community"},
    "transit_hub": {"zh": "交通枢纽", "en": "Transport hub"},
    "safety": {"zh": "安全感", "en": "Safety"},
}

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
    """
    text = str(key)
    if lang is None:
        return text

    def one(code: str, lg: str) -> str:
        if code in RESULT_LABELS:
            return RESULT_LABELS[code][lg]
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
    if digits is not None:
        floats = out.select_dtypes("floating").columns
        out[floats] = out[floats].round(digits)
        if digits == 0:  # whole numbers read as counts, not "14443.0"
            for c in floats:
                if out[c].dropna().abs().lt(2**53).all():
                    out[c] = out[c].astype("Int64")
    out.columns = [label_text(c, lang) for c in out.columns]
    if isinstance(out.index, pd.MultiIndex):
        out.index = out.index.set_names([label_text(n, lang) if n is not None else None
                                         for n in out.index.names])
    elif out.index.name is not None:
        out.index.name = label_text(out.index.name, lang)
    if out.columns.name is not None:
        out.columns.name = label_text(out.columns.name, lang)
    return out


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


def format_effect(estimate: float, ci_lower: float | None = None, ci_upper: float | None = None,
                  *, unit: str = "", digits: int = 1, level: int = 95,
                  lang: str | None = "auto") -> str:
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
        return format_effect(estimate, ci_lower, ci_upper, unit=unit, digits=digits,
                             level=level, lang="zh") + " / " + en_text
    return en_text


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
