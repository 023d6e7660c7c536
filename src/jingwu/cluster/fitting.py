"""Fitting a clustering: :func:`fit` and :class:`ClusterResult` (centres, profiles, names, plots)."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from sklearn.decomposition import PCA
from sklearn.pipeline import Pipeline

from .features import FEATURES
from .pipeline import _check_features, _fit_labels, _single_threaded, make_pipeline
from .selection import choose_k, select_k

__all__ = ["ClusterResult", "fit"]


def _canonical(labels: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Relabel clusters 1..k by the first principal coordinate of their centre, then size."""
    uniq = np.unique(labels)
    pc = PCA(n_components=1).fit(x)
    sign = np.sign(pc.components_[0][np.argmax(np.abs(pc.components_[0]))])
    score = {g: float(sign * pc.transform(x[labels == g]).mean()) for g in uniq}
    order = sorted(uniq, key=lambda g: (-score[g], -(labels == g).sum(), g))
    mapping = {g: i + 1 for i, g in enumerate(order)}
    return np.array([mapping[g] for g in labels])


#: Features that measure the same thing as another one, for names (fraud share
#: of the last year and fraud share of the whole mix).
_SAME_CONCEPT: dict[str, str] = {"fraud_share": "mix_fraud"}
#: Beyond its first feature, a name only uses features with |z| at least this.
_NAME_MIN_Z = 0.5


def _name_features(row: pd.Series) -> list[tuple[str, float]]:
    """A cluster's profile row -> (feature, z) candidates for its name, most distinctive first."""
    order = row.abs().sort_values(ascending=False, kind="stable").index
    seen: set[str] = set()
    picked: list[tuple[str, float]] = []
    for feat in order:
        blk = FEATURES.get(feat, {"block": feat})["block"]
        concept = _SAME_CONCEPT.get(feat, feat)
        z = float(row[feat])
        if blk in seen or concept in seen or (blk == "weekly" and abs(z) < 1.5):
            continue
        if picked and abs(z) < _NAME_MIN_Z:
            break
        seen.update({blk, concept})
        picked.append((feat, z))
    return picked


@dataclass
class ClusterResult:
    """A fitted workload clustering.

    Attributes
    ----------
    features : DataFrame
        The feature table clustered (not modified).
    labels : Series
        Cluster 1..k per station (1 = highest on the first principal axis).
    pipeline : Pipeline
        The fitted scikit-learn pipeline.
    method, k, seed :
        Settings used.
    centres : DataFrame
        Cluster means of every feature in its original units (one row per
        cluster; shares as arithmetic means of station shares).
    """

    features: pd.DataFrame
    labels: pd.Series
    pipeline: Pipeline
    method: str
    k: int
    seed: int
    centres: pd.DataFrame = field(repr=False)
    embedding: np.ndarray = field(repr=False)
    describe: pd.DataFrame | None = field(default=None, repr=False)

    def _table(self) -> pd.DataFrame:
        return self.features if self.describe is None else self.features.join(self.describe)

    def profiles(self) -> pd.DataFrame:
        """Standardised feature means per cluster (z-scores; heatmap data).

        Each feature is standardised over stations (mean 0, s.d. 1, in its
        original units) and averaged within clusters: rows are clusters,
        columns features.
        """
        f = self._table()
        z = (f - f.mean()) / f.std(ddof=0).replace(0, np.nan)
        return z.fillna(0.0).groupby(self.labels.values).mean().rename_axis("cluster")

    def names(self, lang: str = "both", n_features: int = 2) -> pd.Series:
        """Descriptive names built from each cluster's most distinguishing features.

        For each cluster the features with the largest absolute standardised
        mean (:meth:`profiles`) are taken, at most one per block and one per
        concept (so a busy station is not "high volume, high volume per
        officer", nor "high fraud, high telecom fraud" from the fraud share and
        the fraud mix share; a single weekday only when |z| ≥ 1.5), and written
        as 高/低 + the feature's short name, e.g.
        ``"高电诈·高人均警情 / High fraud, high load per officer"``.  After the
        first, a feature enters a name only if it sets the cluster clearly
        apart (|z| ≥ 0.5), so that small clusters are not named after noise.
        If two clusters would share a name, only *those* names get one more
        feature (again |z| ≥ 0.5), and names still equal are numbered.  A
        one-station cluster is marked (“1 station”, 单站) since it describes a
        station, not a type.

        Parameters
        ----------
        lang : {"both", "zh", "en"}
        n_features : int
            Features per name (at most).
        """
        if lang not in ("both", "zh", "en"):
            raise ValueError(f"lang must be 'both', 'zh' or 'en', not {lang!r}")
        prof = self.profiles()[list(self.features.columns)]
        ranked = {g: _name_features(row) for g, row in prof.iterrows()}
        n = {g: min(n_features, len(p)) for g, p in ranked.items()}

        def spell(g: Any) -> tuple[str, str]:
            parts = ranked[g][: max(n[g], 1)]
            zh = "·".join(
                ("高" if v > 0 else "低") + FEATURES.get(f, {}).get("short_zh", f) for f, v in parts
            )
            en = ", ".join(
                ("high " if v > 0 else "low ") + FEATURES.get(f, {}).get("short_en", f) for f, v in parts
            )
            return zh, en[:1].upper() + en[1:]

        while True:
            spelled = {g: spell(g) for g in ranked}
            clash = [g for g in ranked if sum(spelled[h][0] == spelled[g][0] for h in ranked) > 1]
            longer = [g for g in clash if n[g] < len(ranked[g])]
            if not longer:
                break
            for g in longer:
                n[g] += 1
        sizes = self.labels.value_counts()
        out = {}
        for g in prof.index:
            zh, en = spelled[g]
            if g in clash:
                zh, en = f"{zh}（{g}）", f"{en} ({g})"
            if sizes.get(g, 0) == 1:
                zh, en = f"{zh}（单站）", f"{en} (1 station)"
            out[g] = zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"
        return pd.Series(out, name="name").rename_axis("cluster")

    def to_frame(self, lang: str = "both") -> pd.DataFrame:
        """One row per station: ``station_id``, ``cluster``, ``cluster_name`` and the features."""
        names = self.names(lang)
        out = self._table().copy()
        out.insert(0, "cluster", self.labels.values)
        out.insert(1, "cluster_name", self.labels.map(names).values)
        return out.rename_axis("station_id").reset_index()

    def summary(self, lang: str = "both") -> pd.DataFrame:
        """Size and name (in ``lang``, as :meth:`names`) of every cluster; ``singleton`` flags
        one-station clusters."""
        sizes = self.labels.value_counts().sort_index()
        return pd.DataFrame(
            {"n_stations": sizes, "name": self.names(lang), "singleton": sizes == 1}
        ).rename_axis("cluster")

    def plot_map(self, *, ax: Any = None, annotate: bool = True, lang: str | None = None) -> Any:
        """Stations on the first two principal components of the clustered data.

        Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt

        from ..viz.theme import _resolve_lang

        lang = _resolve_lang(lang)
        if ax is None:
            _, ax = plt.subplots(figsize=(8, 6))
        pca = PCA(n_components=min(2, self.embedding.shape[1]), random_state=0).fit(self.embedding)
        xy = pca.transform(self.embedding)
        if xy.shape[1] == 1:
            xy = np.column_stack([xy, np.zeros(len(xy))])
        names = self.names("zh" if lang == "zh" else "en" if lang == "en" else "both")
        palette = plt.get_cmap("tab10")
        for g in sorted(self.labels.unique()):
            sel = (self.labels == g).to_numpy()
            ax.scatter(
                xy[sel, 0],
                xy[sel, 1],
                s=45,
                color=palette((g - 1) % 10),
                label=f"{g}: {names[g]}",
                edgecolor="white",
                linewidth=0.5,
            )
        if annotate:
            for sid, (px, py) in zip(self.labels.index, xy):
                ax.annotate(
                    str(sid), (px, py), fontsize=6, xytext=(2, 2), textcoords="offset points", color="dimgrey"
                )
        ev = pca.explained_variance_ratio_
        ax.set_xlabel(f"PC1 ({ev[0]:.0%})")
        ax.set_ylabel(f"PC2 ({ev[1]:.0%})" if len(ev) > 1 else "")
        ax.legend(fontsize=7, loc="best", framealpha=0.8)
        return ax

    def plot_profiles(self, *, ax: Any = None, lang: str | None = None, vmax: float = 2.0) -> Any:
        """Heatmap of :meth:`profiles` (features × clusters), labelled in zh/en.

        Returns the matplotlib Axes.
        """
        import matplotlib.pyplot as plt
        import seaborn as sns

        from ..viz.theme import _resolve_lang

        lang = _resolve_lang(lang)
        prof = self.profiles().T
        key = "zh" if lang == "zh" else "en"
        prof.index = [
            FEATURES.get(f, {}).get(key, f)
            if lang != "both"
            else (f"{FEATURES[f]['zh']} / {FEATURES[f]['en']}" if f in FEATURES else f)
            for f in prof.index
        ]
        names = self.names("zh" if lang == "zh" else "en" if lang == "en" else "both")
        prof.columns = [f"{g}: {names[g]}".replace(" / ", "\n") for g in prof.columns]
        if ax is None:
            _, ax = plt.subplots(figsize=(3.0 * self.k + 4, 0.32 * len(prof) + 2))
        sns.heatmap(
            prof,
            cmap="RdBu_r",
            center=0,
            vmin=-vmax,
            vmax=vmax,
            annot=True,
            fmt=".1f",
            annot_kws={"fontsize": 7},
            cbar_kws={"label": "z"},
            ax=ax,
        )
        ax.tick_params(axis="x", labelrotation=0, labelsize=7)
        ax.tick_params(axis="y", labelsize=8)
        return ax


def _warn_singletons(labels: pd.Series) -> None:
    sizes = labels.value_counts()
    alone = sorted(int(g) for g in sizes.index[sizes == 1])
    if alone:
        warnings.warn(
            f"k = {labels.nunique()} leaves {len(alone)} cluster(s) with a single station "
            f"(clusters {', '.join(map(str, alone))}): their profiles and names describe one "
            "station, not a type; consider a smaller k",
            UserWarning,
            stacklevel=3,
        )


@_single_threaded
def fit(
    features: pd.DataFrame,
    k: int | None = None,
    method: str = "kmeans",
    *,
    seed: int = 0,
    k_range: Sequence[int] = range(2, 9),
    block_weights: bool = False,
    describe: pd.DataFrame | None = None,
) -> ClusterResult:
    """Cluster stations on their workload features.

    Parameters
    ----------
    features : DataFrame
        One row per station (:func:`workload_features`), finite values.
    k : int, optional
        Number of clusters; default chosen by :func:`choose_k` over ``k_range``.
    method : {"kmeans", "ward", "gmm"}
    seed : int
        Seed of the model (same seed → same labels).
    k_range : sequence of int
        Candidates when ``k`` is None.
    block_weights : bool
        See :func:`make_pipeline`.
    describe : DataFrame, optional
        Extra columns per station (same index; e.g. the outcomes
        ``clearance_rate`` and ``response_minutes``) shown in ``centres``,
        :meth:`~ClusterResult.profiles` and ``to_frame`` but not clustered
        and not used for names.

    Returns
    -------
    ClusterResult

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.r_[rng.normal(0, .2, (6, 2)), rng.normal(3, .2, (6, 2))],
    ...                  columns=["fraud_share", "growth"])
    >>> res = fit(X, k=2)
    >>> res.names("en").tolist()
    ['High growth, high fraud', 'Low growth, low fraud']
    """
    _check_features(features)
    if k is None:
        k_range = [kk for kk in k_range if 2 <= kk < len(features)]
        k = choose_k(select_k(features, k_range, methods=(method,), seed=seed, block_weights=block_weights))
    if not 1 <= int(k) <= len(features):
        raise ValueError(f"k must be between 1 and the number of stations ({len(features)}), not {k}")
    pipe = make_pipeline(features, int(k), method, seed=seed, block_weights=block_weights)
    raw = _fit_labels(pipe, features)
    x = pipe[:-1].transform(features)
    labels = _canonical(raw, x) if int(k) > 1 else np.ones(len(features), dtype=int)
    lab = pd.Series(labels, index=features.index, name="cluster")
    extra = None
    if describe is not None:
        extra = describe.drop(columns=[c for c in describe.columns if c in features.columns])
        extra = extra.reindex(features.index)
    table = features if extra is None else features.join(extra)
    centres = table.groupby(labels).mean().rename_axis("cluster")
    _warn_singletons(lab)
    return ClusterResult(
        features=features,
        labels=lab,
        pipeline=pipe,
        method=method,
        k=int(k),
        seed=seed,
        centres=centres,
        embedding=x,
        describe=extra,
    )
