"""Cluster police stations by workload profile（派出所警务工作量聚类）.

Four steps, each a function that takes and returns tidy frames:

1. :func:`workload_features` turns daily demand (plus, where available, the
   station table, a monthly panel and incident records) into one row per
   station of interpretable features: volume (per officer, per 10,000
   residents), incident mix, weekly shape, seasonal amplitude, Spring Festival
   response, growth, fraud share, clearance, response time and night share.
   Every feature has a zh/en label and a one-line definition
   (:data:`FEATURES`, :func:`describe_features`).
2. :func:`select_k` compares numbers of clusters with silhouette,
   Calinski–Harabasz, Davies–Bouldin, the gap statistic and GMM BIC, and
   :func:`choose_k` applies a documented voting rule, with small-sample
   rules (no one-station clusters, at least three stations per cluster on
   average) so that a county's 15 stations are not split into singletons.
   Above 5,000 stations the silhouette (which compares every pair of
   stations) is averaged over a seeded sample of 5,000 (``sample_size=``);
   below that nothing is sampled.
3. :func:`fit` clusters (k-means, Ward or a Gaussian mixture) and returns a
   :class:`ClusterResult` with centres in original units, standardised
   profiles, descriptive zh/en cluster names and plots.
4. :func:`stability` reports per-cluster bootstrap Jaccard similarities as
   R ``fpc::clusterboot`` does (Hennig 2007) and the distribution of the
   adjusted Rand index over bootstraps.

Every model is a scikit-learn :class:`~sklearn.pipeline.Pipeline`
(feature transform → scaler → block weights → model), seeded and
deterministic.

Preprocessing (:func:`make_pipeline`)
-------------------------------------
* compositional blocks (incident-mix shares, day-of-week shares) are centred
  log-ratio (CLR) transformed (Aitchison 1986) before distances are taken;
* volumes are log-transformed and the Spring Festival ratio is logged;
* every column is standardised (mean 0, s.d. 1);
* with ``block_weights=True`` (off by default: on M city it lets the two
  scalar holiday/season features dominate and hides the three urban types)
  every column of a block of ``m``
  columns is multiplied by ``1/sqrt(m)``, so the seven mix shares count as
  much as one scalar feature such as seasonal amplitude (each *block* gets
  equal weight in squared Euclidean distance).

The package, by concern: ``features`` (the feature dictionary and
:func:`workload_features`), ``_demand`` (the chunked pass over daily demand),
``pipeline`` (transforms and :func:`make_pipeline`), ``selection``
(:func:`select_k`, :func:`gap_statistic`, :func:`choose_k`), ``fitting``
(:func:`fit`, :class:`ClusterResult`), ``resampling`` (:func:`stability`)
and ``handoff`` (:func:`station_clusters`).

Examples
--------
>>> import numpy as np, pandas as pd
>>> from jingwu import cluster
>>> rng = np.random.default_rng(0)
>>> X = pd.DataFrame(np.r_[rng.normal(0, .3, (10, 2)), rng.normal(5, .3, (10, 2))],
...                  columns=["a", "b"])
>>> res = cluster.fit(X, k=2)
>>> res.labels.value_counts().tolist()
[10, 10]
"""

from __future__ import annotations

# Private helpers and scikit-learn scores that tests and notebooks reached as
# ``jingwu.cluster.<name>`` before the module became a package.
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score  # noqa: E402,F401

from .features import FEATURES, OUTCOME_FEATURES, describe_features, workload_columns, workload_features
from .fitting import (
    ClusterResult,
    _name_features,  # noqa: E402,F401
    fit,
)
from .handoff import CLUSTER_TABLE, station_clusters
from .pipeline import METHODS, BlockWeights, CLRTransform, FeatureTransform, make_pipeline
from .resampling import StabilityResult, clusterboot_jaccard, stability
from .selection import (
    SAMPLE_SIZE,
    KChoice,
    _ward_partitions,  # noqa: F401
    _wss,  # noqa: F401
    choose_k,
    gap_statistic,
    plot_select_k,
    select_k,
)

__all__ = [
    "CLUSTER_TABLE",
    "station_clusters",
    "FEATURES",
    "METHODS",
    "describe_features",
    "OUTCOME_FEATURES",
    "workload_columns",
    "workload_features",
    "CLRTransform",
    "FeatureTransform",
    "BlockWeights",
    "make_pipeline",
    "select_k",
    "SAMPLE_SIZE",
    "choose_k",
    "KChoice",
    "plot_select_k",
    "gap_statistic",
    "fit",
    "ClusterResult",
    "stability",
    "StabilityResult",
    "clusterboot_jaccard",
]
