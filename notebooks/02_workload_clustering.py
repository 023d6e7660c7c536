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
# # 02 · Workload clustering: which stations are alike?（派出所工作量聚类）
#
# **Purpose.** Group police stations by the *shape* of their workload (volume per officer
# and per resident, incident mix, weekly rhythm, seasonality, Spring Festival response,
# growth, fraud share), choose the number of groups with the evidence side by side, check
# the groups are stable, name them in words a station chief would recognise, and check them
# against M city's true station archetypes (when the city is simulated). The same analysis
# on Chicago's 22 districts is in the Chicago case study (notebook 05).
#
# **Inputs.** `CITY = None`: `data/m_city/` (simulated, with true archetypes).
# `CITY = "folder"`: the exports named in the folder's `jingwu.toml` (`jingwu init`).
#
# **Outputs.** `reports/figures/02_*.png`, `reports/tables/02_*.{csv,md,tex}` (including
# `02_cluster_workload`, used by the staffing notebook 04), values prefixed `02.` in
# `reports/values.json`.

# %% tags=["parameters"]
QUICK = False  # quick mode: 20 bootstraps, smaller k range, fewer gap reference draws
LANGUAGE = "both"  # "zh", "en" or "both": figure titles and labels, table headers, headings
CITY = None  # None: the bundled M city; or a city project folder with jingwu.toml (see `jingwu init`)

# %%
import pandas as pd
from sklearn.metrics import adjusted_rand_score

import jingwu as jw
from jingwu import cluster as cl

LANG = jw.viz.set_theme(LANGUAGE)
pd.set_option("display.width", 140)
K_MAX = 7 if QUICK else 9
N_BOOT = 20 if QUICK else 200
N_REF = 10 if QUICK else 50
METHODS = cl.METHODS  # the mixture costs about a second on 48 stations, so quick mode keeps its BIC

# %% [markdown]
# ## 1. Features（特征）
#
# One row per station. Shares (incident mix, day-of-week) are compositions, so they are
# centred-log-ratio transformed before distances; volumes and the Spring Festival ratio are
# logged; everything is standardised inside a scikit-learn pipeline. Clearance rate and
# response time are *outcomes* of policing (notebook 03 studies them), so we cluster on the
# demand-side features only and use the outcomes to describe the clusters afterwards.

# %%
city = jw.studies.load_city(CITY)
CITY_ZH = "M市" if CITY is None else city.name
CITY_EN = "M city" if CITY is None else city.name
features = cl.workload_features(city.demand, city.stations, panel=city.panel)
X = features[cl.workload_columns(features)]
K_RANGE = range(2, max(3, min(K_MAX, len(X) // 2)) + 1)  # a cluster needs at least two stations
outcomes = features[list(cl.OUTCOME_FEATURES)]
feature_table = cl.describe_features(features.columns)
jw.report.save_table(feature_table, "features", prefix="02", float_format="{}",
                     caption="Workload features used to cluster stations")
feature_table[["feature", "label_zh", "label_en", "transform", "definition"]]

# %% [markdown]
# ## 2. How many groups?（聚类数选择）
#
# Five criteria for k-means, Ward and a Gaussian mixture: silhouette, Calinski–Harabasz,
# Davies–Bouldin, the gap statistic (Tibshirani et al. 2001, seeded reference draws) and
# the mixture's BIC. The rule (`jw.cluster.choose_k`): each criterion votes for the k most
# methods prefer; the k with most votes wins, ties go to the gap statistic.

# %%
selection = cl.select_k(X, K_RANGE, methods=METHODS, n_ref=N_REF)
k = cl.choose_k(selection)
votes = k.votes
fig = cl.plot_select_k(selection, chosen=k)
jw.report.save_fig(fig, "select_k", prefix="02")
jw.report.save_table(selection.drop(columns=["gap_next", "gap_s_next"]), "select_k", prefix="02",
                     caption=f"Model-selection criteria by method and k ({CITY_EN})")
jw.report.record_value("02.k_chosen", k, description=f"Number of clusters chosen for {CITY_EN}")
votes.pivot_table(index="criterion", columns="method", values="k", aggfunc="first")

# %% [markdown]
# ## 3. Clusters, profiles and names（聚类画像）

# %%
result = cl.fit(X, k, describe=outcomes)
names = result.names(LANG)  # in the run's language: Chinese, English or both
ax = result.plot_profiles()
ax.set_title(jw.report.text(f"{CITY_ZH}：各类特征均值（标准化，z）", f"{CITY_EN}: standardised feature means per cluster (z)"))
jw.report.save_fig(ax.figure, "profiles", prefix="02")
ax = result.plot_map()
ax.set_title(jw.report.text(f"{CITY_ZH}派出所：前两个主成分", f"{CITY_EN} stations on the first two principal components"))
jw.report.save_fig(ax.figure, "pca_map", prefix="02")
result.summary(LANG)

# %% [markdown]
# ## 4. Are the clusters stable?（稳定性）
#
# Bootstrap as in R `fpc::clusterboot` (Hennig 2007): resample stations, re-cluster,
# and for each cluster record the best Jaccard similarity with a bootstrap cluster.
# Mean Jaccard below 0.6 marks a cluster as unstable.

# %%
stab = cl.stability(X, k, n_boot=N_BOOT)
fig = stab.plot(names=names)
jw.report.save_fig(fig, "stability", prefix="02")
stab_table = stab.to_frame().join(names)
jw.report.save_table(stab_table, "stability", prefix="02", index=True,
                     caption=f"Bootstrap stability per cluster ({N_BOOT} bootstraps)")
jw.report.record_value("02.min_jaccard", stab.min_jaccard, description="Smallest mean bootstrap Jaccard")
jw.report.record_value("02.mean_boot_ari", stab.ari.mean(), description="Mean ARI over bootstraps")
jw.report.record_value("02.n_boot", N_BOOT, description="Bootstrap replicates")
stab_table

# %% [markdown]
# ## 5. Do the clusters recover the true archetypes?（与真实类型对照）
#
# Only a simulated city knows its stations' true types; for a real city this check steps aside.

# %%
if city.truth is not None:
    truth = city.truth.archetypes.set_index("station_id").reindex(X.index)
    ari = adjusted_rand_score(truth["archetype"], result.labels)
    jw.report.record_value("02.ari_truth", ari, description=f"ARI of clusters vs true archetypes ({CITY_EN})")
    archetype = (truth["archetype_zh"] if LANG == "zh" else truth["archetype_en"] if LANG == "en"
                 else truth["archetype_zh"] + " / " + truth["archetype_en"])
    crosstab = pd.crosstab(archetype.rename("archetype"), result.labels.map(names).rename("cluster"))
    jw.report.save_table(crosstab, "crosstab_truth", prefix="02", index=True, float_format="{:.0f}",
                         caption="True archetype (rows) against cluster (columns)")
    print(f"adjusted Rand index against the true archetypes: {ari:.3f}")
    display(crosstab)
else:
    print("No ground truth for this city (it is not simulated): the check against true station types steps aside.")

# %% [markdown]
# ## 6. Incidents per officer by cluster（各类人均警情）
#
# The table below is what notebook 04 uses to discuss staffing by station type.

# %%
workload = result.to_frame(LANG)[["station_id", "cluster", "cluster_name", "incidents_per_officer",
                              "annual_incidents", "clearance_rate", "response_minutes"]]
jw.report.save_table(workload, "cluster_workload", prefix="02", float_format="{:.2f}",
                     caption="Stations with their workload cluster and incidents per officer")
by_cluster = workload.groupby(["cluster", "cluster_name"])[
    ["incidents_per_officer", "annual_incidents", "clearance_rate", "response_minutes"]].mean()
jw.report.save_table(by_cluster, "cluster_means", prefix="02", index=True, float_format="{:.2f}",
                     caption="Mean workload and outcomes per cluster")
ipo = by_cluster["incidents_per_officer"]
jw.report.record_value("02.ipo_max_min_cluster_ratio", ipo.max() / ipo.min(), unit="ratio",
                       description="Highest vs lowest cluster mean of incidents per officer")
by_cluster

# %% [markdown]
#
# %% [markdown]
# ## Key findings（要点）

# %%
v = jw.report.load_values()
jw.report.findings([
    (f"{CITY_ZH}：各项准则选出 k = {v['02.k_chosen']} 类。", f"{CITY_EN}: the criteria choose k = {v['02.k_chosen']}.")
    if city.truth is None else
    (f"{CITY_ZH}：各项准则选出 k = {v['02.k_chosen']} 类；聚类与模拟器的真实类型吻合，ARI = {v['02.ari_truth']:.3f}。",
     f"{CITY_EN}: the criteria choose k = {v['02.k_chosen']}; the clusters match the simulator's archetypes "
     f"with ARI = {v['02.ari_truth']:.3f}."),
    (f"各类都稳定：最小平均自助 Jaccard 为 {v['02.min_jaccard']:.2f}（{v['02.n_boot']} 次自助抽样），"
     f"平均自助 ARI 为 {v['02.mean_boot_ari']:.2f}。",
     f"Every cluster is stable: smallest mean bootstrap Jaccard {v['02.min_jaccard']:.2f} "
     f"({v['02.n_boot']} bootstraps), mean bootstrap ARI {v['02.mean_boot_ari']:.2f}."),
    (f"最忙与最闲两类的人均警情相差 {v['02.ipo_max_min_cluster_ratio']:.1f} 倍（表 02_cluster_workload 供笔记本 04 使用）。",
     f"Incidents per officer differ {v['02.ipo_max_min_cluster_ratio']:.1f}× between the busiest and "
     "quietest cluster (table 02_cluster_workload feeds notebook 04)."),
])

# %% [markdown]
# ## References
#
# - Aitchison, J. (1986). *The Statistical Analysis of Compositional Data*. Chapman & Hall.
# - Tibshirani, R., Walther, G. & Hastie, T. (2001). Estimating the number of clusters in a
#   data set via the gap statistic. *JRSS B* 63(2), 411–423.
# - Rousseeuw, P. J. (1987). Silhouettes. *J. Comput. Appl. Math.* 20, 53–65.
# - Caliński, T. & Harabasz, J. (1974); Davies, D. L. & Bouldin, D. W. (1979).
# - Hennig, C. (2007). Cluster-wise assessment of cluster stability. *CSDA* 52, 258–271
#   (R package `fpc`, `clusterboot`).
# - Hubert, L. & Arabie, P. (1985). Comparing partitions. *J. Classification* 2, 193–218.
