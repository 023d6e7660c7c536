# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Did smart policing work? Staggered difference-in-differences（智慧警务成效评估）
#
# **Purpose.** Estimate the effect of adopting the smart-policing platform (智慧警务) on case
# clearance (破案率), public satisfaction (群众满意度) and response time (出警时间) when
# stations adopt at different times. We show why the naive before/after figure and the
# two-way fixed-effects (TWFE) regression mislead, estimate the effects with the modern
# staggered designs (Callaway & Sant'Anna; Sun & Abraham; Borusyak, Jaravel & Spiess),
# check pre-trends and how robust the conclusions are to their violation (Rambachan & Roth),
# and, because M city is simulated, check every estimate against the known truth.
#
# **Inputs.** `CITY = None`: `data/m_city/` (48 stations, monthly panel 2018–2024, adoption in
# five cohorts from 2020-01 to 2022-01, 10 stations never adopt; `truth/att.csv` holds the true
# effects). `CITY = "folder"`: the exports named in the folder's `jingwu.toml`: adoption months
# from the station table, outcomes from the monthly outcomes export (or from the incident
# records' 是否立案/是否破案/到场时间). The checks against the truth appear only for a simulated
# city; an analysis whose inputs are missing says what to add and steps aside.
#
# **Outputs.** `reports/figures/03_*.png`, `reports/tables/03_*.{csv,md,tex}` (LaTeX for
# papers), values prefixed `03.` in `reports/values.json`. Effects on rates are reported in
# percentage points (pp), response time in minutes.

# %% tags=["parameters"]
QUICK = False  # quick mode: fewer wild-bootstrap draws, no HonestDiD smoothness sets
LANGUAGE = "both"  # "zh", "en" or "both": figure titles and labels, table headers, headings
CITY = None  # None: the bundled M city; or a city project folder with jingwu.toml (see `jingwu init`)

# %%
import matplotlib.pyplot as plt
import pandas as pd

import jingwu as jw
from jingwu import effects as ef

LANG = jw.viz.set_theme(LANGUAGE)
pd.set_option("display.width", 140)
N_BOOT = 999 if QUICK else 9999
SEED = 20240601
WINDOW = {"clearance_rate": (-12, 36), "satisfaction_rate": (-4, 12), "response_minutes": (-12, 36)}
OUTCOME_NAME = {o: f"{jw.report.text(s['zh'], s['en'])} ({s['unit']})" for o, s in ef.OUTCOMES.items()}
ESTIMATOR_NAME = {"naive": jw.report.text("简单前后对比", "Before/after"),
                  "twfe": jw.report.text("双向固定效应", "Two-way fixed effects"),
                  "cs_never": jw.report.text("CS，从未采用者为对照", "Callaway-Sant'Anna, never-treated"),
                  "cs_notyet": jw.report.text("CS，尚未采用者为对照", "Callaway-Sant'Anna, not-yet-treated"),
                  "imputation": jw.report.text("插补估计", "Imputation (BJS)")}
CONTROL_GROUP = {"naive": jw.report.text("无", "none"),
                 "twfe": jw.report.text("全部（含已采用）", "all, incl. already adopted"),
                 "cs_never": jw.report.text("从未采用", "never adopted"),
                 "cs_notyet": jw.report.text("尚未采用", "not yet adopted"),
                 "imputation": jw.report.text("尚未采用", "not yet adopted")}

city = jw.studies.load_city(CITY)
CITY_EN = "M city" if CITY is None else city.name
HAS_TRUTH = city.truth is not None
# An outcome is analysed when the panel has its columns with data; a design needs adopters and
# never-adopting stations (the never-treated comparison of Callaway-Sant'Anna).
NEEDS = {o: [s[k] for k in ("numerator", "denominator", "column") if s.get(k)] for o, s in ef.OUTCOMES.items()}
OUTCOMES = [o for o in ef.OUTCOMES if all(c in city.panel and city.panel[c].notna().any() for c in NEEDS[o])]
adoption = city.stations["adoption_month"] if "adoption_month" in city.stations else pd.Series(dtype="period[M]")
N_ADOPTERS, N_NEVER = int(adoption.notna().sum()), int(len(city.stations) - adoption.notna().sum())
RUN = bool(OUTCOMES) and N_ADOPTERS > 0 and N_NEVER > 0
jw.report.record_value("03.n_adopters", N_ADOPTERS, description="Stations that adopt the platform")
jw.report.record_value("03.n_never", N_NEVER, description="Stations that never adopt (controls)")
if RUN:
    data = {o: ef.outcome_panel(city.panel, o, city.stations) for o in OUTCOMES}
    truth = {o: ef.truth_effects(city.truth.att, o) for o in OUTCOMES} if HAS_TRUTH else {}
    MAIN = "clearance_rate" if "clearance_rate" in OUTCOMES else OUTCOMES[0]
    clear = data[MAIN]

# %% [markdown]
# ## 0. What the data allow（数据能回答什么）
#
# The design needs adoption months in the station table (some stations adopting, some never),
# and at least one outcome per station and month. What is missing is listed below with the
# line to add; the sections that need it step aside.

# %%
missing_outcomes = [o for o in ef.OUTCOMES if o not in OUTCOMES]
if N_ADOPTERS == 0:
    print("Missing: adoption months. Add the smart-policing adoption month per station to the station "
          "export (a column such as 智慧警务上线时间: 2022年3月, 2022-03, or 未上线 for never).")
elif N_NEVER == 0:
    print("Every station adopts: with no never-adopting station there is no comparison group for the "
          "designs below.")
if missing_outcomes:
    print("Outcomes not in the data: " + ", ".join(ef.OUTCOMES[o]["en"] for o in missing_outcomes) + ".\n"
          "Add a monthly outcomes export (one row per station and month: 立案数, 破案数, 满意度调查人数, "
          "满意人数, 平均到场时间) and name it in jingwu.toml:\n"
          '    [data]\n    outcomes = "月度绩效.xlsx"')
if RUN:
    print(f"Analysed: {', '.join(ef.OUTCOMES[o]['en'] for o in OUTCOMES)}; {N_ADOPTERS} adopting and "
          f"{N_NEVER} never-adopting stations"
          + ("; checked against the simulator's true effects." if HAS_TRUTH else "."))
else:
    print("The effects analysis steps aside for this city until the missing inputs are added.")

# %% [markdown]
# ## 1. Who adopted when（采用时间）
#
# Stations adopted in five cohorts; earlier adopters are a different mix of station types
# (the simulator, like reality, lets busier urban stations go first), so comparing adopters
# with non-adopters in levels would confound the platform with station type. Clearance is
# analysed per station-month (weight: equal per station, the estimand of `truth/att.csv`),
# satisfaction per survey quarter (surveys are quarterly), response time per station-month.

# %%
if RUN:
    stations = city.stations.assign(cohort=adoption.astype(str).replace("NaT", "never"))
    if HAS_TRUTH:
        stations["archetype"] = stations["station_id"].map(city.truth.archetype_of())
    TYPE = "archetype" if HAS_TRUTH else "district"
    cohorts = pd.crosstab(stations["cohort"], stations[TYPE], margins=True, margins_name="total")
    jw.report.save_table(cohorts, "cohorts", prefix="03", index=True, float_format="{:.0f}",
                         caption=(jw.report.text("各应用批次的派出所数（按真实类型）", "Stations by adoption cohort and (true) station type")
                                  if HAS_TRUTH else jw.report.text("各应用批次的派出所数（按分局）",
                                                                   "Stations by adoption cohort and district")))
    spec = ef.OUTCOMES[MAIN]
    trends = (clear.assign(cohort=clear["cohort"].astype(str).replace("NaT", "never"),
                           year=clear["period"].dt.year)
              .groupby(["year", "cohort"])["y"].mean().mul(spec["scale"]).unstack())
    ax = trends.plot(marker="o", figsize=(8, 4.5))
    ax.set(ylabel=OUTCOME_NAME[MAIN], xlabel=jw.report.text("年份", "Year"),
           title=jw.report.text(f"按采用批次的{spec['zh']}", f"{spec['en']} by adoption cohort"))
    ax.legend(title=jw.report.label_text("cohort", LANG))
    jw.report.save_fig(ax.figure, "cohort_trends", prefix="03")
    display(jw.report.labelled(cohorts))

# %% [markdown]
# ## 2. The naive before/after number（简单前后对比）
#
# Reports often quote adopters' mean after adoption minus their mean before. With no
# control group this adds every trend of those years (clearance and satisfaction were rising
# everywhere) to the platform's effect.

# %%
if RUN:
    comparisons = {o: ef.compare_estimators(data[o]) for o in OUTCOMES}
    naive_rows = []
    for o in OUTCOMES:
        row = comparisons[o].set_index("estimator").loc["naive"]
        scale = ef.OUTCOMES[o]["scale"]
        naive_rows.append({"outcome": OUTCOME_NAME[o], "naive": row["att"] * scale,
                           **({"truth": truth[o]["att"].iloc[0] * scale} if HAS_TRUTH else {})})
        if HAS_TRUTH:
            jw.report.record_value(f"03.{o}.truth", truth[o]["att"].iloc[0] * scale, unit=ef.OUTCOMES[o]["unit"],
                                   description=f"True average effect on the adopters (simulator), {o}")
    naive = pd.DataFrame(naive_rows)
    if HAS_TRUTH:
        naive["naive_over_truth"] = naive["naive"] / naive["truth"]
        jw.report.record_value(f"03.{MAIN}.naive_over_truth", naive["naive_over_truth"].iloc[OUTCOMES.index(MAIN)],
                               unit="ratio", description="Naive before/after gain over the true effect")
    jw.report.save_table(naive, "naive", prefix="03", float_format="{:.2f}",
                         caption=jw.report.text("简单前后差" + ("与真实效应" if HAS_TRUTH else ""),
                                                 "Naive before/after difference"
                                                 + (" against the true effect" if HAS_TRUTH else "")))
    display(jw.report.labelled(naive, digits=2))

# %% [markdown]
# ## 3. Why two-way fixed effects misleads here（TWFE 为何有偏）
#
# With staggered adoption the TWFE coefficient is a weighted average of every 2×2
# comparison between timing groups (Goodman-Bacon 2021). Some use already-adopted stations
# as controls ("later vs earlier treated"); when effects grow after adoption, those
# controls are still improving, and the comparison subtracts part of the effect.

# %%
if RUN:
    bacon = ef.bacon_decomposition(clear, "y", "station_id", "period", "cohort")
    bacon_sum = ef.bacon_summary(bacon)
    jw.report.save_table(bacon_sum, "bacon", prefix="03", float_format="{:.4f}",
                         caption=jw.report.text(f"TWFE 估计的 Goodman-Bacon 分解：{ef.OUTCOMES[MAIN]['zh']}",
                                                 f"Goodman-Bacon decomposition of the TWFE estimate, "
                                                 f"{ef.OUTCOMES[MAIN]['en']}"))
    jw.report.record_value("03.bacon_forbidden_weight", bacon_sum.loc[bacon_sum["forbidden"], "weight"].sum(),
                           description="TWFE weight on later-vs-earlier (already treated as control) comparisons")
    ax = ef.plot_bacon(bacon.assign(estimate=bacon["estimate"] * ef.OUTCOMES[MAIN]["scale"]),
                       title=jw.report.text(f"Goodman-Bacon 分解：{OUTCOME_NAME[MAIN]}",
                                            f"Goodman-Bacon decomposition, {OUTCOME_NAME[MAIN]}"))
    jw.report.save_fig(ax.figure, "bacon", prefix="03")
    display(jw.report.labelled(bacon_sum, digits=4))

# %% [markdown]
# ## 4. Modern estimates for the three outcomes（现代交错 DID 估计）
#
# Callaway & Sant'Anna (doubly robust; never-treated or not-yet-treated stations as
# controls) and the imputation estimator compare each adopter only with stations that have
# not adopted yet, so no adopted station serves as a control. Intervals are 95 %,
# analytic (influence function, clustered by station).

# %%
if RUN:
    tables = []
    for o in OUTCOMES:
        t = ef.scale_effects(comparisons[o], o)
        t.insert(0, "outcome", OUTCOME_NAME[o])
        t["label"] = t["estimator"].map(ESTIMATOR_NAME)
        t["n_units"] = data[o]["station_id"].nunique()
        t["n_clusters"] = data[o]["station_id"].nunique()  # SEs clustered by station
        t["control_group"] = t["estimator"].map(CONTROL_GROUP)
        if HAS_TRUTH:
            t["truth"] = truth[o]["att"].iloc[0] * ef.OUTCOMES[o]["scale"]
            t["covers_truth"] = (t["ci_lower"] <= t["truth"]) & (t["truth"] <= t["ci_upper"])
        tables.append(t)
        for _, r in t.iterrows():
            for col in ("att", "ci_lower", "ci_upper"):
                jw.report.record_value(f"03.{o}.{r['estimator']}.{col}", r[col], unit=ef.OUTCOMES[o]["unit"],
                                       description=f"{r['label']}: {col}, {o}")
    estimates = pd.concat(tables, ignore_index=True)
    jw.report.save_table(estimates.drop(columns="estimator"), "estimates", prefix="03", float_format="{:.2f}",
                         caption=jw.report.text("各估计量的智慧警务应用效应" + ("及真实效应" if HAS_TRUTH else ""),
                                                 "Effect of smart-policing adoption by estimator"
                                                 + (f", with the true effect ({CITY_EN})" if HAS_TRUTH
                                                    else f" ({CITY_EN})")))
    side_by_side = jw.report.etable(estimates[estimates["outcome"] == OUTCOME_NAME[MAIN]], model_col="label",
                                    caption=jw.report.text(
                                        f"应用对{ef.OUTCOMES[MAIN]['zh']}的效应（{ef.OUTCOMES[MAIN]['unit']}）："
                                        "各估计量并列，标准误按派出所聚类",
                                        f"Effect of adoption on {ef.OUTCOMES[MAIN]['en'].lower()} "
                                        f"({ef.OUTCOMES[MAIN]['unit']}): estimators side by side, "
                                        "SEs clustered by station"))
    side_by_side.save("etable_clearance" if MAIN == "clearance_rate" else f"etable_{MAIN}", prefix="03")
    if HAS_TRUTH:
        modern = estimates[estimates["estimator"].isin(["cs_never", "cs_notyet", "imputation"])]
        jw.report.record_value("03.modern_cover_share", modern["covers_truth"].mean(),
                               description="Share of modern-estimator 95% CIs that cover the truth")
        jw.report.record_value("03.twfe_cover_share",
                               estimates.loc[estimates["estimator"] == "twfe", "covers_truth"].mean(),
                               description="Share of TWFE 95% CIs that cover the truth")
    fig, axes = plt.subplots(1, len(OUTCOMES), figsize=(4.4 * len(OUTCOMES), 4.2), sharey=True, squeeze=False)
    axes = axes[0]
    for ax, o in zip(axes, OUTCOMES):
        part = estimates[estimates["outcome"] == OUTCOME_NAME[o]].set_index("label")
        jw.viz.plot_coefficients(part, "att", "ci_lower", "ci_upper", ax=ax, ref=None,
                                 title=OUTCOME_NAME[o])
        if HAS_TRUTH:
            ax.axvline(part["truth"].iloc[0], color="black", lw=1.2, ls="--")
        ax.set_xlabel(ef.OUTCOMES[o]["unit"])
        ax.set_ylabel("")
    for ax in axes[1:]:
        ax.tick_params(labelleft=False)
    fig.suptitle(jw.report.text("估计值与 95% 置信区间；虚线：真实效应", "Estimates with 95% CIs; dashed line: true effect")
                 if HAS_TRUTH else jw.report.text("估计值与 95% 置信区间", "Estimates with 95% CIs"))
    fig.tight_layout()
    jw.report.save_fig(fig, "estimates", prefix="03")
    display(side_by_side)

# %% [markdown]
# ## 5. Event studies: how fast does the effect arrive?（事件研究）
#
# Effects by time since adoption from four estimators (normalised to the period before
# adoption), with the true path when the city is simulated. TWFE with relative-period dummies
# is contaminated by the same forbidden comparisons (Sun & Abraham 2021); the other three
# track the truth.

# %%
if RUN:
    fig, axes = plt.subplots(len(OUTCOMES), 1, figsize=(11, 4 * len(OUTCOMES)), squeeze=False)
    events = {}
    for ax, o in zip(axes[:, 0], OUTCOMES):
        lo, hi = WINDOW[o]
        frames = [ef.event_study(data[o], "y", "station_id", "period", "cohort", estimator=e,
                                 **({"window": (lo, hi)} if e == "twfe" else
                                    {"pretrends": -lo} if e == "imputation" else {}))
                  for e in ("twfe", "cs", "sa", "imputation")]
        es = ef.scale_effects(pd.concat(frames, ignore_index=True), o)
        es = es[es["event_time"].between(lo, hi)]
        events[o] = es
        path = (ef.scale_effects(ef.truth_effects(city.truth.att, o, "dynamic"), o, ("att",)) if HAS_TRUTH else None)
        ef.plot_event_studies(es, ax=ax, dodge=0.15, truth=None if path is None else path[path["event_time"] <= hi],
                              xlabel=jw.report.text("采用后期数（月；满意度：季度）", "Periods since adoption (months; satisfaction: quarters)"),
                              ylabel=ef.OUTCOMES[o]["unit"], title=OUTCOME_NAME[o])
    fig.tight_layout()
    jw.report.save_fig(fig, "event_studies", prefix="03")
    event_table = pd.concat([e.assign(outcome=o) for o, e in events.items()], ignore_index=True)
    jw.report.save_table(event_table, "event_studies", prefix="03", float_format="{:.3f}",
                         caption=jw.report.text("各估计量、各结果的事件研究估计", "Event-study estimates by estimator and outcome"))
    cs_dyn = events[MAIN].query("estimator == 'cs' and event_time == 12")
    if len(cs_dyn):
        jw.report.record_value(f"03.{MAIN}.cs_event_12", cs_dyn["att"].iloc[0], unit=ef.OUTCOMES[MAIN]["unit"],
                               description=f"CS effect on {ef.OUTCOMES[MAIN]['en'].lower()} 12 months after adoption")

# %% [markdown]
# ## 6. Pre-trends and sensitivity（平行趋势检验与敏感性）
#
# A joint test that the pre-adoption effects are zero (a small-sample F test with cluster
# degrees of freedom when there are fewer than 100 stations), then HonestDiD (Rambachan & Roth
# 2023): how large may a violation of parallel trends be, relative to the largest change
# seen before adoption (M̄), before the one-year effect is no longer distinguishable from
# zero? The *breakdown* M̄ is the number to quote. Sensitivity uses the quarterly clock
# (each pre-period estimate pools three months, so pre-trends are measured with less noise)
# and the effect four quarters after adoption (event quarter 3). The relative-magnitude sets are
# R HonestDiD's conditional-least-favourable (C-LF) confidence sets, ported and checked against
# the numbers R HonestDiD publishes; breakdown values come from the same sets.

# %%
if RUN:
    sens_rows = []
    honest_tables = []
    for o in OUTCOMES:
        q = ef.outcome_panel(city.panel, o, city.stations, freq="Q")
        dyn = ef.att_gt(q, "y", "station_id", "period", "cohort", base_period="universal").aggregate(
            "dynamic", min_e=-4, max_e=8)
        pre = ef.pretrend_test(dyn)
        rm = ef.honest_did(dyn, Mbar=[0, 0.25, 0.5, 0.75, 1.0], event_time=3)
        # The smoothness sets take most of this section's time; quick mode leaves them out.
        sd = None if QUICK else ef.honest_did(dyn, method="smoothness", event_time=3)
        honest_tables.append(ef.scale_effects(rm.to_frame(), o, ("lb", "ub", "id_lb", "id_ub")).assign(outcome=o))
        sens_rows.append({"outcome": OUTCOME_NAME[o], "pretrend_stat": pre.stat, "test": pre.method, "df": pre.df,
                          "pretrend_p": pre.p_value, "effect_q3": rm.theta * ef.OUTCOMES[o]["scale"],
                          "breakdown_Mbar": rm.breakdown, "breakdown_M_smooth": float("nan") if sd is None else sd.breakdown})
        # A short history can leave a test or a breakdown value undefined: recorded as "n/a", not dropped.
        jw.report.record_value(f"03.{o}.pretrend_p",
                               float(pre.p_value) if abs(float(pre.p_value)) < float("inf") else "n/a",
                               description=f"Pre-trend test p-value, {o}")
        jw.report.record_value(f"03.{o}.breakdown_mbar",
                               float(rm.breakdown) if abs(float(rm.breakdown)) < float("inf") else "n/a",
                               description=f"HonestDiD relative-magnitude breakdown value (event quarter 3), {o}")
    sensitivity = pd.DataFrame(sens_rows)
    jw.report.save_table(sensitivity, "pretrends_sensitivity", prefix="03", float_format="{:.3f}",
                         caption=jw.report.text("事前趋势检验与 HonestDiD 临界值（按季度，一年效应）",
                                                 "Pre-trend tests and HonestDiD breakdown values "
                                                 "(quarterly, one-year effect)"))
    honest = pd.concat(honest_tables, ignore_index=True)
    jw.report.save_table(honest, "honest_did", prefix="03", float_format="{:.3f}",
                         caption=jw.report.text("一年效应的 HonestDiD 相对幅度 95% 区间",
                                                 "HonestDiD relative-magnitude 95% intervals for the one-year effect"))
    display(jw.report.labelled(sensitivity))

# %% [markdown]
# ## 7. Few clusters: districts（少量聚类：按分局聚类）
#
# If shocks are shared within a district (M city has 6), station-clustered SEs overstate
# precision, and 6 clusters are too few for cluster-robust SEs. The wild cluster bootstrap
# (Cameron, Gelbach & Miller 2008; Webb 2023 six-point weights, because Rademacher weights
# allow only 2⁶ = 64 distinct draws) gives a p-value for the static effect that remains valid
# with few clusters. It tests the TWFE coefficient, so it answers "is there any effect",
# not "how large".

# %%
N_DISTRICTS = city.stations["district"].nunique()
if RUN and N_DISTRICTS >= 2:
    wild_rows = []
    for o in OUTCOMES:
        for weights in ("rademacher", "webb"):
            w = ef.wild_cluster_bootstrap(data[o], "y", "station_id", "period", gname="cohort", cluster="district",
                                          n_boot=N_BOOT, weights=weights, seed=SEED)
            wild_rows.append({"outcome": OUTCOME_NAME[o], "weights": weights, "n_clusters": w.n_clusters,
                              "draws": w.n_boot, "twfe": w.estimate * ef.OUTCOMES[o]["scale"], "t": w.t_stat,
                              "p_value": w.p_value})
            if weights == "webb":
                jw.report.record_value(f"03.{o}.wild_p_district", w.p_value,
                                       description=f"Wild cluster bootstrap p (Webb, {w.n_clusters} district clusters), {o}")
    wild = pd.DataFrame(wild_rows)
    jw.report.save_table(wild, "wild_bootstrap", prefix="03", float_format="{:.4f}",
                         caption="Wild cluster bootstrap p-values, clustering by district")
    display(jw.report.labelled(wild, digits=4))
elif RUN:
    print("One district only: clustering by district is not possible; station-clustered SEs above stand.")

# %% [markdown]
# ## 8. For whom and when? Heterogeneity（异质性）
#
# By adoption cohort (Callaway & Sant'Anna group aggregation, against the true cohort
# effects when the city is simulated) and by station type (each type's adopters against all
# never-adopters; a descriptive split, since types differ in more than adoption; the true
# types exist only for a simulated city).

# %%
if RUN:
    group_rows = []
    for o in OUTCOMES:
        grp = ef.att_gt(data[o], "y", "station_id", "period", "cohort").aggregate("group").to_frame()
        cols = ("att", "se", "ci_lower", "ci_upper")
        if HAS_TRUTH:
            true_grp = ef.truth_effects(city.truth.att, o, "group").rename(columns={"cohort": "group", "att": "truth"})
            grp, cols = grp.merge(true_grp, on="group"), cols + ("truth",)
        group_rows.append(ef.scale_effects(grp, o, cols).assign(outcome=OUTCOME_NAME[o]))
    by_cohort = pd.concat(group_rows, ignore_index=True)
    if HAS_TRUTH:
        by_cohort["covers_truth"] = by_cohort["ci_lower"].le(by_cohort["truth"]) & by_cohort["truth"].le(by_cohort["ci_upper"])
        jw.report.record_value("03.cohort_cover_share", by_cohort["covers_truth"].mean(),
                               description="Share of cohort-effect CIs that cover the truth")
    jw.report.save_table(by_cohort, "by_cohort", prefix="03", float_format="{:.2f}",
                         caption="Effects by adoption cohort" + (" with the true cohort effects" if HAS_TRUTH else ""))
    display(jw.report.labelled(by_cohort[[c for c in ("outcome", "group", "att", "ci_lower", "ci_upper", "truth",
                                                      "covers_truth") if c in by_cohort]], digits=2))

# %%
if RUN and HAS_TRUTH:
    archetype_of = city.truth.archetype_of()
    type_rows = []
    for o in OUTCOMES:
        sub = ef.subgroup_effects(data[o].assign(archetype=data[o]["station_id"].map(archetype_of)), "archetype")
        type_rows.append(ef.scale_effects(sub, o).assign(outcome=OUTCOME_NAME[o]))
    by_type = pd.concat(type_rows, ignore_index=True)
    jw.report.save_table(by_type, "by_station_type", prefix="03", float_format="{:.2f}",
                         caption="Effects by station type (adopters of each type vs all never-adopters)")
    display(jw.report.labelled(by_type, digits=2))
elif RUN:
    print("Station types: no true types for this city; the workload clusters of notebook 02 describe them.")

# %% [markdown]
# ## 9. Weighting by cases（按案件数加权）
#
# The station-level effect treats every station alike. Weighting by cases answers a
# different question: the effect on the average *case*. Both are legitimate; say which.

# %%
if RUN and "clearance_rate" in OUTCOMES:
    weighted = ef.att_gt(data["clearance_rate"], "y", "station_id", "period", "cohort",
                         weightsname="weight").aggregate("simple")
    weighted_row = ef.scale_effects(weighted.to_frame(), "clearance_rate")
    jw.report.record_value("03.clearance_rate.cs_case_weighted", weighted_row["att"].iloc[0], unit="pp",
                           description="CS effect on clearance, stations weighted by cases")
    display(jw.report.labelled(weighted_row, digits=2))

# %% [markdown]
# ## Key findings（要点）

# %%
v = jw.report.load_values()
if RUN:
    eff = {lang: {o: {e: jw.report.format_effect(v[f"03.{o}.{e}.att"], v[f"03.{o}.{e}.ci_lower"],
                                                 v[f"03.{o}.{e}.ci_upper"], unit=ef.OUTCOMES[o]["unit"], digits=2,
                                                 lang=lang)
                      for e in ("twfe", "cs_never", "imputation")} for o in OUTCOMES} for lang in ("zh", "en")}
    points = [(f"{ef.OUTCOMES[o]['zh']}：Callaway-Sant'Anna 估计 {eff['zh'][o]['cs_never']}；插补估计 {eff['zh'][o]['imputation']}；"
               f"双向固定效应 {eff['zh'][o]['twfe']}；简单前后对比 {v[f'03.{o}.naive.att']:+.2f}"
               + (f"；真实效应 {v[f'03.{o}.truth']:+.2f}。" if HAS_TRUTH else "。"),
               f"{ef.OUTCOMES[o]['en']}: Callaway-Sant'Anna {eff['en'][o]['cs_never']}; imputation {eff['en'][o]['imputation']}; "
               f"TWFE {eff['en'][o]['twfe']}; naive before/after {v[f'03.{o}.naive.att']:+.2f}"
               + (f"; truth {v[f'03.{o}.truth']:+.2f}." if HAS_TRUTH else "."))
              for o in OUTCOMES]
    if HAS_TRUTH:
        points += [
            (f"简单前后对比得出的{ef.OUTCOMES[MAIN]['zh']}变化是真实效应的 {v[f'03.{MAIN}.naive_over_truth']:.1f} 倍。",
             f"The naive before/after {ef.OUTCOMES[MAIN]['en'].lower()} change is "
             f"{v[f'03.{MAIN}.naive_over_truth']:.1f} times the true effect."),
            (f"现代估计量的 95% 置信区间有 {v['03.modern_cover_share']:.0%} 覆盖真值，双向固定效应仅 {v['03.twfe_cover_share']:.0%}；"
             f"双向固定效应把 {v['03.bacon_forbidden_weight']:.0%} 的权重放在以已采用派出所为对照的比较上。",
             f"Modern estimators' 95% CIs cover the truth in {v['03.modern_cover_share']:.0%} of cases; TWFE's in "
             f"{v['03.twfe_cover_share']:.0%}. TWFE puts {v['03.bacon_forbidden_weight']:.0%} of its weight on comparisons "
             "that use already-adopted stations as controls.")]
    else:
        points.append((f"双向固定效应把 {v['03.bacon_forbidden_weight']:.0%} 的权重放在以已采用派出所为对照的比较上。",
                       f"TWFE puts {v['03.bacon_forbidden_weight']:.0%} of its weight on comparisons that use "
                       "already-adopted stations as controls."))
    points.append((
        "预趋势检验 p 值：" + "，".join(f"{ef.OUTCOMES[o]['zh']} {v[f'03.{o}.pretrend_p']:.2f}" if v[f"03.{o}.pretrend_p"] != "n/a"
                                      else f"{ef.OUTCOMES[o]['zh']} 无法计算" for o in OUTCOMES)
        + "；HonestDiD 临界 M̄（一年效应）：" + "，".join(f"{ef.OUTCOMES[o]['zh']} {v[f'03.{o}.breakdown_mbar']:.2f}"
                                                if v[f"03.{o}.breakdown_mbar"] != "n/a" else f"{ef.OUTCOMES[o]['zh']} 无法计算"
                                                for o in OUTCOMES) + "。",
        "Pre-trend p-values: " + ", ".join(f"{ef.OUTCOMES[o]['en'].lower()} {v[f'03.{o}.pretrend_p']:.2f}"
                                           if v[f"03.{o}.pretrend_p"] != "n/a" else f"{ef.OUTCOMES[o]['en'].lower()} n/a"
                                           for o in OUTCOMES)
        + "; HonestDiD breakdown M̄ (one-year effect): "
        + ", ".join(f"{ef.OUTCOMES[o]['en'].lower()} {v[f'03.{o}.breakdown_mbar']:.2f}"
                    if v[f"03.{o}.breakdown_mbar"] != "n/a" else f"{ef.OUTCOMES[o]['en'].lower()} n/a"
                    for o in OUTCOMES) + "."))
else:
    points = [("本城市数据不足以评估智慧警务效果：缺少智慧警务上线时间或月度绩效数据（见第 0 节需补充的内容）。",
               "The data of this city do not support the effects analysis yet: adoption months or monthly outcomes "
               "are missing (section 0 lists what to add).")]
jw.report.findings(points)

# %% [markdown]
# ### What a policy analyst should write（政策分析写法）
#
# *"Stations that adopted the platform raised clearance by about X points (95 % CI …) and
# satisfaction by Y points relative to comparable stations that had not yet adopted; the
# effect built up over the following months (event-study figure). The often-quoted
# before/after gain is N times as large, because clearance and satisfaction were rising
# everywhere. The one-year effect remains distinguishable from zero unless post-adoption
# trend violations exceed M̄ times the largest change seen before adoption."* Fill X, Y, N
# and M̄ from the printed findings above (all in `values.json`); a small M̄ means the
# conclusion leans heavily on parallel trends and must be worded cautiously. Report the
# estimator, control group and weighting, and show the event-study figure rather than one
# number.
#
# ## References
#
# - Callaway, B. & Sant'Anna, P. H. C. (2021). Difference-in-differences with multiple time
#   periods. *J. Econometrics* 225(2), 200–230 (R package `did`).
# - Sun, L. & Abraham, S. (2021). Estimating dynamic treatment effects in event studies with
#   heterogeneous treatment effects. *J. Econometrics* 225(2), 175–199.
# - Borusyak, K., Jaravel, X. & Spiess, J. (2024). Revisiting event-study designs: robust and
#   efficient estimation. *Review of Economic Studies* 91(6), 3253–3285.
# - Goodman-Bacon, A. (2021). Difference-in-differences with variation in treatment timing.
#   *J. Econometrics* 225(2), 254–277.
# - Rambachan, A. & Roth, J. (2023). A more credible approach to parallel trends.
#   *Review of Economic Studies* 90(5), 2555–2591 (R package `HonestDiD`).
# - Cameron, A. C., Gelbach, J. B. & Miller, D. L. (2008). Bootstrap-based improvements for
#   inference with clustered errors. *REStat* 90(3), 414–427; Webb, M. D. (2023). Reworking
#   wild bootstrap-based inference for clustered errors. *Canadian J. Economics* 56(3), 839–858.
# - Roth, J., Sant'Anna, P. H. C., Bilinski, A. & Poe, J. (2023). What's trending in
#   difference-in-differences? *J. Econometrics* 235(2), 2218–2244.
