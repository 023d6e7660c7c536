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
# # 00 · Data tour: the data contract, M city and Chicago（数据导览）
#
# **Purpose.** Show the tables every notebook works on, what the bundled simulated
# city (M市) looks like, how to bring your own police-platform export into the same
# shape, and the real Chicago data used in the case study.
#
# **Inputs.** `data/m_city/` (simulated, with ground truth), `data/chicago/` (public data),
# an example export written on the fly (GBK CSV and Excel with Chinese headers).
#
# **Outputs.** `reports/figures/00_*.png`, `reports/tables/00_*.{csv,md,tex}`,
# values prefixed `00.` in `reports/values.json`.

# %% tags=["parameters"]
QUICK = False  # quick mode: smaller example export (for checks); the tables are small anyway

# %%
import tempfile
import warnings
from pathlib import Path

import pandas as pd

import jingwu as jw

LANG = jw.viz.set_theme()  # bilingual 中文 / English labels when a CJK font is available, else English
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
contract

# %% [markdown]
# ## 2. M city at a glance（M市概况）

# %%
city = jw.datasets.load_m_city()
print(city)
stations = city.stations.merge(city.truth.archetypes, on="station_id")
annual = (city.demand[city.demand["date"].dt.year == 2024]
          .groupby("station_id")["count"].sum().rename("incidents_2024"))
stations = stations.merge(annual, on="station_id")
stations["incidents_per_officer"] = stations["incidents_2024"] / stations["officers"]
by_type = (stations.groupby("archetype_en")
           .agg(stations=("station_id", "size"), incidents_2024=("incidents_2024", "mean"),
                officers=("officers", "mean"), incidents_per_officer=("incidents_per_officer", "mean"),
                population=("population", "mean"))
           .sort_values("incidents_2024", ascending=False))
jw.report.save_table(by_type, "station_types", prefix="00", index=True, float_format="{:,.0f}",
                     caption="M city: stations by archetype (simulated ground truth), 2024")
by_type

# %%
ax = jw.viz.plot_station_grid(stations, "incidents_2024", name_col="station_id",
                              title="M city: incidents per station, 2024 (警情数)")
jw.report.save_fig(ax.figure, "station_grid", prefix="00")

# %%
city_daily = city.demand.groupby("date", as_index=False)["count"].sum()
city_daily["mean"] = city_daily["count"].rolling(28, center=True).mean()
ax = jw.viz.plot_series(city_daily, "date", "count", linewidth=0.5, alpha=0.5,
                        title="M city: daily incidents and 28-day mean (全市日警情)")
ax = jw.viz.plot_series(city_daily, "date", "mean", ax=ax, color="black", linewidth=1.5,
                        ylabel=jw.viz.label_for("count"))
jw.report.save_fig(ax.figure, "city_daily", prefix="00")

# %% [markdown]
# The dips and spikes each winter are the Spring Festival (春节), which moves between
# 21 January and 20 February: commercial districts empty out while transport hubs and
# villages get busier. The October spike is the National Day Golden Week.

# %%
ax = jw.viz.plot_category_mix(city.demand, title="M city: incident mix by year (警情构成)")
jw.report.save_fig(ax.figure, "category_mix", prefix="00")
mix = city.demand.groupby([city.demand["date"].dt.year, "category"], observed=True)["count"].sum()
share = mix / mix.groupby(level=0).transform("sum")
jw.report.record_value("00.fraud_share_2018", share.loc[(2018, "fraud")], unit="share",
                       description="Share of telecom-fraud incidents in M city, 2018")
jw.report.record_value("00.fraud_share_2024", share.loc[(2024, "fraud")], unit="share",
                       description="Share of telecom-fraud incidents in M city, 2024")

# %%
ax = jw.viz.plot_staffing_vs_demand(stations, stations.set_index("station_id")["incidents_2024"].rename("incidents"),
                                    title="M city: officers vs incidents, 2024 (警力与警情)")
jw.report.save_fig(ax.figure, "staffing_vs_demand", prefix="00")
ipo = stations["incidents_per_officer"]
jw.report.record_value("00.n_stations", len(stations), description="Stations in M city")
jw.report.record_value("00.n_districts", stations["district"].nunique(), description="Districts in M city")
jw.report.record_value("00.city_incidents_2024", int(annual.sum()), unit="incidents",
                       description="M city incidents in 2024")
jw.report.record_value("00.incidents_per_officer_max_min_ratio", ipo.max() / ipo.min(), unit="ratio",
                       description="Busiest vs quietest station, incidents per officer, 2024")
print(f"incidents per officer range from {ipo.min():.0f} to {ipo.max():.0f} "
      f"({ipo.max() / ipo.min():.1f}×): staffing follows population, not demand.")

# %% [markdown]
# ## 3. Bringing your own export（导入自己的数据）
#
# Police platforms export incident lists as GBK-encoded CSV or as Excel files with a
# title row above the header, Chinese column names, and personal data (caller names,
# phone numbers, ID-card numbers, addresses). `jw.io.read_incidents` reads either,
# maps the headers to the contract, converts categories and 是/否 flags, and **drops
# personal data** with a notice. The input file is never modified. Here we write such
# an export (synthetic people) and read it back.

# %%
workdir = Path(tempfile.mkdtemp())
end = "2024-03-07" if QUICK else "2024-03-31"
export_csv = jw.datasets.write_example_export(workdir / "警情明细_GBK.csv", end=end)
export_xlsx = jw.datasets.write_example_export(workdir / "警情明细.xlsx", end=end)
# Never print raw export rows: even here they would show (synthetic) names and numbers,
# and readers copy the pattern. Show the header and two rows with personal parts masked.
raw = pd.read_csv(export_csv, encoding="gbk", dtype=str, nrows=2)
print(raw.apply(jw.privacy.mask_text).to_string(index=False))
jw.io.describe_mapping(export_xlsx)

# %%
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    incidents = jw.io.read_incidents(export_xlsx)
for w in caught:
    print("notice:", str(w.message)[:300])
incidents.head()

# %%
demand = jw.aggregate.daily_demand(incidents)
panel = jw.aggregate.monthly_panel(incidents=incidents, stations=city.stations)
panel

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
    print("DataError:", err)

# %% [markdown]
# ## 4. Chicago at a glance（芝加哥数据）
#
# Real public data: reported crimes per police district and day (2001–2022-01), monthly
# Police Sentiment Scores (trust and safety, 0–100, 2017-11 to 2023-02), and the
# staggered opening of Strategic Decision Support Centers (SDSC) with their sources.

# %%
chi = jw.datasets.load_chicago()
print(chi)
chi_month = chi.panel.dropna(subset=["incidents"]).groupby("month", as_index=False)["incidents"].sum()
chi_month["month"] = chi_month["month"].dt.to_timestamp()
ax = jw.viz.plot_series(chi_month, "month", "incidents", title="Chicago: reported crimes per month")
jw.report.save_fig(ax.figure, "chicago_monthly_crimes", prefix="00")
jw.report.record_value("00.chicago_crimes_2019", int(chi.demand[chi.demand["date"].dt.year == 2019]["count"].sum()),
                       unit="crimes", description="Reported crimes in Chicago, 2019")

# %%
cohorts = (chi.adoption.assign(year=chi.adoption["adoption_month"].dt.year)
           .groupby("year", dropna=False)["district"].apply(lambda s: ", ".join(s))
           .rename("districts").reset_index())
jw.report.save_table(cohorts, "chicago_sdsc_cohorts", prefix="00", float_format="{}",
                     caption="SDSC opening year per Chicago police district (best dating)")
cohorts

# %%
sent = chi.panel.dropna(subset=["trust"]).melt(["station_id", "month"], ["trust", "safety"],
                                               var_name="score", value_name="value")
sent = sent.groupby(["month", "score"], as_index=False)["value"].mean()
sent["month"] = sent["month"].dt.to_timestamp()
ax = jw.viz.plot_series(sent, "month", "value", hue="score",
                        title="Chicago: mean district Police Sentiment Scores")
jw.report.save_fig(ax.figure, "chicago_sentiment", prefix="00")

# %% [markdown]
# ## Key findings（要点）

# %%
v = jw.report.load_values()
print(f"M city: {v['00.n_stations']} stations in {v['00.n_districts']} districts, "
      f"{v['00.city_incidents_2024']:,} incidents in 2024.")
print(f"Telecom fraud rose from {v['00.fraud_share_2018']:.1%} to "
      f"{v['00.fraud_share_2024']:.1%} of incidents (2018 → 2024).")
print(f"The busiest station handles {v['00.incidents_per_officer_max_min_ratio']:.1f}× "
      "as many incidents per officer as the quietest: the mismatch notebook 04 addresses.")

# %% [markdown]
# ## References
#
# - Wickham, H. (2014). Tidy data. *Journal of Statistical Software* 59(10).
# - City of Chicago Data Portal: *Crimes – 2001 to Present*; *Police Sentiment Scores*
#   (provenance in `data/chicago/PROVENANCE.md`).
# - 公安部 (2019). 关于加强新时代公安派出所工作的意见 (station staffing norms used in notebook 04).
