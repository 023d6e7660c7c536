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
# # 04 · Staffing: from forecast workload to officers per station and shift（警力配置）
#
# **Purpose.** Turn the demand forecast (notebook 01) into the officers each police station
# needs; measure today's mismatch; reallocate today's officers without growth (无增长改善);
# price moving officers from headquarters down to stations (警力下沉); staff each shift so that
# calls rarely wait for a free unit; and show what changes for each workload type (notebook 02)
# and for the station's teams (两队一室).
#
# **Inputs.** `CITY = None`: `data/m_city/` (stations with today's officers and residents; daily
# demand by incident category). `CITY = "folder"`: the exports named in the folder's
# `jingwu.toml`, whose own handling times (处警时长) per category replace the literature values
# where the export has them. Both: `reports/tables/01_station_forecast_quantiles.csv` and
# `reports/tables/02_cluster_workload.csv` when notebooks 01 and 02 have run on every station
# (otherwise this notebook forecasts and clusters the same way itself).
#
# **Outputs.** `reports/figures/04_*.png`; `reports/tables/04_*.{csv,md,tex}` (the `.tex` files
# are booktabs tables for papers); values prefixed `04.` in `reports/values.json`.

# %% tags=["parameters"]
QUICK = False  # quick mode: seasonal-naive forecast when notebook 01's is missing, coarser scenario grid
LANGUAGE = "both"  # "zh", "en" or "both": figure titles and labels, table headers, headings
CITY = None  # None: the bundled M city; or a city project folder with jingwu.toml (see `jingwu init`)

# %%
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import jingwu as jw
from jingwu import allocate as al

LANG = jw.viz.set_theme(LANGUAGE)
pd.set_option("display.width", 140)
H = 28                                         # horizon of notebook 01's forecast: four weeks
city = jw.studies.load_city(CITY)
# Handling minutes per category: the export's own means (处警时长) where it has them, else the
# literature values; the other parameters are cited defaults (edit them here for your city).
HANDLING, HANDLING_SOURCE = jw.studies.handling_minutes_for(city)
PARAMS = al.StaffingParams(handling_minutes=HANDLING)
QUANTILE = f"q{round(PARAMS.planning_quantile * 100)}"   # the forecast table carries q80 and q95
# Forecast settings, used only when notebook 01's table is missing (full mode then takes minutes).
FORECAST = ({"model": "snaive", "n_windows": 2} if QUICK
            else {"model": "auto", "models": jw.forecast.FAST_MODELS, "n_windows": 3})
SINK_K = range(0, 201, 20 if QUICK else 5)     # officers moved down from headquarters
WAIT_PROB = 0.2                                # at most 20% of calls wait for a free unit
SHIFTS = (0, 8, 16)                            # three eight-hour shifts

# %% [markdown]
# ## 1. Parameters（参数）
#
# Every result below follows from these numbers. Workload-based staffing (Wilson & Weiss 2012):
# officer-hours on calls = calls × handling time × officers per call; divide by the share of an
# officer's time committed to calls (one third: the rest is proactive, community and
# administrative work) and by the hours an officer is actually available in a year (1,662 h,
# after leave, training and court). The plan is on the 80th percentile of the forecast, not its
# mean. The MPS norms (公安部 2019) set the floors: no station below 5 officers and one community
# officer (社区民警) per 3,000–5,000 residents (5,000 here, the lenient end). Handling minutes
# come from the city's own export (处警时长, mean per category) when it records them.

# %%
print({"export": "Handling minutes: the export's own per-category means (处警时长).",
       "export+default": "Handling minutes: the export's own per-category means (处警时长); literature values "
                         "for the categories it lacks.",
       "default": "Handling minutes: literature values (the data hold no handling times)."}[HANDLING_SOURCE])
jw.report.record_value("04.handling_source", HANDLING_SOURCE,
                       description="Handling minutes used: the export's own means ('export') or literature values")
param_table = PARAMS.to_frame()
jw.report.save_table(param_table, "parameters", prefix="04", float_format="{:g}",
                     caption="Staffing parameters (defaults cited in the text)")
param_table

# %% [markdown]
# ## 2. From the daily forecast to a year's workload（预测到年度工作量）
#
# Three steps, each stated because each changes the answer:
#
# 1. **The planning quantile of the four weeks, not the sum of daily quantiles.** Adding up 28
#    daily 80th percentiles assumes every day is a bad day at once (perfectly correlated
#    errors), so it overstates the 80th percentile of the four-week total. The errors of one
#    horizon are correlated only weakly; the correlation ρ is estimated from the history by a
#    rolling-origin check (`jw.allocate.error_correlation`) and the quantile of the total follows
#    from it (`jw.allocate.horizon_total`).
# 2. **A January forecast is not a year.** The forecast covers the four weeks after the data
#    end; each station's usual share of a year's demand in those weeks (`seasonal_index`, the
#    average over the last three years) turns it into a year-round rate.
# 3. **Each incident type at its own handling time.** The station's incident mix over the last
#    year splits its total by category (`category_workload`).

# %%
stations = city.stations.assign(station_id=city.stations["station_id"].astype(str)).set_index("station_id")
officers = stations["officers"]
# Quick mode: notebook 01's quick run forecasts only 8 stations, so this notebook forecasts every
# station itself (seasonal naive) rather than try a table that cannot cover them.
fc = jw.forecast.station_forecast(city.demand, H, saved=None if QUICK else jw.paths.tables_dir() / jw.forecast.FORECAST_TABLE,
                                   **FORECAST)
if QUICK:
    print(jw.report.text(f"快速模式：笔记本 01 的快速运行只预测 8 个派出所，因此本笔记本用季节朴素法为全部 {len(stations)} 个派出所自行预测。",
                         f"Quick mode: notebook 01's quick run forecasts only 8 stations, so this notebook forecasts all "
                         f"{len(stations)} stations itself with the seasonal-naive model."))
rho = al.error_correlation(city.demand, H)
plan = al.horizon_total(fc, rho=rho, quantile_col=QUANTILE)
try:
    plan["seasonal_index"] = al.seasonal_index(city.demand, fc["date"].min(), H)
except jw.DataError as err:  # a short history has no past year around the forecast weeks
    print(f"Seasonal index not available ({err.problem}): "
          "the forecast weeks are taken as a year-round rate (about 18 months of data are needed).")
    plan["seasonal_index"] = 1.0
plan["year_round"] = plan["q_total"] / plan["seasonal_index"]
totals = plan[["mean", "q_summed", "q_total", "year_round"]].sum()
print(f"forecast: {fc.attrs['source']} ({fc['model'].iloc[0]}), {fc['date'].min():%Y-%m-%d} to "
      f"{fc['date'].max():%Y-%m-%d}, {fc['station_id'].nunique()} stations")
print(f"error correlation within the horizon ρ = {rho:.3f}")
print(f"city, {H} days: mean {totals['mean']:,.0f}; summed daily {QUANTILE} {totals['q_summed']:,.0f}; "
      f"{QUANTILE} of the total {totals['q_total']:,.0f}; year-round rate {totals['year_round']:,.0f}")
jw.report.record_value("04.forecast_source", fc.attrs["source"],
                       description="Forecast used: 'saved' (notebook 01's table) or 'computed' here")
jw.report.record_value("04.forecast_model", str(fc["model"].iloc[0]), description="Forecast model")
jw.report.record_value("04.error_correlation", rho, unit="correlation",
                       description="Mean correlation of daily forecast errors within the 28-day horizon")
jw.report.record_value("04.plan_total_vs_summed", totals["q_total"] / totals["q_summed"], unit="ratio",
                       description="80th percentile of the 28-day total relative to the summed daily 80th percentiles")
jw.report.record_value("04.plan_uplift_over_mean", totals["q_total"] / totals["mean"] - 1, unit="share",
                       description="Planning quantile of the 28-day total above its mean (city)")
_ = jw.report.record_value("04.seasonal_index_city", totals["q_total"] / totals["year_round"], unit="ratio",
                           description="Demand in the forecast weeks relative to a year-round rate (city)")

# %% [markdown]
# ## 3. Need per station and today's mismatch（需求与现状）
#
# `officers_needed` is the workload-based need at the year-round planning rate; the load per
# officer is need ÷ today's officers (1 = staffed exactly to the workload method, above 1 =
# over capacity).

# %%
workload = al.category_workload(plan["year_round"], city.demand)
need_table = al.workload_staffing(workload, PARAMS, days=H).set_index("station_id")
need = need_table["officers_needed"]
mismatch = stations[["district", "area_type", "population", "officers"]].join(need_table)
mismatch["gap"] = mismatch["officers"] - mismatch["officers_needed_int"]
mismatch["load"] = mismatch["officers_needed"] / mismatch["officers"]
jw.report.save_table(mismatch.reset_index(), "need_by_station", prefix="04",
                     float_format={"calls_per_year": "{:,.0f}", "call_hours": "{:,.0f}", "population": "{:,.0f}",
                                   "handling_minutes": "{:.1f}", "officers_needed": "{:.1f}", "load": "{:.2f}"},
                     caption="Workload-based need per station against today's officers "
                             f"({QUANTILE} plan, year-round rate)")
over = mismatch["load"] > 1
jw.report.record_value("04.officers_total", int(officers.sum()), unit="officers",
                       description="Officers in the stations today")
jw.report.record_value("04.officers_needed_total", need.sum(), unit="officers",
                       description="Workload-based need summed over stations (fractional)")
jw.report.record_value("04.stations_over_capacity", int(over.sum()), unit="stations",
                       description="Stations whose need exceeds their officers today")
print(f"need {need.sum():,.0f} officers against {officers.sum():,} in the stations; "
      f"{over.sum()} stations over capacity, load per officer from {mismatch['load'].min():.2f} "
      f"to {mismatch['load'].max():.2f}")
mismatch.sort_values("load", ascending=False).head(10)

# %%
fig, axes = plt.subplots(1, 2, figsize=(13, 4.6))
for area, g in mismatch.groupby("area_type", observed=True):
    axes[0].scatter(g["officers_needed"], g["officers"], s=30, label=jw.viz.label_for(area, LANG))
top = float(max(mismatch["officers_needed"].max(), mismatch["officers"].max())) * 1.05
axes[0].plot([0, top], [0, top], ls="--", color="0.4", lw=1)
axes[0].set(xlim=(0, top), ylim=(0, top), xlabel="officers needed (workload method)",
            ylabel="officers today", title=jw.report.text("需求与现有民警（虚线：负荷 = 1）", "Need against today's officers (dashed: load = 1)"))
axes[0].legend(fontsize="small")
order = mismatch["load"].sort_values(ascending=False)
axes[1].bar(range(len(order)), order.to_numpy(), color=np.where(order.to_numpy() > 1, "C3", "C0"))
axes[1].axhline(1, color="0.3", ls=":")
axes[1].set(xticks=range(len(order)), xlabel="", ylabel="need / officers",
            title=jw.report.text("现有人均负荷（按派出所排序）", "Load per officer today, stations ranked"))
axes[1].set_xticklabels(order.index, rotation=90, fontsize=6)
fig.tight_layout()
jw.report.save_fig(fig, "need_vs_have", prefix="04")

# %% [markdown]
# The total is sensitive to two parameters, linearly: the need doubles with two officers per
# call, and halves if half rather than a third of an officer's time may go to calls. The
# *distribution* of the need across stations — what reallocation acts on — does not change.

# %%
sensitivity = al.need_sensitivity(workload, PARAMS, days=H,
                                  grid={"officers_per_call": [1.0, 1.5, 2.0], "committed_share": [1 / 4, 1 / 3, 1 / 2]})
sensitivity["vs_today"] = sensitivity["officers_needed"] / officers.sum()
jw.report.save_table(sensitivity, "need_sensitivity", prefix="04",
                     float_format={"officers_per_call": "{:.1f}", "committed_share": "{:.2f}", "officers_needed": "{:,.0f}",
                                   "vs_today": "{:.2f}"},
                     caption="Total workload-based need under other staffing parameters")
two_per_call = sensitivity[(sensitivity["officers_per_call"] == 2.0)
                           & np.isclose(sensitivity["committed_share"], 1 / 3)]["officers_needed"].iloc[0]
jw.report.record_value("04.officers_needed_two_per_call", two_per_call, unit="officers",
                       description="Total need with two officers per call (other parameters at their defaults)")
sensitivity.pivot(index="officers_per_call", columns="committed_share", values="officers_needed").round(0)

# %% [markdown]
# ## 4. Improvement without growth（无增长改善）
#
# Today's station total, reallocated to minimise the largest load per officer (then the next
# largest, and so on), every station keeping at least 5 officers; solved exactly by marginal
# allocation (Chaiken & Dormont 1978; Fox 1966). Two variants: with the community-officer norm
# as a further floor (one per 5,000 residents), and the *fewest moves* that bring every station
# to a load of at most 1 — the smallest change that removes every overload. The full
# reallocation is the benchmark of what today's total can do; since M city has more officers
# than the workload method asks for, it moves many of them, and the fewest moves are the
# realistic first step.

# %%
minimum = al.station_minimums(city.stations, PARAMS, community=False)
minimum_community = al.station_minimums(city.stations, PARAMS)
plans = {
    "today": officers,
    "reallocated": al.reallocate_need(need, current=officers, minimum=minimum),
    "reallocated_community_norm": al.reallocate_need(need, current=officers, minimum=minimum_community),
    "fewest_moves": al.minimal_transfers(need, officers, minimum=minimum),
}
equity = pd.DataFrame({name: al.equity_metrics(need, alloc) for name, alloc in plans.items()}).T
equity["officers_moved"] = [int((alloc - officers).clip(lower=0).sum()) for alloc in plans.values()]
equity.index.name = "plan"
jw.report.save_table(equity, "equity", prefix="04",
                     float_format={"max_load": "{:.2f}", "gini_load": "{:.3f}", "share_over_capacity": "{:.1%}",
                                   "coverage": "{:.1%}", "officers_moved": "{:.0f}"},
                     caption="Fit between workload and officers: today and after reallocation at today's total")
before, after = equity.loc["today"], equity.loc["reallocated"]
for key, row in (("before", before), ("after", after)):
    jw.report.record_value(f"04.max_load_{key}", row["max_load"], unit="need/officer",
                           description=f"Largest load per officer, {key} reallocation")
    jw.report.record_value(f"04.gini_{key}", row["gini_load"], unit="Gini",
                           description=f"Gini of load per officer across stations, {key} reallocation")
    jw.report.record_value(f"04.share_over_capacity_{key}", row["share_over_capacity"], unit="share",
                           description=f"Share of stations over capacity, {key} reallocation")
jw.report.record_value("04.max_load_reduction", 1 - after["max_load"] / before["max_load"], unit="share",
                       description="Reduction of the largest load per officer by reallocation at today's total")
jw.report.record_value("04.gini_reduction", 1 - after["gini_load"] / before["gini_load"], unit="share",
                       description="Reduction of the Gini of load per officer by reallocation")
jw.report.record_value("04.officers_moved", int(after["officers_moved"]), unit="officers",
                       description="Officers changing station in the full reallocation")
jw.report.record_value("04.officers_moved_fewest", int(equity.loc["fewest_moves", "officers_moved"]),
                       unit="officers", description="Fewest moves that bring every station to load <= 1")
jw.report.record_value("04.gini_fewest_moves", equity.loc["fewest_moves", "gini_load"], unit="Gini",
                       description="Gini of load per officer after the fewest moves")
jw.report.record_value("04.max_load_community_norm", equity.loc["reallocated_community_norm", "max_load"],
                       unit="need/officer", description="Largest load after reallocation with the community-officer norm")
jw.report.record_value("04.gini_community_norm", equity.loc["reallocated_community_norm", "gini_load"],
                       unit="Gini", description="Gini after reallocation with the community-officer norm")
jw.report.record_value("04.community_norm_officers", int(minimum_community.sum()), unit="officers",
                       description="Officers the station floors need under the community-officer norm")
equity

# %%
change = al.before_after(need, officers, plans["reallocated"])
change["officers_fewest_moves"] = plans["fewest_moves"]
change["officers_community_norm"] = plans["reallocated_community_norm"]
change = stations[["district", "area_type"]].join(change)
jw.report.save_table(change.reset_index(), "reallocation", prefix="04",
                     float_format={"need": "{:.1f}", "officers_before": "{:.0f}", "officers_after": "{:.0f}",
                                   "change": "{:+.0f}", "load_before": "{:.2f}", "load_after": "{:.2f}"},
                     caption="Officers per station before and after reallocation at today's total "
                             "(minimum 5; variants: fewest moves, community-officer norm)")
change.sort_values("change").iloc[[0, 1, 2, -3, -2, -1]]

# %%
ranked = change.sort_values("load_before", ascending=False)
pos = np.arange(len(ranked))
fig, ax = plt.subplots(figsize=(13, 4.2))
ax.plot(pos, ranked["load_before"], "o", color="C3", label="today")
ax.plot(pos, ranked["need"] / ranked["officers_fewest_moves"], "^", color="C1", ms=5,
        label=f"fewest moves ({int(equity.loc['fewest_moves', 'officers_moved'])} officers)")
ax.plot(pos, ranked["load_after"], "s", color="C0", ms=5,
        label=f"reallocated ({int(after['officers_moved'])} officers move)")
ax.axhline(1, color="0.3", ls=":")
ax.set(xticks=pos, ylabel="need / officers", title=jw.report.text("人均负荷：现状与总量不变的重新配置后", "Load per officer: today and after reallocation at today's total"))
ax.set_xticklabels(ranked.index, rotation=90, fontsize=6)
ax.legend()
fig.tight_layout()
jw.report.save_fig(fig, "reallocation", prefix="04")

# %% [markdown]
# ## 5. Moving officers from headquarters to stations（警力下沉）
#
# k officers join the stations, either on top of today's allocation (no station loses anyone;
# each goes where the load is highest) or together with the reallocation of section 4. Without
# reallocation, the officers that end every overload are exactly as many as the fewest moves of
# section 4: each missing officer has to come from somewhere. After that each further officer
# helps less (the largest load falls like need ÷ officers at the busiest station).

# %%
sink = pd.concat([
    al.sink_scenarios(need, officers, SINK_K, minimum=officers).assign(scenario="added to today's allocation"),
    al.sink_scenarios(need, officers, SINK_K, minimum=minimum).assign(scenario="added and reallocated"),
], ignore_index=True)
SCENARIO = {"added to today's allocation": jw.report.text("在现有配置上增加", "added to today's allocation"),
            "added and reallocated": jw.report.text("增加并重新配置", "added and reallocated")}
jw.report.save_table(sink, "sink_scenarios", prefix="04",
                     float_format={"max_load": "{:.3f}", "gini_load": "{:.3f}", "share_over_capacity": "{:.1%}",
                                   "coverage": "{:.1%}", "marginal_gain": "{:.3f}"},
                     caption="Officers moved from headquarters to stations: largest load and equity by k")
fig, axes = plt.subplots(1, 2, figsize=(12, 4))
for name, g in sink.groupby("scenario", sort=False):
    axes[0].plot(g["k"], g["max_load"], marker=".", label=name)
    axes[1].plot(g["k"], g["gini_load"], marker=".", label=name)
axes[0].axhline(1, color="0.3", ls=":")
axes[0].set(xlabel="officers moved down from headquarters (k)", ylabel="largest need / officers",
            title=jw.report.text("服务增益曲线：最大人均负荷", "Service gain curve: largest load per officer"))
axes[1].set(xlabel="officers moved down from headquarters (k)", ylabel="Gini of load per officer",
            title=jw.report.text("各派出所负荷的均衡性", "Equity of load across stations"))
axes[0].legend()
fig.tight_layout()
jw.report.save_fig(fig, "sink_curve", prefix="04")
on_top = sink[sink["scenario"] == "added to today's allocation"].set_index("k")
k_to_capacity = int((np.ceil(need - 1e-9) - officers).clip(lower=0).sum())
jw.report.record_value("04.sink_k_to_capacity", k_to_capacity, unit="officers",
                       description="Headquarters officers that remove every overload without moving station officers")
jw.report.record_value("04.sink_gain_first20", on_top.loc[0, "max_load"] - on_top.loc[20, "max_load"],
                       unit="need/officer", description="Fall of the largest load from the first 20 officers moved down")
jw.report.record_value("04.sink_gain_last20", on_top.loc[180, "max_load"] - on_top.loc[200, "max_load"],
                       unit="need/officer", description="Fall of the largest load from officers 181-200")
jw.report.record_value("04.sink_max_load_200", on_top.loc[200, "max_load"], unit="need/officer",
                       description="Largest load with 200 officers added to today's allocation")
(sink.groupby("scenario", sort=False).head(6)[["scenario", "k", "max_load", "gini_load", "marginal_gain"]]
 .assign(scenario=lambda d: d["scenario"].map(SCENARIO)).rename(columns={"k": "officers_added"}))

# %% [markdown]
# ## 6. Officers on duty per shift（分时段警力）
#
# A station's annual need says nothing about *when* officers are needed. Per hour of the week,
# calls arrive at the station's forecast weekly rate (the 80th-percentile plan of the coming four weeks)
# times its hour-of-week share, and each takes the station's mean handling time. The number of
# units on duty is the smallest for which at most 20% of calls wait for a free unit (Erlang C):
# the 110 response targets (about 5 minutes in the city, 10 in the suburbs) include the drive,
# so the dispatch queue itself should rarely hold a call. Each eight-hour shift is staffed for
# its busiest hour, and every station keeps at least one unit on duty around the clock
# (24小时值班). The square-root rule (Kolesar & Green 1998) is the back-of-envelope version.
# Shown for the busiest and the quietest station; the roster's officers are its officer-hours
# per week × 52 ÷ the 1,662 hours an officer is available in a year. The hour-of-week shape
# comes from the last year of incident records: the export's own for your city, simulated
# from the daily demand for M city.

# %%
examples = [need.idxmax(), need.idxmin()]
END = city.demand["date"].max()
incidents = jw.studies.incident_records(city, examples, f"{END - pd.DateOffset(years=1) + pd.Timedelta(days=1):%Y-%m-%d}",
                                        f"{END:%Y-%m-%d}")
profile = jw.forecast.hour_of_week_profile(incidents, by="station_id")
hourly = pd.concat([
    al.shift_staffing(profile[profile["station_id"] == s], plan.loc[s, "q_total"] / H * 7,
                      handling_minutes=need_table.loc[s, "handling_minutes"], max_wait_prob=WAIT_PROB,
                      officers_per_call=PARAMS.officers_per_call, min_units=1).assign(station_id=s)
    for s in examples], ignore_index=True)
shifts = pd.concat([al.shift_summary(hourly[hourly["station_id"] == s], shift_starts=SHIFTS).assign(station_id=s)
                    for s in examples], ignore_index=True)
shift_table = shifts.pivot_table(index=["station_id", "shift"], columns="dow", values="officers").astype(int)
shift_table.columns = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
jw.report.save_table(shift_table, "shift_staffing", prefix="04", index=True, float_format="{:.0f}",
                     caption=f"Officers on duty per shift (Erlang C, at most {WAIT_PROB:.0%} of calls wait), "
                             "busiest and quietest station")
roster = (shifts.groupby("station_id")["officer_hours"].sum() * 52 / PARAMS.available_hours).rename("roster_officers")
differs = hourly["sqrt_units"] != hourly["erlang_c_units"]
jw.report.record_value("04.sqrt_rule_differs_share", differs.mean(), unit="share",
                       description="Share of station-hours where the square-root rule differs from exact Erlang C")
jw.report.record_value("04.sqrt_rule_max_difference", int((hourly["sqrt_units"] - hourly["erlang_c_units"]).abs().max()),
                       unit="units", description="Largest difference between square-root and Erlang C staffing")
jw.report.record_value("04.roster_officers_busiest", roster[examples[0]], unit="officers",
                       description="Officers (full-time equivalents) to staff the busiest station's response roster")
jw.report.record_value("04.roster_officers_quietest", roster[examples[1]], unit="officers",
                       description="Officers (full-time equivalents) to staff the quietest station's response roster")
jw.report.record_value("04.need_quietest", need[examples[1]], unit="officers",
                       description="Workload-based need of the quietest station")
print(f"square-root rule vs Erlang C: differ in {differs.mean():.0%} of hours (square-root lower by "
      f"{(hourly['erlang_c_units'] - hourly['sqrt_units']).max()} at most); response roster: "
      + "; ".join(f"{s} {roster[s]:.1f} officers (needs {need[s]:.1f}, has {officers[s]})" for s in examples))
shift_table

# %%
fig, axes = plt.subplots(2, 1, figsize=(13, 5.5), sharex=True)
for ax, s in zip(axes, examples):
    h = hourly[hourly["station_id"] == s]
    ax.step(range(168), h["erlang_c_units"], where="post", label="Erlang C")
    ax.step(range(168), h["sqrt_units"], where="post", ls="--", label="square-root rule")
    ax.bar(range(168), h["arrival_rate"], width=1, align="edge", color="0.85", label="calls per hour")
    ax.set(ylabel="units on duty", ylim=(0, h["erlang_c_units"].max() * 1.4),
           title=f"{s}: units needed by hour of the week")
    ax.legend(loc="upper left", fontsize="small", ncol=3)
axes[-1].set(xticks=range(0, 168, 24), xlabel="hour of the week (Monday 00:00 = 0)")
axes[-1].set_xticklabels(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])
fig.tight_layout()
jw.report.save_fig(fig, "shift_staffing", prefix="04")

# %% [markdown]
# ## 7. By workload type, and within the station（按工作量类型与两队一室）
#
# The clusters of notebook 02 group stations by the shape of their workload. The table shows,
# per type, the need, today's officers and the reallocated officers, with the load per officer
# (total need ÷ total officers, and the worst station).

# %%
clusters = jw.cluster.station_clusters(city.demand, city.stations, city.panel, k_range=range(2, 8), n_ref=10,
                                       saved=jw.paths.tables_dir() / jw.cluster.CLUSTER_TABLE, lang=LANG)
typed = change.join(clusters.set_index("station_id"))
by_type = typed.groupby(["cluster", "cluster_name"]).agg(
    stations=("need", "size"), need=("need", "sum"), officers_before=("officers_before", "sum"),
    officers_after=("officers_after", "sum"), worst_load_before=("load_before", "max"),
    worst_load_after=("load_after", "max"))
by_type["load_before"] = by_type["need"] / by_type["officers_before"]
by_type["load_after"] = by_type["need"] / by_type["officers_after"]
by_type["change"] = by_type["officers_after"] - by_type["officers_before"]
jw.report.save_table(by_type, "by_workload_type", prefix="04", index=True,
                     float_format={"need": "{:.1f}", "officers_before": "{:.0f}", "officers_after": "{:.0f}",
                                   "change": "{:+.0f}", "stations": "{:.0f}"},
                     caption="Need, officers and load per officer by workload type (clusters of notebook 02)")
gainer, loser = by_type["change"].idxmax(), by_type["change"].idxmin()
jw.report.record_value("04.cluster_source", clusters.attrs["source"],
                       description="Clusters used: 'saved' (notebook 02's table) or 'computed' here")
jw.report.record_value("04.type_most_gained", gainer[1], description="Workload type gaining most officers")
jw.report.record_value("04.type_most_gained_officers", by_type.loc[gainer, "change"], unit="officers",
                       description="Officers gained by that type in the reallocation")
jw.report.record_value("04.type_most_lost", loser[1], description="Workload type giving up most officers")
jw.report.record_value("04.type_most_lost_officers", -by_type.loc[loser, "change"], unit="officers",
                       description="Officers given up by that type in the reallocation")
jw.report.record_value("04.type_load_ratio_before", by_type["load_before"].max() / by_type["load_before"].min(),
                       unit="ratio", description="Busiest vs least busy workload type: load per officer today")
jw.report.record_value("04.type_load_ratio_after", by_type["load_after"].max() / by_type["load_after"].min(),
                       unit="ratio", description="Same ratio after reallocation")
by_type

# %%
fig, ax = plt.subplots(figsize=(10, 4))
x = np.arange(len(by_type))
ax.bar(x - 0.2, by_type["load_before"], width=0.4, label="today", color="C3")
ax.bar(x + 0.2, by_type["load_after"], width=0.4, label="reallocated", color="C0")
ax.set(xticks=x, ylabel="need / officers", title=jw.report.text("按工作量类型的人均负荷", "Load per officer by workload type"))
ax.set_xticklabels([n.replace(" / ", "\n") for n in by_type.index.get_level_values("cluster_name")],
                   rotation=15, ha="right", fontsize="small")
ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1))  # outside the bars
fig.tight_layout()
jw.report.save_fig(fig, "by_workload_type", prefix="04")

# %% [markdown]
# Within each station the reallocated officers split into the community policing team
# (社区警务队: disputes, assistance, traffic and other calls, and community work; at least 40% of the
# station), the case-handling team (案件办理队: criminal, fraud and public-order work) and the
# command room (综合指挥室: 10%, at least 2), in proportion to the hours each kind of work takes.

# %%
teams = al.team_split(al.category_hours(workload, PARAMS), plans["reallocated"]).join(clusters.set_index("station_id"))
jw.report.save_table(teams.reset_index(), "team_split", prefix="04",
                     caption="Reallocated officers split into the community team, the case team and the command room")
teams_by_type = teams.groupby(["cluster", "cluster_name"])[["officers", "community", "case", "command"]].sum()
teams_by_type[["community_share", "case_share"]] = (teams_by_type[["community", "case"]].to_numpy()
                                                    / teams_by_type[["officers"]].to_numpy())
jw.report.save_table(teams_by_type, "team_split_by_type", prefix="04", index=True,
                     float_format={"community_share": "{:.0%}", "case_share": "{:.0%}", "officers": "{:.0f}"},
                     caption="Two teams and one room (两队一室) by workload type, after reallocation")
jw.report.record_value("04.community_share_city", teams["community"].sum() / teams["officers"].sum(), unit="share",
                       description="Share of station officers in community teams after reallocation")
jw.report.record_value("04.case_share_range",
                       [teams_by_type["case_share"].min(), teams_by_type["case_share"].max()], unit="share",
                       description="Lowest and highest case-team share across workload types")
teams_by_type

# %% [markdown]
# ## Key findings（要点）

# %%
v = jw.report.load_values()
zh_name, en_name = (lambda n: n.split(" / ")[0]), (lambda n: n.split(" / ")[-1])  # a bilingual run's names
jw.report.findings([
    (f"计划：每个派出所四周总量的 {QUANTILE} 分位数是逐日 {QUANTILE} 之和的 {v['04.plan_total_vs_summed']:.0%}"
     f"（逐日误差相关仅 ρ = {v['04.error_correlation']:.2f}），比均值高 {v['04.plan_uplift_over_mean']:.0%}；"
     f"预测的这几周为全年平均水平的 {v['04.seasonal_index_city']:.0%}。",
     f"Plan: the {QUANTILE} of each station's four-week total is {v['04.plan_total_vs_summed']:.0%} of the summed "
     f"daily {QUANTILE}s (daily errors correlate only at ρ = {v['04.error_correlation']:.2f}) and "
     f"{v['04.plan_uplift_over_mean']:.0%} above the mean; the forecast weeks run at "
     f"{v['04.seasonal_index_city']:.0%} of a year-round rate."),
    (f"需求：按工作量法需要 {v['04.officers_needed_total']:,.0f} 名民警，现有 {v['04.officers_total']:,} 名，但有 "
     f"{v['04.stations_over_capacity']} 个派出所超负荷；若每起警情出警两人，需求为 {v['04.officers_needed_two_per_call']:,.0f} 名。",
     f"Need: {v['04.officers_needed_total']:,.0f} officers by the workload method against "
     f"{v['04.officers_total']:,} in the stations, but {v['04.stations_over_capacity']} stations are over "
     f"capacity; with two officers per call the need would be {v['04.officers_needed_two_per_call']:,.0f}."),
    (f"无增长改善：在现有 {v['04.officers_total']:,} 名民警内重新配置（每所至少 5 人），最大人均负荷从 "
     f"{v['04.max_load_before']:.2f} 降到 {v['04.max_load_after']:.2f}（降低 {v['04.max_load_reduction']:.0%}），"
     f"负荷基尼系数从 {v['04.gini_before']:.3f} 降到 {v['04.gini_after']:.3f}（降低 {v['04.gini_reduction']:.0%}），"
     f"需调动 {v['04.officers_moved']} 人；社区民警配置标准的代价很小（最大负荷 {v['04.max_load_community_norm']:.2f}，"
     f"基尼 {v['04.gini_community_norm']:.3f}）。",
     f"Improvement without growth: reallocating today's {v['04.officers_total']:,} officers (at least 5 per "
     f"station) cuts the largest load per officer from {v['04.max_load_before']:.2f} to "
     f"{v['04.max_load_after']:.2f} ({v['04.max_load_reduction']:.0%} lower) and the Gini of load from "
     f"{v['04.gini_before']:.3f} to {v['04.gini_after']:.3f} ({v['04.gini_reduction']:.0%} lower), "
     f"moving {v['04.officers_moved']} officers; the community-officer norm costs little "
     f"(largest load {v['04.max_load_community_norm']:.2f}, Gini {v['04.gini_community_norm']:.3f})."),
    (f"消除所有超负荷的最少调动：{v['04.officers_moved_fewest']} 人（此时基尼 {v['04.gini_fewest_moves']:.3f}）；"
     "全面重新配置是基准，这些调动是第一步。",
     f"The fewest moves that end every overload: {v['04.officers_moved_fewest']} officers "
     f"(Gini then {v['04.gini_fewest_moves']:.3f}); the full reallocation is the benchmark, these moves the first step."),
    (f"警力下沉：在现有配置上再从机关下沉 {v['04.sink_k_to_capacity']} 人可消除全部超负荷；前 20 人使最大负荷降低 "
     f"{v['04.sink_gain_first20']:.2f}，第 181–200 人只降低 {v['04.sink_gain_last20']:.3f}（收益递减）；"
     f"重新配置比增加 200 人更有效（{v['04.max_load_after']:.2f} 对 {v['04.sink_max_load_200']:.2f}）。",
     f"Headquarters to stations: {v['04.sink_k_to_capacity']} officers on top of today's allocation end every "
     f"overload; the first 20 lower the largest load by {v['04.sink_gain_first20']:.2f}, officers 181–200 by only "
     f"{v['04.sink_gain_last20']:.3f} (diminishing returns); reallocation does more than 200 extra officers "
     f"({v['04.max_load_after']:.2f} vs {v['04.sink_max_load_200']:.2f})."),
    (f"分时段：平方根法则与精确 Erlang C 最多相差 {v['04.sqrt_rule_max_difference']} 个单位（{v['04.sqrt_rule_differs_share']:.0%} "
     f"的时段不同）；最忙派出所的出警排班需要 {v['04.roster_officers_busiest']:.0f} 人，最闲的需要 "
     f"{v['04.roster_officers_quietest']:.0f} 人，多于其工作量需求 {v['04.need_quietest']:.1f} 人：决定清闲所下限的是全天候值守，而非工作量。",
     f"Shifts: the square-root rule matches exact Erlang C within {v['04.sqrt_rule_max_difference']} unit "
     f"(differs in {v['04.sqrt_rule_differs_share']:.0%} of hours); the busiest station's response roster takes "
     f"{v['04.roster_officers_busiest']:.0f} officers, the quietest's {v['04.roster_officers_quietest']:.0f} — "
     f"more than its workload need of {v['04.need_quietest']:.1f}: round-the-clock cover, not workload, sets "
     "the floor of quiet stations."),
    (f"按工作量类型：'{zh_name(v['04.type_most_gained'])}' 增加 {v['04.type_most_gained_officers']:.0f} 人，"
     f"'{zh_name(v['04.type_most_lost'])}' 减少 {v['04.type_most_lost_officers']:.0f} 人；最忙类型的负荷现为最闲类型的 "
     f"{v['04.type_load_ratio_before']:.1f} 倍，重新配置后为 {v['04.type_load_ratio_after']:.2f} 倍。",
     f"By workload type: '{en_name(v['04.type_most_gained'])}' gains {v['04.type_most_gained_officers']:.0f} officers, "
     f"'{en_name(v['04.type_most_lost'])}' gives up {v['04.type_most_lost_officers']:.0f}; the busiest type's load is "
     f"{v['04.type_load_ratio_before']:.1f}× the quietest's today and {v['04.type_load_ratio_after']:.2f}× after."),
])

# %% [markdown]
# ## References
#
# - Wilson, J. M. & Weiss, A. (2012). *A Performance-Based Approach to Police Staffing and Allocation*.
#   U.S. Department of Justice, COPS Office (workload-based staffing).
# - Kolesar, P. & Green, L. V. (1998). Insights on service system design from a normal approximation to
#   Erlang's delay formula. *Production and Operations Management* 7(3), 282–293 (square-root staffing).
# - Halfin, S. & Whitt, W. (1981). Heavy-traffic limits for queues with many exponential servers.
#   *Operations Research* 29(3), 567–588.
# - Chaiken, J. M. & Dormont, P. (1978). A patrol car allocation model: capabilities and algorithms.
#   *Management Science* 24(12), 1291–1300 (PCAM, marginal allocation).
# - Fox, B. (1966). Discrete optimization via marginal analysis. *Management Science* 13(3), 210–216.
# - Dyer, M. E. & Proll, L. G. (1977). On the validity of marginal analysis for allocating servers in
#   M/M/c queues. *Management Science* 23(9), 1019–1022.
# - 公安部 (2019). 关于加强新时代公安派出所工作的意见 (station minimums, community officers per resident,
#   两队一室).
