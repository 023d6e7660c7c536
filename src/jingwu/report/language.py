"""Language of a run: labels of columns and codes, zh/en text, effects and key findings."""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
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
    # estimators and models as they appear in legends
    "cs": {"zh": "CS", "en": "CS"},
    "sa": {"zh": "SA", "en": "SA"},
    "imputation": {"zh": "插补估计", "en": "Imputation"},
    "snaive": {"zh": "季节朴素", "en": "Seasonal naive"},
    # forecasting: errors and levels of the hierarchy
    "me": {"zh": "平均误差", "en": "Mean error"},
    "mae": {"zh": "平均绝对误差", "en": "MAE"},
    "rmse": {"zh": "均方根误差", "en": "RMSE"},
    "level": {"zh": "层级", "en": "Level"},
    "city": {"zh": "全市", "en": "City"},
    "station": {"zh": "派出所", "en": "Station"},
    "area": {"zh": "警务片区", "en": "Area"},
    "horizon": {"zh": "预测步长", "en": "Horizon"},
    "window": {"zh": "回测窗口", "en": "Window"},
    "cutoff": {"zh": "预测起点", "en": "Cutoff"},
    # clustering: workload features, model selection, stability
    "feature": {"zh": "特征", "en": "Feature"},
    "block": {"zh": "特征组", "en": "Block"},
    "transform": {"zh": "变换", "en": "Transform"},
    "unit": {"zh": "单位", "en": "Unit"},
    "definition": {"zh": "定义", "en": "Definition"},
    "name": {"zh": "名称", "en": "Name"},
    "cluster_name": {"zh": "类别名称", "en": "Cluster name"},
    "annual_incidents": {"zh": "年均警情数", "en": "Incidents a year"},
    "incidents_per_10k": {"zh": "每万人警情", "en": "Incidents per 10,000 residents"},
    "mix_criminal": {"zh": "刑事占比", "en": "Criminal share"},
    "mix_public_order": {"zh": "治安占比", "en": "Public order share"},
    "mix_traffic": {"zh": "交通占比", "en": "Traffic share"},
    "mix_dispute": {"zh": "纠纷占比", "en": "Dispute share"},
    "mix_assistance": {"zh": "求助占比", "en": "Assistance share"},
    "mix_fraud": {"zh": "电诈占比", "en": "Telecom fraud share"},
    "mix_other": {"zh": "其他占比", "en": "Other share"},
    "dow_mon": {"zh": "周一占比", "en": "Monday share"},
    "dow_tue": {"zh": "周二占比", "en": "Tuesday share"},
    "dow_wed": {"zh": "周三占比", "en": "Wednesday share"},
    "dow_thu": {"zh": "周四占比", "en": "Thursday share"},
    "dow_fri": {"zh": "周五占比", "en": "Friday share"},
    "dow_sat": {"zh": "周六占比", "en": "Saturday share"},
    "dow_sun": {"zh": "周日占比", "en": "Sunday share"},
    "seasonal_amplitude": {"zh": "季节振幅", "en": "Seasonal amplitude"},
    "spring_festival": {"zh": "春节响应", "en": "Spring Festival response"},
    "growth": {"zh": "年增长率", "en": "Annual growth"},
    "fraud_share": {"zh": "电诈占比(近一年)", "en": "Fraud share (last year)"},
    "method": {"zh": "方法", "en": "Method"},
    "criterion": {"zh": "准则", "en": "Criterion"},
    "silhouette": {"zh": "轮廓系数", "en": "Silhouette"},
    "calinski_harabasz": {"zh": "CH 指数", "en": "Calinski–Harabasz"},
    "davies_bouldin": {"zh": "DB 指数", "en": "Davies–Bouldin"},
    "gap": {"zh": "Gap 统计量", "en": "Gap"},
    "gap_s": {"zh": "Gap 标准误", "en": "Gap s.e."},
    "bic": {"zh": "BIC", "en": "BIC"},
    "n_clusters_found": {"zh": "实得类数", "en": "Clusters found"},
    "min_cluster_size": {"zh": "最小类规模", "en": "Smallest cluster"},
    "n_stations": {"zh": "派出所数", "en": "Stations"},
    "jaccard_mean": {"zh": "平均 Jaccard", "en": "Mean Jaccard"},
    "jaccard_sd": {"zh": "Jaccard 标准差", "en": "Jaccard s.d."},
    "dissolved": {"zh": "解散比例", "en": "Dissolved share"},
    "recovered": {"zh": "恢复比例", "en": "Recovered share"},
    "singleton": {"zh": "单站类", "en": "Singleton"},
    "unstable": {"zh": "不稳定", "en": "Unstable"},
}

#: Chinese for the English words and phrases that figures carry (axis labels,
#: legends, titles set by method plots or notebooks), used by
#: :func:`figure_text` when a run is in Chinese.  Keys are matched whole,
#: ignoring case; code names go through :func:`label_text` instead.
FIGURE_PHRASES: dict[str, str] = {
    # staffing (notebook 04)
    "officers needed (workload method)": "所需民警（工作量法）",
    "officers today": "现有民警",
    "need / officers": "人均负荷（需求/民警）",
    "largest need / officers": "最大人均负荷",
    "gini of load per officer": "人均负荷基尼系数",
    "officers moved down from headquarters (k)": "从机关下沉的民警数（k）",
    "today": "现状",
    "reallocated": "重新配置后",
    "added to today's allocation": "在现有配置上增加",
    "added and reallocated": "增加并重新配置",
    "units on duty": "在岗警力单元",
    "hour of the week (monday 00:00 = 0)": "一周内小时（周一 0 时 = 0）",
    "erlang c": "Erlang C 排队模型",
    "square-root rule": "平方根法则",
    "calls per hour": "每小时警情",
    "mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五",
    "sat": "周六", "sun": "周日",
    # forecasting
    "horizon (steps ahead)": "预测步长",
    "mase / seasonal naive": "MASE/季节朴素",
    "mase relative to seasonal naive, by level": "各层级 MASE 相对季节朴素法",
    # effects
    "truth": "真实效应",
    "post": "采用后",
    "pre": "采用前",
    "weight in twfe": "在 TWFE 中的权重",
    "2x2 did estimate": "2×2 DiD 估计",
    "earlier vs later treated": "早采用 vs 晚采用（对照）",
    "later vs earlier treated": "晚采用 vs 早采用（对照）",
    "treated vs never treated": "采用 vs 从未采用",
    "treated vs already treated": "采用 vs 已采用",
    "months since opening": "启用后月数",
    "effect (score points)": "效应（评分点）",
    "effect (% change)": "效应（变化 %）",
    "effect (pp)": "效应（百分点）",
    "effect on reported crimes (%)": "对报案犯罪的效应（%）",
    # Chicago case study
    "best dating": "最佳口径",
    "conservative dating": "保守口径",
    "sentiment survey": "民意调查期",
    "no sdsc by 2020-06": "截至 2020-06 未启用 SDSC",
    "trust (0–100)": "信任（0–100）",
    "safety (0–100)": "安全感（0–100）",
    "never": "从未采用",
    "before survey": "调查前已启用",
}

#: Phrases with a number or name in them: (pattern, Chinese template).
FIGURE_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"fewest moves \((\d+) officers\)", "最少调动（{0} 名民警）"),
    (r"reallocated \((\d+) officers move\)", "重新配置（调动 {0} 名民警）"),
    (r"(.+): units needed by hour of the week", "{0}：一周内各小时所需警力"),
    (r"(.+): best vs conservative dating", "{0}：最佳与保守口径"),
    (r"effect \((.+)\)", "效应（{0}）"),
    (r"cohort (.+)", "采用批次 {0}"),
    (r"twfe = (.+)", "TWFE = {0}"),
    (r"last backtest window: reconciled (.+) forecasts with 80%/95% intervals, and what happened",
     "最后一个回测窗口：{0} 调和预测（80%/95% 区间）与实际值"),
    (r"backtest: (.+) by horizon \((\d+) windows\)", "回测：各预测步长的 {0}（{1} 个窗口）"),
)
_FIGURE_PATTERNS = tuple((re.compile(p, re.IGNORECASE), t) for p, t in FIGURE_PATTERNS)


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


#: Interval scores named by their level (``coverage_80``, ``winkler_95``, ...).
_LEVELLED_LABELS: dict[str, dict[str, str]] = {
    "coverage": {"zh": "{}%区间覆盖率", "en": "{}% coverage"},
    "winkler": {"zh": "{}% Winkler 分数", "en": "{}% Winkler score"},
    "pinball": {"zh": "{}%区间分位损失", "en": "{}% pinball loss"},
    "width": {"zh": "{}%区间宽度", "en": "{}% interval width"},
}
_LEVELLED = re.compile(r"(" + "|".join(_LEVELLED_LABELS) + r")_(\d{1,2})")

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


def effect_texts(values: Mapping[str, Any], estimate: str, lower: str | None = None,
                 upper: str | None = None, *, unit: str = "", digits: int = 1,
                 level: int = 95) -> tuple[str, str]:
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
    return tuple(format_effect(est, lo, hi, unit=unit, digits=digits, level=level, lang=lg)
                 for lg in ("zh", "en"))  # type: ignore[return-value]


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
