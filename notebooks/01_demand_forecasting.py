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
# # 01 · Demand forecasting: models, honest intervals and a coherent hierarchy（警情预测）
#
# **Purpose.** Forecast daily incident demand (警情) per police station four weeks ahead,
# choose the model by a rolling-origin backtest against the seasonal-naive benchmark,
# calibrate the prediction intervals, make station → district → city forecasts add up,
# and hand the forecast quantiles and the within-week shape to staffing (notebook 04).
#
# **Inputs.** `CITY = None`: `data/m_city/` (simulated M city: daily station × category counts
# 2018–2024) and incident records simulated from its demand (for the hour-of-week profile).
# `CITY = "folder"`: the exports named in the folder's `jingwu.toml`, with the export's own
# incident records. The same design on Chicago's districts is in notebook 05.
#
# **Outputs.** `reports/figures/01_*.png`; `reports/tables/01_backtest_*.{csv,md,tex}`,
# `01_station_forecast_quantiles.csv` (read by the staffing notebook),
# `01_hour_of_week_profile.csv`; values prefixed `01.` in `reports/values.json`.

# %% tags=["parameters"]
QUICK = False  # quick mode: 8 stations, 2 windows, fast models, two years of training
LANGUAGE = "both"  # "zh", "en" or "both": figure titles and labels, table headers, headings
CITY = None  # None: the bundled M city; or a city project folder with jingwu.toml (see `jingwu init`)

# %%
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import jingwu as jw

LANG = jw.viz.set_theme(LANGUAGE)
pd.set_option("display.width", 140)
H = 28                                   # forecast horizon: four weeks
N_WINDOWS = 2 if QUICK else 4            # rolling origins, 28 days apart
MODELS = jw.forecast.FAST_MODELS if QUICK else jw.forecast.DEFAULT_MODELS
# Train on the last three years (MSTL needs two for yearly); quick mode has no MSTL and trains on two.
INPUT_SIZE = 2 * 365 if QUICK else 3 * 365
GBM = {"max_rows": 20_000, "max_iter": 50} if QUICK else None  # smaller boosting model in quick mode
N_JOBS = 1 if QUICK else 2  # statsforecast processes (a process pool does not pay off on small runs)
t_start = time.perf_counter()

# %% [markdown]
# ## 1. The shape of demand（需求的形态）
#
# Station demand is the sum of all categories per station and day. Three regularities
# drive any forecast: the week (weekends differ), the year (summer peak, Golden Week)
# and the Spring Festival (春节), which moves between 21 January and 20 February — so a
# same-day-last-year lag misses it, and holiday features from `jw.calendar` are needed.

# %%
city = jw.studies.load_city(CITY)
CITY_EN = "M city" if CITY is None else city.name
station_ids = sorted(city.stations["station_id"])
if QUICK:
    station_ids = station_ids[::6][:8]
stations = city.stations[city.stations["station_id"].isin(station_ids)]
daily = (city.demand[city.demand["station_id"].isin(station_ids)]
         .groupby(["station_id", "date"], as_index=False)["count"].sum())
city_daily = daily.groupby("date", as_index=False)["count"].sum()
cal = jw.calendar.holiday_features(city_daily["date"])
shape = city_daily.assign(dow=cal["dow"].to_numpy(), month=city_daily["date"].dt.month,
                          sf_offset=cal["sf_offset"].to_numpy(),
                          ratio=city_daily["count"] / city_daily["count"].rolling(91, center=True, min_periods=30).mean())
fig, axes = plt.subplots(1, 3, figsize=(13, 3.6))
shape.groupby("dow")["ratio"].mean().plot.bar(ax=axes[0], color="C0")
axes[0].set_xticks(range(7), [jw.report.text(zh, en) for zh, en in
                              zip("一二三四五六日", ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])], rotation=0)
axes[0].set(title=jw.report.text("周：星期几", "Weekly: day of week"), xlabel="",
            ylabel=jw.report.text("警情 / 91天均值", "demand / 91-day mean"))
shape.groupby("month")["count"].mean().plot(ax=axes[1], marker="o")
axes[1].set(title=jw.report.text("年：各月日均警情", "Yearly: mean daily incidents by month"),
            xlabel=jw.report.text("月份", "month"), ylabel=jw.report.text("日均警情", "incidents per day"))
shape[shape["sf_offset"].abs() < 30].groupby("sf_offset")["ratio"].mean().plot(ax=axes[2])
axes[2].axvline(0, color="0.5", ls=":")
axes[2].set(title=jw.report.text("春节：距正月初一天数", "Spring Festival: days from 正月初一"),
            xlabel=jw.report.text("天", "days"), ylabel=jw.report.text("警情 / 91天均值", "demand / 91-day mean"))
fig.tight_layout()
jw.report.save_fig(fig, "demand_shape", prefix="01")
sf_dip = shape[shape["sf_offset"].between(0, 6)]["ratio"].mean()
weekend = shape[shape["dow"] >= 5]["ratio"].mean() / shape[shape["dow"] < 5]["ratio"].mean()
jw.report.record_value("01.sf_week_ratio", sf_dip, unit="ratio",
                       description="City demand in the Spring Festival week relative to its 91-day mean")
_ = jw.report.record_value("01.weekend_weekday_ratio", weekend, unit="ratio",
                           description="Mean weekend vs weekday demand (relative to the 91-day mean)")

# %% [markdown]
# ## 2. The hierarchy and the backtest（滚动回测）
#
# We forecast every node of station → district (分局) → city at once, so the same backtest
# gives the error covariance that reconciliation needs. Each window trains on the three
# years before its cutoff and forecasts 28 days; cutoffs are 28 days apart and the last
# window ends on the last date. Every error is scaled by the in-sample seasonal-naive error
# (MASE; Hyndman & Koehler 2006), and intervals are conformal, calibrated on the *other*
# windows, so the coverage below is out of sample.

# %%
S = jw.forecast.summing_matrix(stations, ["district"], "station_id", total="city")
nodes = jw.forecast.aggregate_hierarchy(daily, S, id_col="station_id", time_col="date", target_col="count")
t0 = time.perf_counter()
bt = jw.forecast.backtest(nodes, h=H, n_windows=N_WINDOWS, models=MODELS, level=(80, 95),
                          id_col="station_id", time_col="date", target_col="count",
                          input_size=INPUT_SIZE, n_jobs=N_JOBS, seed=0, gbm_params=GBM)
backtest_seconds = time.perf_counter() - t0
print(bt, f"in {backtest_seconds:.0f} s")

# %%
per_series = bt.metrics(["model", "unique_id"])
station_table = (per_series[per_series["unique_id"].isin(station_ids)]
                 .groupby("model").mean(numeric_only=True))
station_table.insert(1, "mase_vs_snaive", station_table["mase"] / station_table.loc["snaive", "mase"])
station_table = station_table.sort_values("mase")
jw.report.save_table(station_table.reset_index(), "backtest_stations", prefix="01",
                     caption=f"{CITY_EN} stations: backtest accuracy, h={H}, {N_WINDOWS} windows "
                             "(MASE/RMSSE scaled by the seasonal-naive in-sample error; coverage of conformal intervals)")
jw.report.labelled(station_table[["mase", "mase_vs_snaive", "rmsse", "smape", "bias", "coverage_80", "coverage_95",
                                  "winkler_95"]])

# %%
level_of = {u: ("city" if u == "city" else "district" if u in set(stations["district"]) else "station")
            for u in S.index}
by_level = (per_series.assign(level=per_series["unique_id"].map(level_of))
            .groupby(["level", "model"])[["mase", "coverage_80", "coverage_95"]].mean().unstack("level"))
jw.report.save_table(by_level.reset_index(), "backtest_by_level", prefix="01",
                     caption="Backtest MASE and coverage by hierarchy level")
by_level

# %%
bt_st = jw.forecast.BacktestResult(
    forecasts=bt.forecasts[bt.forecasts["unique_id"].isin(station_ids)], scales=bt.scales,
    cutoffs=bt.cutoffs, h=bt.h, levels=bt.levels, info=bt.info, models=bt.models)
fig, axes = plt.subplots(1, 2, figsize=(13, 4))
bt_st.plot("mase", ax=axes[0], title=jw.report.text("派出所：各预测步长的 MASE", "Stations: MASE by horizon"))
bt_st.plot("coverage_95", ax=axes[1], title=jw.report.text("派出所：95% 区间覆盖率", "Stations: 95% interval coverage by horizon"))
axes[1].axhline(0.95, color="0.4", ls=":")
fig.tight_layout()
jw.report.save_fig(fig, "backtest", prefix="01")

# %% [markdown]
# ## 3. The chosen model（模型选择）
#
# The default rule is "the backtest winner on station MASE". The default candidates
# (`jw.forecast.DEFAULT_MODELS`) are the seasonal-naive benchmark and one global LightGBM
# model with calendar, Chinese-holiday and lag features (global boosting won M5): in the
# package's benchmarks it is within 1% of the best model of the full zoo on M city and on
# Chicago's districts, at a small fraction of the time. The full zoo (ETS, Theta, MSTL, the
# scikit-learn booster and their ensemble) stays available as `jw.forecast.ZOO_MODELS`;
# the table above is what decides.

# %%
chosen = str(station_table.index[0])
best_single = station_table.drop(index=["ensemble", "snaive"], errors="ignore")["mase"].idxmin()
for m, row in station_table.iterrows():
    jw.report.record_value(f"01.mase_{m}", row["mase"], description=f"Station MASE of {m} (h={H})")
jw.report.record_value("01.chosen_model", chosen, description="Model chosen by the station backtest")
jw.report.record_value("01.best_single_model", str(best_single), description="Best single (non-ensemble) model")
jw.report.record_value("01.mase_reduction_vs_snaive", 1 - station_table.loc[chosen, "mase_vs_snaive"],
                       unit="share", description="MASE reduction of the chosen model vs seasonal naive")
jw.report.record_value("01.coverage_80", station_table.loc[chosen, "coverage_80"], unit="share",
                       description="Backtest coverage of the chosen model's 80% intervals (stations)")
jw.report.record_value("01.coverage_95", station_table.loc[chosen, "coverage_95"], unit="share",
                       description="Backtest coverage of the chosen model's 95% intervals (stations)")
jw.report.record_value("01.n_windows", N_WINDOWS, description="Backtest windows")
print(f"chosen: {chosen}; MASE {station_table.loc[chosen, 'mase']:.3f} = "
      f"{station_table.loc[chosen, 'mase_vs_snaive']:.0%} of seasonal naive; best single model: {best_single}")

# %% [markdown]
# ## 4. Forecasts with intervals（预测与区间）
#
# The chosen model is refitted on all data; its intervals use the quantiles of its scaled
# backtest errors. We ask for 60/80/90/95% central intervals so the staffing notebook can
# read the 80th and 95th percentiles (upper ends of the 60% and 90% intervals).

# %%
fc = jw.forecast.forecast(nodes, h=H, level=(60, 80, 90, 95), model=chosen, calibration=bt,
                          id_col="station_id", time_col="date", target_col="count",
                          input_size=INPUT_SIZE, n_jobs=N_JOBS, seed=0, gbm_params=GBM)
fig = jw.forecast.plot_forecast(nodes, fc, id_col="station_id", time_col="date", target_col="count",
                                ids=["city", station_ids[0], station_ids[1], station_ids[-1]], last=120,
                                level=None)
jw.report.save_fig(fig, "forecasts", prefix="01")

# %% [markdown]
# ## 5. A coherent hierarchy（层级一致）
#
# Station, district and city forecasts made separately do not add up. MinT with a shrunk
# error covariance (Wickramasuriya et al. 2019) uses the backtest errors of every node to
# find the coherent forecasts with the smallest error variance; bottom-up simply sums the
# stations. We check both add up and compare their backtest-free effect on the city total.

# %%
resid = bt.forecasts[bt.forecasts["model"] == chosen].assign(
    resid=lambda f: f["y"] - f["yhat"])[["unique_id", "cutoff", "ds", "resid"]]
fc_u = fc.rename(columns={"station_id": "unique_id", "date": "ds"})
rec = jw.forecast.reconcile(fc_u, S, "mint_shrink", residuals=resid)
rec_bu = jw.forecast.reconcile(fc_u, S, "bottom_up")
base_gap = jw.forecast.coherence_error(fc_u, S)
rec_gap = jw.forecast.coherence_error(rec, S)
jw.report.record_value("01.coherence_gap_base", base_gap, unit="incidents/day",
                       description="Largest gap between a node's base forecast and the sum of its stations")
jw.report.record_value("01.coherence_gap_mint", rec_gap, unit="incidents/day",
                       description="Same gap after MinT-shrink reconciliation")
city_cmp = pd.DataFrame({"base": fc_u[fc_u["unique_id"] == "city"]["yhat"].to_numpy(),
                         "mint_shrink": rec[rec["unique_id"] == "city"]["yhat"].to_numpy(),
                         "bottom_up": rec_bu[rec_bu["unique_id"] == "city"]["yhat"].to_numpy()})
print(f"largest incoherence: base {base_gap:.2f}, MinT {rec_gap:.2e} incidents/day")
city_cmp.describe().loc[["mean", "min", "max"]]

# %% [markdown]
# ## 6. The within-week shape: hour-of-week profile（周内时段分布）
#
# Staffing is by shift, so the daily forecast is split over the 168 hours of the week by
# each station's share of incidents in that hour, from the incident records of the last
# quarter of the data: the export's own for your city; for M city, records simulated from
# its demand (the bundled city keeps daily counts only).

# %%
END = city.demand["date"].max()
Q_START = min(END.to_period("Q").start_time, END - pd.Timedelta(days=89))
incidents = jw.studies.incident_records(city, station_ids, f"{Q_START:%Y-%m-%d}", f"{END:%Y-%m-%d}")
print(f"{len(incidents):,} incident records ({incidents.attrs['source']}), {Q_START:%Y-%m-%d} to {END:%Y-%m-%d}")
profile = jw.forecast.hour_of_week_profile(incidents, by="station_id")
city_profile = jw.forecast.hour_of_week_profile(incidents, by=None)
jw.report.save_table(profile, "hour_of_week_profile", prefix="01", formats="csv")
fig, ax = plt.subplots(figsize=(10, 3.2))
im = ax.imshow(city_profile["share"].to_numpy().reshape(7, 24), aspect="auto", cmap="viridis")
ax.set(yticks=range(7), yticklabels=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
       xlabel=jw.report.text("时", "hour of day"),
       title=jw.report.text("全市：一周内各小时警情占比", "City: share of weekly incidents by hour"))
fig.colorbar(im, ax=ax, label="share")
jw.report.save_fig(fig, "hour_of_week", prefix="01")
peak = city_profile.loc[city_profile["share"].idxmax()]
_ = jw.report.record_value("01.peak_hour_share", peak["share"], unit="share",
                           description="Share of weekly incidents in the busiest hour of the week (city)")

# %% [markdown]
# ## 7. Hand-off to staffing（交给警力配置）
#
# Per station and day for the next 28 days: the reconciled mean and the 80th and 95th
# percentiles (the upper ends of the 60% and 90% central intervals, shifted with the
# reconciliation). Notebook 04 reads `reports/tables/01_station_forecast_quantiles.csv`.

# %%
quantiles = (rec[rec["unique_id"].isin(station_ids)]
             .rename(columns={"unique_id": "station_id", "ds": "date", "yhat": "mean"})
             .assign(q80=lambda d: d["hi_60"].clip(lower=d["mean"]), q95=lambda d: d["hi_90"].clip(lower=d["mean"]))
             [["station_id", "date", "mean", "q80", "q95"]].sort_values(["station_id", "date"])
             .reset_index(drop=True))
quantiles["model"] = chosen
jw.report.save_table(quantiles, "station_forecast_quantiles", prefix="01", formats="csv")
jw.report.record_value("01.city_forecast_28d", float(quantiles["mean"].sum()), unit="incidents",
                       description="Reconciled forecast of all incidents in the next 28 days (stations summed)")
quantiles.head()

# %% [markdown]
# ## 8. External check: weekly data（外部检验：周数据）
#
# The same default, unchanged, on weekly district totals with yearly seasonality (52 weeks).
# The check on real data, Chicago's 22 police districts with the same design, is in the
# Chicago case study (notebook 05), so it runs once.

# %%
weekly = nodes[~nodes["station_id"].isin(station_ids)].copy()
weekly = (weekly.set_index("date").groupby("station_id")["count"].resample("W-SUN").sum().reset_index())
weekly = weekly[(weekly["date"] > weekly["date"].min()) & (weekly["date"] < weekly["date"].max())]
# A yearly season of 52 weeks needs two years before the first cutoff, plus the test windows.
WEEKS_NEEDED = 2 * 52 + 1 + 8 * N_WINDOWS
WEEKLY_CHECK = bool(weekly.groupby("station_id").size().min() >= WEEKS_NEEDED)
if WEEKLY_CHECK:
    bt_w = jw.forecast.backtest(weekly, h=8, n_windows=N_WINDOWS, models=MODELS, id_col="station_id",
                                time_col="date", target_col="count", n_jobs=1, gbm_params=GBM)
    w_table = bt_w.summary().set_index("model")
    w_chosen = bt_w.best  # the default rule again: the backtest winner
    jw.report.record_value("01.weekly_chosen_model", w_chosen, description="Model chosen on weekly district totals")
    jw.report.record_value("01.weekly_mase_chosen_vs_snaive", w_table.loc[w_chosen, "mase_vs_snaive"],
                           unit="ratio", description="Weekly district totals: chosen model's MASE relative to seasonal naive (52)")
    display(jw.report.labelled(w_table[["mase", "mase_vs_snaive", "coverage_80", "coverage_95"]]))
else:
    print(f"The weekly check needs {WEEKS_NEEDED} weeks of data; this city has "
          f"{weekly.groupby('station_id').size().min()}: it steps aside.")

# %%
# Timings vary from run to run, so they are printed, not recorded in values.json.
print(f"{CITY_EN} backtest took {backtest_seconds:.0f} s")
print(f"notebook ran in {time.perf_counter() - t_start:.0f} s")

# %% [markdown]
# ## Key findings（要点）

# %%
v = jw.report.load_values()
chosen_mase = v["01.mase_" + v["01.chosen_model"]]
jw.report.findings([
    (f"需求：春节周警情为其 91 天均值的 {v['01.sf_week_ratio']:.0%}；周末为工作日的 {v['01.weekend_weekday_ratio']:.0%}。",
     f"Demand: the Spring Festival week runs at {v['01.sf_week_ratio']:.0%} of its 91-day mean; "
     f"weekends at {v['01.weekend_weekday_ratio']:.0%} of weekdays."),
    (f"回测（{v['01.n_windows']} 个窗口，预测 28 天）：选中模型 '{v['01.chosen_model']}' 的 MASE 比季节朴素法低 "
     f"{v['01.mase_reduction_vs_snaive']:.0%}（{chosen_mase:.3f} 对 {v['01.mase_snaive']:.3f}）；最佳单一模型：{v['01.best_single_model']}。",
     f"Backtest ({v['01.n_windows']} windows, h=28): chosen model '{v['01.chosen_model']}' cuts MASE by "
     f"{v['01.mase_reduction_vs_snaive']:.0%} vs seasonal naive (MASE {chosen_mase:.3f} vs {v['01.mase_snaive']:.3f}); "
     f"best single model: {v['01.best_single_model']}."),
    (f"预测区间：80% 区间覆盖 {v['01.coverage_80']:.1%}，95% 区间覆盖 {v['01.coverage_95']:.1%}（目标 77–83%、93–97%）。",
     f"Intervals: 80% cover {v['01.coverage_80']:.1%}, 95% cover {v['01.coverage_95']:.1%} (target 77–83%, 93–97%)."),
    *([(f"周数据（季节 52）：选中模型 '{v['01.weekly_chosen_model']}' 的 MASE 为季节朴素法的 "
        f"{v['01.weekly_mase_chosen_vs_snaive']:.2f} 倍。",
        f"Weekly data (season 52): chosen model '{v['01.weekly_chosen_model']}' has MASE "
        f"{v['01.weekly_mase_chosen_vs_snaive']:.2f} × seasonal naive.")]
      if WEEKLY_CHECK else []),
    (f"MinT 调和把各层级间 {v['01.coherence_gap_base']:.1f} 起/天的不一致降到 {v['01.coherence_gap_mint']:.1e}；"
     "警力配置笔记本得到每个派出所未来 28 天的均值与 80%、95% 分位数。",
     f"MinT reconciliation closes a {v['01.coherence_gap_base']:.1f} incidents/day gap to "
     f"{v['01.coherence_gap_mint']:.1e}; the staffing notebook gets 28 days of mean/q80/q95 per station."),
])

# %% [markdown]
# ## References
#
# - Hyndman, R. J. & Koehler, A. B. (2006). Another look at measures of forecast accuracy.
#   *International Journal of Forecasting* 22(4), 679–688 (MASE).
# - Hyndman, R. J. & Athanasopoulos, G. (2021). *Forecasting: Principles and Practice*, 3rd ed. OTexts.
# - Wickramasuriya, S. L., Athanasopoulos, G. & Hyndman, R. J. (2019). Optimal forecast reconciliation
#   for hierarchical and grouped time series through trace minimization. *JASA* 114(526), 804–819.
# - Schäfer, J. & Strimmer, K. (2005). A shrinkage approach to large-scale covariance matrix estimation.
#   *Statistical Applications in Genetics and Molecular Biology* 4(1).
# - Makridakis, S., Spiliotis, E. & Assimakopoulos, V. (2022). M5 accuracy competition: results,
#   findings, and conclusions. *International Journal of Forecasting* 38(4), 1346–1364.
# - Vovk, V., Gammerman, A. & Shafer, G. (2005). *Algorithmic Learning in a Random World* (conformal prediction).
# - Garza, F. et al. (2022). StatsForecast: lightning fast forecasting with statistical and econometric models. Nixtla.
