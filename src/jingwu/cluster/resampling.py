"""Bootstrap stability of clusters as R ``fpc::clusterboot`` computes it (Hennig 2007)."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import adjusted_rand_score

from .fitting import fit
from .pipeline import _check_features, _fit_labels, _single_threaded, make_pipeline

__all__ = ["clusterboot_jaccard", "StabilityResult", "stability"]


def clusterboot_jaccard(original: np.ndarray, sample: np.ndarray, boot_labels: np.ndarray) -> np.ndarray:
    """Per original cluster, the max Jaccard with any bootstrap cluster (fpc definition).

    As in R ``fpc::clusterboot`` (``bootmethod = "boot"``, default
    ``multipleboot = FALSE``, so ``sample`` holds each drawn point once): the
    original cluster's membership is restricted to the points in the sample,
    compared with each bootstrap cluster on the same points
    (``fpc::clujaccard``), and the best Jaccard is kept.  A cluster with no
    member in the sample scores 0, as in fpc.

    Parameters
    ----------
    original : array (n,)
        Original labels of all points.
    sample : array (m,)
        Indices of the bootstrap sample (with repetitions).
    boot_labels : array (m,)
        Labels of the bootstrap clustering, aligned with ``sample``.

    Returns
    -------
    array
        One Jaccard per original cluster, in ``np.unique(original)`` order.

    Examples
    --------
    >>> import numpy as np
    >>> clusterboot_jaccard(np.array([0, 0, 1, 1]), np.array([0, 1, 2]),
    ...                     np.array([5, 6, 6])).round(3).tolist()
    [0.5, 0.5]
    """
    original = np.asarray(original)
    sub = original[np.asarray(sample)]
    boot_labels = np.asarray(boot_labels)
    out = []
    for g in np.unique(original):
        a = sub == g
        best = 0.0
        for h in np.unique(boot_labels):
            b = boot_labels == h
            best = max(best, (a & b).sum() / (a | b).sum())
        out.append(best)
    return np.array(out, dtype=float)


def _tick_label(text: str, n_ticks: int) -> str:
    """A cluster name wrapped to the width of one of ``n_ticks`` ticks of the 8-inch Jaccard panel.

    Bilingual names (``"zh / en"``) go on separate lines; each line is
    wrapped at spaces (English) or cut (Chinese, about two columns a glyph)
    so neighbouring labels do not overlap.
    """
    width = max(8, int(130 / max(n_ticks, 1)))  # columns of 7-point text per tick
    out: list[str] = []
    for part in text.split(" / "):
        if " " in part:
            out += textwrap.wrap(part, width=width, break_long_words=False) or [part]
        else:  # Chinese has no spaces: cut by display width
            line, cols = "", 0
            for ch in part:
                w = 2 if ord(ch) > 0x2E7F else 1
                if cols + w > width and line:
                    out.append(line)
                    line, cols = "", 0
                line, cols = line + ch, cols + w
            out.append(line)
    return "\n".join(out)


@dataclass
class StabilityResult:
    """Bootstrap stability of a clustering.

    Attributes
    ----------
    clusters : DataFrame
        Per cluster: ``n_stations``, ``jaccard_mean`` (fpc ``bootmean``),
        ``jaccard_sd``, ``dissolved`` (share of bootstraps with Jaccard ≤ 0.5,
        fpc ``bootbrd``/B), ``recovered`` (share > 0.75, fpc ``bootrecover``/B),
        ``singleton`` (a one-station cluster) and ``unstable`` (mean <
        ``threshold``, or a singleton: a station alone keeps a high Jaccard
        whenever it is resampled, which says nothing about a type).
    jaccard : DataFrame
        Bootstrap × cluster Jaccard values.
    ari : Series
        ARI between the original labels (on the bootstrap sample) and the
        bootstrap clustering, one per bootstrap.
    """

    clusters: pd.DataFrame
    jaccard: pd.DataFrame
    ari: pd.Series
    threshold: float
    labels: pd.Series = field(repr=False)

    @property
    def min_jaccard(self) -> float:
        """Smallest per-cluster mean Jaccard."""
        return float(self.clusters["jaccard_mean"].min())

    def to_frame(self) -> pd.DataFrame:
        """The per-cluster table."""
        return self.clusters.copy()

    def plot(self, *, names: pd.Series | None = None, lang: str | None = None) -> Any:
        """Box plots of per-cluster Jaccard and the ARI distribution; returns the Figure."""
        import matplotlib.pyplot as plt

        from ..viz.theme import _resolve_lang

        lang = _resolve_lang(lang)
        data = [self.jaccard[c].dropna().to_numpy() for c in self.jaccard.columns]
        ticks = [
            f"{c}" if names is None else _tick_label(f"{c}: {names[c]}", len(data))
            for c in self.jaccard.columns
        ]
        lines = max(t.count("\n") + 1 for t in ticks)
        fig, (a1, a2) = plt.subplots(
            1, 2, figsize=(11, 3.6 + 0.14 * lines), gridspec_kw={"width_ratios": [3, 1]}
        )
        a1.boxplot(data, showmeans=True)
        a1.set_xticks(range(1, len(ticks) + 1), ticks, fontsize=7)
        a1.axhline(self.threshold, color="firebrick", linestyle="--", linewidth=1)
        a1.set_ylim(0, 1.02)
        t = {"zh": "各类自助法 Jaccard", "en": "Bootstrap Jaccard per cluster"}
        a1.set_title(t["zh"] if lang == "zh" else t["en"] if lang == "en" else f"{t['zh']} / {t['en']}")
        a1.set_ylabel("Jaccard")
        a2.boxplot([self.ari.to_numpy()], showmeans=True)
        a2.set_xticks([1], ["ARI"])
        a2.set_ylim(min(0, float(self.ari.min())) - 0.02, 1.02)
        a2.set_title("ARI")
        fig.tight_layout()
        return fig


@_single_threaded
def stability(
    features: pd.DataFrame,
    k: int,
    n_boot: int = 100,
    method: str = "kmeans",
    *,
    seed: int = 0,
    threshold: float = 0.6,
    block_weights: bool = False,
) -> StabilityResult:
    """Bootstrap stability of each cluster (Hennig 2007; R ``fpc::clusterboot``).

    The stations are resampled with replacement ``n_boot`` times and, as in
    fpc's default, each drawn station enters the bootstrap data once; each sample
    is re-clustered with the same pipeline (re-fitting the scaler) and every
    original cluster is compared with its most similar bootstrap cluster by
    the Jaccard coefficient on the resampled points
    (:func:`clusterboot_jaccard`).  The mean over bootstraps is fpc's
    ``bootmean``; Hennig's guidance: < 0.6 unstable ("dissolved" pattern),
    0.6–0.75 pattern but doubtful membership, ≥ 0.85 highly stable.

    Parameters
    ----------
    features : DataFrame
    k : int
    n_boot : int
        Bootstrap replicates.
    method : {"kmeans", "ward", "gmm"}
    seed : int
        Seed of the resampling and of the models.
    threshold : float
        Clusters with mean Jaccard below it are flagged ``unstable``.
    block_weights : bool

    Returns
    -------
    StabilityResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.r_[rng.normal(0, .2, (10, 2)), rng.normal(4, .2, (10, 2))], columns=["a", "b"])
    >>> st = stability(X, 2, n_boot=10)
    >>> round(st.min_jaccard, 2), bool(st.clusters["unstable"].any())
    (1.0, False)
    """
    _check_features(features)
    if n_boot < 1:
        raise ValueError("n_boot must be at least 1")
    base = fit(features, k, method, seed=seed, block_weights=block_weights)
    orig = base.labels.to_numpy()
    rng = np.random.default_rng(seed)
    n = len(features)
    jac, ari = [], []
    for _ in range(n_boot):
        idx = pd.unique(rng.integers(0, n, n))  # fpc default multipleboot = FALSE
        while len(idx) <= k:  # cannot form k clusters
            idx = pd.unique(rng.integers(0, n, n))
        fb = features.iloc[idx]
        pipe = make_pipeline(features, k, method, seed=seed, block_weights=block_weights)
        lb = _fit_labels(pipe, fb)
        jac.append(clusterboot_jaccard(orig, idx, lb))
        ari.append(adjusted_rand_score(orig[idx], lb))
    clusters = np.unique(orig)
    J = pd.DataFrame(jac, columns=pd.Index(clusters, name="cluster"))
    J.index.name = "bootstrap"
    tab = pd.DataFrame(
        {
            "n_stations": pd.Series(orig).value_counts().reindex(clusters).to_numpy(),
            "jaccard_mean": J.mean().to_numpy(),
            "jaccard_sd": J.std(ddof=1).to_numpy() if n_boot > 1 else np.nan,
            "dissolved": (J <= 0.5).sum().to_numpy() / J.notna().sum().to_numpy(),
            "recovered": (J > 0.75).sum().to_numpy() / J.notna().sum().to_numpy(),
        },
        index=pd.Index(clusters, name="cluster"),
    )
    # One station resampled alone always "recovers" itself: no evidence of a stable type.
    tab["singleton"] = tab["n_stations"] == 1
    tab["unstable"] = (tab["jaccard_mean"] < threshold) | tab["singleton"]
    return StabilityResult(
        clusters=tab,
        jaccard=J,
        ari=pd.Series(ari, name="ari").rename_axis("bootstrap"),
        threshold=threshold,
        labels=base.labels,
    )
