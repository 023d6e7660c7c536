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
# # 00 · Data tour: the data contract, the city and Chicago（数据导览）
#
# **Purpose.** Show the tables every notebook works on, what the city looks like (the
# bundled simulated M市, or your own city's exports), how a police-platform export comes
# into the same shape, and the real Chicago data used in the case study.
#
# **Inputs.** `CITY = None`: `data/m_city/` (simulated, with ground truth), `data/chicago/`
# (public data) and an example export written on the fly (GBK CSV and Excel with Chinese
# headers). `CITY = "folder"`: the exports named in that folder's `jingwu.toml`
# (`jingwu init`); the Chicago and example-export sections then step aside.
#
# **Outputs.** `reports/figures/00_*.png`, `reports/tables/00_*.{csv,md,tex}`,
# values prefixed `00.` in `reports/values.json`.

# %% tags=["parameters"]
QUICK = False  # quick mode: smaller example export (for checks); the tables are small anyway
LANGUAGE = "both"  # "zh", "en" or "both": figure titles and labels, table headers, headings
CITY = None  # None: the bundled M city; or a city project folder with jingwu.toml (see `jingwu init`)

# %%
import os
import tempfile
import warnings
from pathlib import Path

import pandas as pd

import jingwu as jw

LANG = jw.viz.set_theme(LANGUAGE)  # figures fall back to English if no CJK font is found
pd.set_option("display.width", 120)

# %% [markdown]
# ## 1. The data contract（数据规范）
#
# Every method reads long, tidy tables with English snake-case columns; Chinese names
# live in the label tables and in the intake's header map. Four tables:
# `stations` (one row per 派出所), `incidents` (optional: one row per 警情 record),
# `demand` (daily counts per station and category) and `panel` (monthly outcomes).
# Never-adopting stations have an empty `adoption_month`.

# %%
contract = jw.schema.contract_table()
jw.report.save_table(contract, "data_contract", prefix="00", float_format="{}",
                     caption="The jingwu data contract", label="tab:contract")
jw.report.labelled(contract)

# %% [markdown]
# ## 2. The city at a glance（城市概况）
#
# The bundled M city, or your own city read from its exports (personal data removed on
# the way in). The years below are the first and the last of the data.

# %%
city = jw.studies.load_city(CITY)
print(city)
CITY_ZH = "M市" if CITY is None else city.name
CITY_EN = "M city" if CITY is None else city.name
FIRST, LAST = int(city.demand["date"].dt.year.min()), int(city.demand["date"].dt.year.max())
YEAR_COL = f"incidents_{LAST}"
annual = (city.demand[city.demand["date"].dt.year == LAST]
          .groupby("station_id")["count"].sum().rename(YEAR_COL))
stations = city.stations.merge(annual, on="station_id")
stations["incidents_per_officer"] = stations[YEAR_COL] / stations["officers"]
# Station types exist only where a simulator knows them; otherwise group by district.
if city.truth is not None:
    stations = stations.merge(city.truth.archetypes, on="station_id")
    # the station type in the run's language
    stations["archetype_name"] = {"zh": stations["archetype_zh"], "en": stations["archetype_en"]}.get(
        LANG, stations["archetype_zh"] + " / " + stations["archetype_en"])
GROUP = "archetype_name" if city.truth is not None else "district"
by_type = (stations.groupby(GROUP)
           .agg(stations=("station_id", "size"), **{YEAR_COL: (YEAR_COL, "mean")},
                officers=("officers", "mean"), incidents_per_officer=("incidents_per_officer", "mean"),
                population=("population", "mean"))
           .sort_values(YEAR_COL, ascending=False))
jw.report.save_table(by_type, "station_types", prefix="00", index=True, float_format="{:,.0f}",
                     caption=(f"{CITY_EN}: stations by archetype (simulated ground truth), {LAST}" if city.truth is not None
                              else f"{CITY_EN}: stations by district, {LAST}"))
jw.report.labelled(by_type, digits=0)

# %%
ax = jw.viz.plot_station_grid(stations, YEAR_COL, name_col="station_id",
                              title=jw.report.text(f"{CITY_ZH}：各派出所警情数，{LAST}年", f"{CITY_EN}: incidents per station, {LAST}"))
jw.report.save_fig(ax.figure, "station_grid", prefix="00")

# %%
city_daily = city.demand.groupby("date", as_index=False)["count"].sum()
city_daily["mean"] = city_daily["count"].rolling(28, center=True).mean()
ax = jw.viz.plot_series(city_daily, "date", "count", linewidth=0.5, alpha=0.5,
                        title=jw.report.text(f"{CITY_ZH}：全市日警情及28天均值", f"{CITY_EN}: daily incidents and 28-day mean"))
ax = jw.viz.plot_series(city_daily, "date", "mean", ax=ax, color="black", linewidth=1.5,
                        ylabel=jw.viz.label_for("count"))
jw.report.save_fig(ax.figure, "city_daily", prefix="00")

# %% [markdown]
# The dips and spikes each winter are the Spring Festival (春节), which moves between
# 21 January and 20 February: commercial districts empty out while transport hubs and
# villages get busier. The October spike is the National Day Golden Week.

# %%
ax = jw.viz.plot_category_mix(city.demand, title=jw.report.text(f"{CITY_ZH}：各年警情构成", f"{CITY_EN}: incident mix by year"))
mix = city.demand.groupby([city.demand["date"].dt.year, "category"], observed=True)["count"].sum()
share = mix / mix.groupby(level=0).transform("sum")
for year in (FIRST, LAST):
    jw.report.record_value(f"00.fraud_share_{year}", share.get((year, "fraud"), 0.0), unit="share",
                           description=f"Share of telecom-fraud incidents in {CITY_EN}, {year}")
jw.report.save_fig(ax.figure, "category_mix", prefix="00")

# %%
ax = jw.viz.plot_staffing_vs_demand(stations, stations.set_index("station_id")[YEAR_COL].rename("incidents"),
                                    title=jw.report.text(f"{CITY_ZH}：警力与警情，{LAST}年", f"{CITY_EN}: officers vs incidents, {LAST}"))
jw.report.save_fig(ax.figure, "staffing_vs_demand", prefix="00")
ipo = stations["incidents_per_officer"]
jw.report.record_value("00.n_stations", len(stations), description=f"Stations in {CITY_EN}")
jw.report.record_value("00.n_districts", stations["district"].nunique(), description=f"Districts in {CITY_EN}")
jw.report.record_value(f"00.city_incidents_{LAST}", int(annual.sum()), unit="incidents",
                       description=f"{CITY_EN} incidents in {LAST}")
jw.report.record_value("00.incidents_per_officer_max_min_ratio", ipo.max() / ipo.min(), unit="ratio",
                       description=f"Busiest vs quietest station, incidents per officer, {LAST}")
print(jw.report.text(f"人均警情从 {ipo.min():.0f} 到 {ipo.max():.0f} 起（相差 {ipo.max() / ipo.min():.1f} 倍）：警力按人口而非警情配置。",
                     f"Incidents per officer range from {ipo.min():.0f} to {ipo.max():.0f} "
                     f"({ipo.max() / ipo.min():.1f}×): staffing follows population, not demand.", sep="\n"))

# %% [markdown]
# ## 3. Bringing your own export（导入自己的数据）
#
# Police platforms export incident lists as GBK-encoded CSV or as Excel files with a
# title row above the header, Chinese column names, and personal data (caller names,
# phone numbers, ID-card numbers, addresses). `jw.io.read_incidents` reads either,
# maps the headers to the contract, converts categories and 是/否 flags, and **drops
# personal data** with a notice. The input file is never modified. For your own city this
# happened when the project's exports were read: the notices below say what intake did
# (they never quote a cell). For the bundled city we write such an export (synthetic
# people) and read it back.

# %%
for notice in getattr(city, "notices", []):
    print("notice:", notice[:400])
workdir = Path(tempfile.mkdtemp())
if CITY is None:
    end = "2024-03-07" if QUICK else "2024-03-31"
    export_csv = jw.datasets.write_example_export(workdir / "警情明细_GBK.csv", end=end)
    export_xlsx = jw.datasets.write_example_export(workdir / "警情明细.xlsx", end=end)
    # Never print raw export rows: even here they would show (synthetic) names and numbers,
    # and readers copy the pattern. Show the header and two rows with personal parts masked.
    raw = pd.read_csv(export_csv, encoding="gbk", dtype=str, nrows=2)
    print(raw.apply(jw.privacy.mask_text).to_string(index=False))
    display(jw.io.describe_mapping(export_xlsx))

# %%
if CITY is None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        incidents = jw.io.read_incidents(export_xlsx)
    for w in caught:
        # the example lives in a scratch folder: show the file's name, not the scratch path
        print("notice:", str(w.message).replace(f"{workdir}{os.sep}", "")[:300])
    display(jw.report.labelled(incidents.head()))
    demand = jw.aggregate.daily_demand(incidents)
    panel = jw.aggregate.monthly_panel(incidents=incidents, stations=city.stations)
    display(jw.report.labelled(panel))
else:
    display(jw.report.labelled(city.panel.head()))

# %% [markdown]
# A file that breaks the contract stops with a `DataError` that names the file, the
# column, the rows and what was expected, for example a negative count:

# %%
bad = workdir / "bad_demand.csv"
pd.DataFrame({"派出所编号": ["S01", "S01"], "日期": ["2024-01-01", "2024-01-02"],
              "警情类别": ["刑事", "刑事"], "警情数": [3, -1]}).to_csv(bad, index=False)
try:
    jw.io.read_demand(bad)
except jw.DataError as err:
    print("DataError:", str(err).replace(f"{workdir}{os.sep}", ""))

# %% [markdown]
# ## 4. Chicago at a glance（芝加哥数据）
#
# Real public data: reported crimes per police district and day (2001–2022-01), monthly
# Police Sentiment Scores (trust and safety, 0–100, 2017-11 to 2023-02), and the
# staggered opening of Strategic Decision Support Centers (SDSC) with their sources.
# (Part of the bundled case study: shown when the notebook runs on the bundled city.)

# %%
if CITY is None:
    chi = jw.datasets.load_chicago()
    print(chi)
    chi_month = chi.panel.dropna(subset=["incidents"]).groupby("month", as_index=False)["incidents"].sum()
    chi_month["month"] = chi_month["month"].dt.to_timestamp()
    ax = jw.viz.plot_series(chi_month, "month", "incidents", title=jw.report.text("芝加哥：每月报案犯罪数", "Chicago: reported crimes per month"))
    jw.report.save_fig(ax.figure, "chicago_monthly_crimes", prefix="00")
    jw.report.record_value("00.chicago_crimes_2019", int(chi.demand[chi.demand["date"].dt.year == 2019]["count"].sum()),
                           unit="crimes", description="Reported crimes in Chicago, 2019")
else:
    print("Chicago is part of the bundled case study; not shown for a user's city.")

# %%
if CITY is None:
    # a district without an SDSC has no opening month (NaT); Period.year would call it year -1
    opened = chi.adoption["adoption_month"]
    cohorts = (chi.adoption.assign(year=opened.dt.year.where(opened.notna()).astype("Int64"))
               .groupby("year", dropna=False)["district"].apply(", ".join)
               .rename("districts").reset_index())
    jw.report.save_table(cohorts, "chicago_sdsc_cohorts", prefix="00", float_format="{}", na_rep="—",
                         caption="SDSC opening year per Chicago police district (best dating; — no SDSC)")
    display(jw.report.labelled(cohorts))

# %%
if CITY is None:
    sent = chi.panel.dropna(subset=["trust"]).melt(["station_id", "month"], ["trust", "safety"],
                                                   var_name="score", value_name="value")
    sent = sent.groupby(["month", "score"], as_index=False)["value"].mean()
    sent["month"] = sent["month"].dt.to_timestamp()
    sent["score"] = sent["score"].map({"trust": jw.report.text("信任", "trust"), "safety": jw.report.text("安全感", "safety")})
    ax = jw.viz.plot_series(sent, "month", "value", hue="score",
                            title=jw.report.text("芝加哥：各警区警察信任评分均值", "Chicago: mean district Police Sentiment Scores"))
    jw.report.save_fig(ax.figure, "chicago_sentiment", prefix="00")

# %% [markdown]
# ## Key findings（要点）

# %%
v = jw.report.load_values()
jw.report.findings([
    (f"{CITY_ZH}共有 {v['00.n_stations']} 个派出所、{v['00.n_districts']} 个分局，{LAST} 年警情 {v[f'00.city_incidents_{LAST}']:,} 起。",
     f"{CITY_EN}: {v['00.n_stations']} stations in {v['00.n_districts']} districts, "
     f"{v[f'00.city_incidents_{LAST}']:,} incidents in {LAST}."),
    (f"电诈警情占比：{FIRST} 年 {v[f'00.fraud_share_{FIRST}']:.1%}，{LAST} 年 {v[f'00.fraud_share_{LAST}']:.1%}。",
     f"Telecom fraud: {v[f'00.fraud_share_{FIRST}']:.1%} of incidents in {FIRST}, {v[f'00.fraud_share_{LAST}']:.1%} in {LAST}."),
    (f"最忙派出所的人均警情是最闲派出所的 {v['00.incidents_per_officer_max_min_ratio']:.1f} 倍：这正是笔记本 04 要解决的错配。",
     f"The busiest station handles {v['00.incidents_per_officer_max_min_ratio']:.1f}× as many incidents per officer "
     "as the quietest: the mismatch notebook 04 addresses."),
])

# %% [markdown]
# ## References
#
# - Wickham, H. (2014). Tidy data. *Journal of Statistical Software* 59(10).
# - City of Chicago Data Portal: *Crimes – 2001 to Present*; *Police Sentiment Scores*
#   (provenance in `data/chicago/PROVENANCE.md`).
# - 公安部 (2019). 关于加强新时代公安派出所工作的意见 (station staffing norms used in notebook 04).
