"""Choosing the number of clusters: criteria per k (:func:`select_k`, :func:`gap_statistic`)
and a documented vote (:func:`choose_k`)."""

from __future__ import annotations

import heapq
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import calinski_harabasz_score, davies_bouldin_score, silhouette_score

from .pipeline import METHODS, _check_features, _model, _single_threaded, _transformed, make_pipeline

__all__ = ["gap_statistic", "select_k", "choose_k", "KChoice", "plot_select_k", "SAMPLE_SIZE"]

#: Above this many stations :func:`select_k` computes the silhouette on a
#: seeded sample of this many stations: the silhouette compares every pair of
#: stations (40,000 stations: 1.6 billion distances per k), the other
#: criteria are linear in stations.
SAMPLE_SIZE: int = 5_000


def _wss(x: np.ndarray, labels: np.ndarray) -> float:
    return float(sum(((x[labels == g] - x[labels == g].mean(axis=0)) ** 2).sum() for g in np.unique(labels)))


def _cluster_matrix(x: np.ndarray, k: int, method: str, seed: int) -> np.ndarray:
    if k == 1:
        return np.zeros(len(x), dtype=int)
    model = _model(method, k, seed)
    return np.asarray(model.fit_predict(x))


def _ward_partitions(x: np.ndarray, ks: Sequence[int]) -> dict[int, np.ndarray]:
    """Ward labels of ``x`` for each k of ``ks``, cut from one tree.

    scikit-learn's ``AgglomerativeClustering(linkage="ward")`` builds the full
    SciPy Ward tree and cuts it by undoing the last ``k − 1`` merges
    (``_hc_cut``); the same cut, numbered the same way, is made here for
    every k from a single tree, so the labels (and every criterion computed
    from them, to the last bit) equal a fresh fit at each k.
    """
    from scipy.cluster.hierarchy import ward

    n = len(x)
    out: dict[int, np.ndarray] = {}
    if n == 1:
        return {int(k): np.zeros(1, dtype=int) for k in ks if int(k) == 1}
    children = ward(np.require(x, dtype=float, requirements="W"))[:, :2].astype(np.intp)
    for k in sorted({int(k) for k in ks if 1 <= int(k) <= n}):
        nodes = [-(int(children[-1].max()) + 1)]
        for _ in range(k - 1):
            a, b = children[-nodes[0] - n]
            heapq.heappush(nodes, -int(a))
            heapq.heappushpop(nodes, -int(b))
        labels = np.zeros(n, dtype=np.intp)
        for i, node in enumerate(nodes):
            stack = [-node]
            while stack:
                v = stack.pop()
                if v < n:
                    labels[v] = i
                else:
                    stack.extend(children[v - n])
        out[k] = labels
    return out


def _sample_index(n: int, sample_size: int | None, seed: int) -> np.ndarray | None:
    """Sorted positions of a seeded sample of ``sample_size`` of ``n`` rows; ``None`` when all are used."""
    if sample_size is None or n <= sample_size:
        return None
    return np.sort(np.random.default_rng(seed).choice(n, size=sample_size, replace=False))


def _silhouette(x: np.ndarray, labels: np.ndarray, sample: np.ndarray | None) -> float:
    """Mean silhouette of ``labels``, over the rows in ``sample`` when given (NaN if undefined)."""
    if sample is not None:
        x, labels = x[sample], labels[sample]
    found = len(np.unique(labels))
    return float(silhouette_score(x, labels)) if 1 < found < len(labels) else np.nan


def _partitions(x: np.ndarray, ks: Sequence[int], method: str, seed: int) -> dict[int, np.ndarray]:
    """Labels for every k: one Ward tree cut at each k, or one model fit per k."""
    if method == "ward":
        return _ward_partitions(x, ks)
    return {int(k): _cluster_matrix(x, int(k), method, seed) for k in ks}


@_single_threaded
def gap_statistic(
    x: np.ndarray,
    k_max: int,
    *,
    method: str = "kmeans",
    n_ref: int = 20,
    seed: int = 0,
) -> pd.DataFrame:
    """Gap statistic of Tibshirani, Walther & Hastie (2001), k = 1..k_max.

    ``Gap(k) = mean_b log W*_kb − log W_k`` where ``W`` is the pooled
    within-cluster sum of squares and the ``n_ref`` reference data sets are
    drawn uniformly over the box aligned with the principal components of
    ``x`` (their reference distribution (b)), with a seeded generator.
    ``s_k = sd_b(log W*_kb) · sqrt(1 + 1/n_ref)``.

    Parameters
    ----------
    x : array (n, p)
        Data as clustered (already transformed and scaled).
    k_max : int
        Largest k.
    method : {"kmeans", "ward", "gmm"}
        Clustering applied to the data and to every reference set.
    n_ref : int
        Number of reference draws B.
    seed : int
        Seed of the reference draws and of the model.

    Returns
    -------
    DataFrame
        ``k``, ``log_w``, ``log_w_ref``, ``gap``, ``s``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(1)
    >>> x = np.r_[rng.normal(0, .2, (15, 2)), rng.normal(3, .2, (15, 2))]
    >>> g = gap_statistic(x, 3, n_ref=5)
    >>> int(g.loc[g["gap"].idxmax(), "k"])
    2
    """
    x = np.asarray(x, float)
    if n_ref < 2:
        raise ValueError("n_ref must be at least 2")
    if k_max < 1 or k_max >= len(x):
        raise ValueError(f"k_max must be between 1 and n - 1 = {len(x) - 1}")
    rng = np.random.default_rng(seed)
    xc = x - x.mean(axis=0)
    _, _, vt = np.linalg.svd(xc, full_matrices=False)
    z = xc @ vt.T
    lo, hi = z.min(axis=0), z.max(axis=0)
    refs = [rng.uniform(lo, hi, size=z.shape) @ vt for _ in range(n_ref)]
    ks = range(1, k_max + 1)
    log_w = {k: np.log(_wss(x, lab)) for k, lab in _partitions(x, ks, method, seed).items()}
    ref_w = [{k: np.log(_wss(r, lab)) for k, lab in _partitions(r, ks, method, seed).items()} for r in refs]
    rows = []
    for k in ks:
        ref = np.array([w[k] for w in ref_w])
        rows.append(
            {
                "k": k,
                "log_w": log_w[k],
                "log_w_ref": ref.mean(),
                "gap": ref.mean() - log_w[k],
                "s": ref.std(ddof=0) * np.sqrt(1 + 1 / n_ref),
            }
        )
    return pd.DataFrame(rows)


@_single_threaded
def select_k(
    features: pd.DataFrame,
    k_range: Sequence[int] = range(2, 9),
    methods: Sequence[str] = METHODS,
    *,
    n_ref: int = 20,
    seed: int = 0,
    block_weights: bool = False,
    sample_size: int | None = SAMPLE_SIZE,
) -> pd.DataFrame:
    """Model-selection criteria for every k and method.

    The silhouette compares every pair of stations, so its cost grows with
    the square of their number; above ``sample_size`` stations it is the mean
    silhouette of a seeded random sample of ``sample_size`` stations (the same
    sample for every method and k; Rousseeuw's silhouette averaged over a
    sample, as ``sklearn.metrics.silhouette_score(sample_size=)`` and R
    ``cluster::clara`` do).  The clustering itself and the other criteria
    always use every station, and with ``sample_size`` stations or fewer
    nothing is sampled.  Ward's method builds the full distance tree (memory
    quadratic in stations); beyond some 10,000 stations use k-means or the
    GMM.

    Parameters
    ----------
    features : DataFrame
        One row per station (:func:`workload_features`).
    k_range : sequence of int
        Candidate numbers of clusters (each ≥ 2 and < number of stations).
    methods : sequence of {"kmeans", "ward", "gmm"}
        Clustering methods.
    n_ref : int
        Reference draws of the gap statistic.
    seed : int
        Seed of models and reference draws.
    block_weights : bool
        See :func:`make_pipeline`.
    sample_size : int or None
        Stations above which the silhouette is computed on a seeded sample of
        this size (default :data:`SAMPLE_SIZE` = 5,000); ``None`` always uses
        every station.

    Returns
    -------
    DataFrame
        One row per (method, k): ``silhouette`` (higher is better; on the
        sample above ``sample_size`` stations, see ``silhouette_n``),
        ``calinski_harabasz`` (higher), ``davies_bouldin`` (lower), ``gap``
        and ``gap_s`` (Tibshirani's rule), ``bic`` (GMM only, lower),
        ``n_clusters_found`` (distinct labels; a GMM may leave components empty),
        ``min_cluster_size`` (stations in the smallest cluster),
        ``silhouette_n`` (stations the silhouette averaged over) and
        ``n_stations``; :func:`choose_k` uses the last two for its
        small-sample rules.
        Pass it to :func:`choose_k` and :func:`plot_select_k`.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(0)
    >>> X = pd.DataFrame(np.r_[rng.normal(0, .2, (8, 2)), rng.normal(4, .2, (8, 2))], columns=["a", "b"])
    >>> sel = select_k(X, [2, 3], methods=["kmeans"], n_ref=5)
    >>> choose_k(sel)
    2
    """
    _check_features(features)
    ks = sorted({int(k) for k in k_range})
    n = len(features)
    if not ks or ks[0] < 2 or ks[-1] >= n:
        raise ValueError(f"k_range must hold integers between 2 and n - 1 = {n - 1}, not {list(k_range)}")
    for m in methods:
        if m not in METHODS:
            raise ValueError(f"method must be one of {METHODS}, not {m!r}")
    if sample_size is not None and (
        isinstance(sample_size, bool) or not isinstance(sample_size, (int, np.integer)) or sample_size < 2
    ):
        raise ValueError(f"sample_size must be an integer >= 2 or None, not {sample_size!r}")
    sample = _sample_index(n, sample_size, seed)
    x = _transformed(make_pipeline(features, 2, block_weights=block_weights), features)
    rows = []
    for m in methods:
        k_gap = min(ks[-1] + 1, n - 1)
        gap = gap_statistic(x, k_gap, method=m, n_ref=n_ref, seed=seed).set_index("k")
        cuts = _ward_partitions(x, ks) if m == "ward" else {}
        for k in ks:
            if m == "gmm":
                model = _model(m, k, seed).fit(x)
                labels, bic = model.predict(x), float(model.bic(x))
            else:
                labels, bic = cuts[k] if m == "ward" else _cluster_matrix(x, k, m, seed), np.nan
            sizes = np.unique(labels, return_counts=True)[1]
            found = len(sizes)
            ok = 1 < found < n
            rows.append(
                {
                    "method": m,
                    "k": k,
                    "silhouette": _silhouette(x, labels, sample) if ok else np.nan,
                    "calinski_harabasz": calinski_harabasz_score(x, labels) if ok else np.nan,
                    "davies_bouldin": davies_bouldin_score(x, labels) if ok else np.nan,
                    "gap": gap.loc[k, "gap"],
                    "gap_s": gap.loc[k, "s"],
                    "gap_next": gap.loc[k + 1, "gap"] if k + 1 in gap.index else np.nan,
                    "gap_s_next": gap.loc[k + 1, "s"] if k + 1 in gap.index else np.nan,
                    "bic": bic,
                    "n_clusters_found": found,
                    "min_cluster_size": int(sizes.min()),
                    "silhouette_n": n if sample is None else len(sample),
                    "n_stations": n,
                }
            )
    return pd.DataFrame(rows)


def _votes(sel: pd.DataFrame) -> pd.DataFrame:
    """The k each method prefers under each criterion."""
    votes = []
    for m, g in sel.groupby("method", sort=False):
        g = g.sort_values("k").reset_index(drop=True)
        cand: dict[str, Any] = {}
        if g["silhouette"].notna().any():
            cand["silhouette"] = g.loc[g["silhouette"].idxmax(), "k"]
        if g["calinski_harabasz"].notna().any():
            cand["calinski_harabasz"] = g.loc[g["calinski_harabasz"].idxmax(), "k"]
        if g["davies_bouldin"].notna().any():
            cand["davies_bouldin"] = g.loc[g["davies_bouldin"].idxmin(), "k"]
        if g["gap"].notna().any():
            ok = g["gap"] >= g["gap_next"] - g["gap_s_next"]
            cand["gap"] = g.loc[ok.idxmax(), "k"] if ok.any() else g["k"].max()
        if g["bic"].notna().any():
            cand["bic"] = g.loc[g["bic"].idxmin(), "k"]
        votes += [{"method": m, "criterion": c, "k": int(k)} for c, k in cand.items()]
    return pd.DataFrame(votes, columns=["method", "criterion", "k"])


def _mode(values: pd.Series, prefer: int | None = None) -> int:
    counts = values.value_counts()
    top = sorted(int(k) for k in counts.index[counts == counts.max()])
    return prefer if prefer in top else top[0]


def _admissible(selection: pd.DataFrame, min_cluster_size: int, min_mean_size: float) -> pd.Series:
    """Rows of a :func:`select_k` table that the small-sample rules let vote."""
    ok = pd.Series(True, index=selection.index)
    if "min_cluster_size" in selection.columns:
        ok &= selection["min_cluster_size"] >= min_cluster_size
    if "n_stations" in selection.columns:
        ok &= selection["k"] <= selection["n_stations"] / min_mean_size
    return ok


class KChoice(int):
    """The k chosen by :func:`choose_k`, with the vote that chose it.

    An ``int`` subclass, so ``fit(X, k)``, ``k == 3`` and f-strings work as
    with a plain number; the vote is in :attr:`votes`.

    Attributes
    ----------
    votes : DataFrame
        ``method``, ``criterion``, ``k``: each method's preferred k per
        criterion, then one ``"criterion vote"`` row per criterion.
    selection : DataFrame
        The :func:`select_k` table voted on.

    Examples
    --------
    >>> k = KChoice(3, votes=pd.DataFrame({"method": ["criterion vote"], "criterion": ["gap"], "k": [3]}),
    ...             selection=pd.DataFrame())
    >>> k + 1, k.summary().to_dict("records")
    (4, [{'criterion': 'gap', 'k': 3}])
    """

    votes: pd.DataFrame
    selection: pd.DataFrame

    def __new__(cls, k: int, *, votes: pd.DataFrame, selection: pd.DataFrame) -> KChoice:
        obj = super().__new__(cls, int(k))
        obj.votes = votes
        obj.selection = selection
        return obj

    def __reduce__(self) -> tuple:
        return (int, (int(self),))

    @property
    def k(self) -> int:
        """The chosen k as a plain ``int``."""
        return int(self)

    def to_frame(self) -> pd.DataFrame:
        """Every vote: ``method``, ``criterion``, ``k``."""
        return self.votes.copy()

    def summary(self) -> pd.DataFrame:
        """One row per criterion: the k it voted for."""
        crit = self.votes[self.votes["method"] == "criterion vote"]
        return crit[["criterion", "k"]].reset_index(drop=True)

    def plot(self, ax: Any = None, *, lang: str | None = None) -> Any:
        """The criteria against k with the chosen k marked (:func:`plot_select_k`); returns the Figure.

        ``ax``: ``None`` (a new figure), one Axes (its area is split into the
        criterion panels) or a sequence of one Axes per panel.
        """
        return plot_select_k(self.selection, chosen=int(self), lang=lang, ax=ax)


def choose_k(
    selection: pd.DataFrame,
    *,
    return_votes: bool = False,
    min_cluster_size: int = 2,
    min_mean_size: float = 3.0,
) -> KChoice:
    """Pick k from a :func:`select_k` table by a documented vote of criteria.

    The rule, in four steps:

    0. small-sample rules: a (method, k) whose smallest cluster has fewer
       than ``min_cluster_size`` stations (default 2: no one-station
       clusters) does not vote, and no k above ``n / min_mean_size`` (default:
       at least three stations per cluster on average) is considered.  With
       few stations, Calinski–Harabasz, Davies–Bouldin and BIC keep improving
       as outlying stations are split off into clusters of their own; these
       rules stop that (with 15 stations they once chose k = 7 with three
       one-station clusters).  They need the ``min_cluster_size`` and
       ``n_stations`` columns of :func:`select_k`; tables without them are
       voted on unrestricted;
    1. each method names its preferred k under each criterion: the highest
       silhouette, the highest Calinski–Harabasz, the lowest Davies–Bouldin,
       Tibshirani's gap rule (the smallest k with
       ``Gap(k) ≥ Gap(k+1) − s(k+1)``; the largest k if none) and, for the
       GMM, the lowest BIC;
    2. each *criterion* casts one vote: the k most of the methods name
       (ties: the gap statistic's k if it is among them, else the smaller k);
    3. the k with most criterion votes wins; a tie goes to the gap
       statistic's k if it is among the tied (it is the only criterion
       calibrated against a no-structure reference), else to the smaller k.

    Silhouette and Davies–Bouldin reward the best-separated *top-level*
    split, so with nested structure (two very distinct groups and three
    similar ones) they can prefer fewer clusters than Calinski–Harabasz,
    the gap statistic and BIC; the vote keeps every criterion visible.

    Parameters
    ----------
    selection : DataFrame
        Output of :func:`select_k`.
    return_votes : bool
        Deprecated: also return the table of votes as a tuple ``(k, votes)``;
        the result's ``.votes`` (or ``.to_frame()``) holds it.
    min_cluster_size : int
        Smallest admissible cluster (stations); 1 switches the rule off.
    min_mean_size : float
        Fewest stations per cluster on average (k ≤ n / ``min_mean_size``);
        1 switches the rule off.

    Returns
    -------
    KChoice
        The chosen k: an ``int`` (use it wherever k goes) that also carries
        the vote: ``.votes`` / ``.to_frame()`` (``method``, ``criterion``,
        ``k``; the criterion votes as method ``"criterion vote"``),
        ``.summary()`` (one row per criterion) and ``.plot(ax=None)`` (the
        criteria against k, as :func:`plot_select_k`).

    Raises
    ------
    ValueError
        When no candidate satisfies the small-sample rules (the message says
        which k were tried and how to relax the rules).

    Examples
    --------
    >>> sel = pd.DataFrame({"method": "kmeans", "k": [2, 3], "silhouette": [.4, .6],
    ...     "calinski_harabasz": [10., 30.], "davies_bouldin": [.9, .5], "gap": [.1, .5],
    ...     "gap_s": .05, "gap_next": [.5, .4], "gap_s_next": .05, "bic": float("nan")})
    >>> choose_k(sel)
    3
    >>> choose_k(sel.assign(min_cluster_size=[4, 1], n_stations=9))   # k = 3 leaves a station alone
    2
    >>> choose_k(sel).summary()["k"].tolist()
    [3, 3, 3, 3]
    """
    need = {
        "method",
        "k",
        "silhouette",
        "calinski_harabasz",
        "davies_bouldin",
        "gap",
        "gap_next",
        "gap_s_next",
        "bic",
    }
    if not need <= set(selection.columns):
        raise ValueError(f"selection lacks columns {sorted(need - set(selection.columns))}; use select_k")
    if (
        isinstance(min_cluster_size, bool)
        or not isinstance(min_cluster_size, (int, np.integer))
        or min_cluster_size < 1
    ):
        raise ValueError(f"min_cluster_size must be an integer >= 1, not {min_cluster_size!r}")
    if not isinstance(min_mean_size, (int, float, np.integer, np.floating)) or not min_mean_size >= 1:
        raise ValueError(f"min_mean_size must be a number >= 1, not {min_mean_size!r}")
    ok = _admissible(selection, int(min_cluster_size), float(min_mean_size))
    if not ok.any():
        raise ValueError(
            f"no candidate k ({sorted(set(selection['k'].astype(int)))}) has every cluster of at least "
            f"{min_cluster_size} stations and at least {min_mean_size:g} stations per cluster on average; "
            "try smaller k, or lower min_cluster_size / min_mean_size"
        )
    votes = _votes(selection[ok])
    if votes.empty:
        raise ValueError("no criterion could be computed; check the selection table")
    gap_votes = votes.loc[votes["criterion"] == "gap", "k"]
    gap_k = _mode(gap_votes) if len(gap_votes) else None
    crit = {c: _mode(v["k"], prefer=gap_k) for c, v in votes.groupby("criterion", sort=False)}
    k = _mode(pd.Series(list(crit.values())), prefer=gap_k)
    extra = pd.DataFrame({"method": "criterion vote", "criterion": list(crit), "k": list(crit.values())})
    choice = KChoice(k, votes=pd.concat([votes, extra], ignore_index=True), selection=selection)
    if return_votes:
        warnings.warn(
            "choose_k(..., return_votes=True) is deprecated: the result carries the votes "
            "(k = choose_k(sel); k.votes or k.to_frame())",
            DeprecationWarning,
            stacklevel=2,
        )
        return choice, choice.votes  # type: ignore[return-value]
    return choice


def _criterion_axes(ax: Any, n: int) -> tuple[Any, list[Any]]:
    """(figure, ``n`` axes): a new figure, ``n`` given axes, or one Axes' area split into ``n``."""
    import matplotlib.pyplot as plt

    if ax is None:
        fig, grid = plt.subplots(1, n, figsize=(3.2 * n, 3.6), squeeze=False)
        return fig, list(grid[0])
    if isinstance(ax, (list, tuple, np.ndarray)):
        axes = list(np.ravel(ax))
        if len(axes) != n:
            raise ValueError(f"ax must be one Axes or {n} Axes (one per criterion plotted), not {len(axes)}")
        return axes[0].figure, axes
    fig = ax.figure
    spec = ax.get_subplotspec()
    if spec is None:
        raise ValueError("ax must be a subplot (made by plt.subplots or fig.add_subplot) to be split")
    ax.remove()
    grid = spec.subgridspec(1, n, wspace=0.35)
    return fig, [fig.add_subplot(grid[0, i]) for i in range(n)]


def plot_select_k(
    selection: pd.DataFrame, *, chosen: int | None = None, lang: str | None = None, ax: Any = None
) -> Any:
    """Plot every criterion against k, one panel per criterion, one line per method.

    Returns the matplotlib Figure.  ``chosen`` draws a vertical line.  One
    panel per criterion that has values (BIC only when the GMM was among the
    methods).  ``ax`` places the panels: ``None`` draws a new figure, one
    Axes has its area split into the panels, a sequence of as many Axes as
    panels is drawn into as given.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> sel = pd.DataFrame({"method": "kmeans", "k": [2, 3], "silhouette": [.4, .6],
    ...     "calinski_harabasz": [10., 30.], "davies_bouldin": [.9, .5], "gap": [.1, .5],
    ...     "gap_s": .05, "bic": float("nan")})
    >>> len(plot_select_k(sel, chosen=3).axes)   # no BIC without the GMM
    4
    """
    from ..viz.theme import _resolve_lang

    lang = _resolve_lang(lang)
    names = {
        "silhouette": ("轮廓系数 ↑", "Silhouette ↑"),
        "calinski_harabasz": ("Calinski–Harabasz ↑", "Calinski–Harabasz ↑"),
        "davies_bouldin": ("Davies–Bouldin ↓", "Davies–Bouldin ↓"),
        "gap": ("Gap 统计量 ↑", "Gap statistic ↑"),
        "bic": ("GMM BIC ↓", "GMM BIC ↓"),
    }
    # a criterion nobody computed (BIC without the GMM) gets no empty panel
    names = {c: t for c, t in names.items() if c in selection.columns and selection[c].notna().any()}
    if not names:
        raise ValueError("the selection table has no criterion values to plot; use select_k")
    fig, axes = _criterion_axes(ax, len(names))
    for panel, (col, (zh, en)) in zip(axes, names.items()):
        for m, g in selection.groupby("method", sort=False):
            g = g.sort_values("k")
            if g[col].notna().any():
                if col == "gap":
                    panel.errorbar(g["k"], g[col], yerr=g["gap_s"], marker="o", capsize=3, label=m)
                else:
                    panel.plot(g["k"], g[col], marker="o", label=m)
        if chosen is not None:
            panel.axvline(chosen, color="grey", linestyle="--", linewidth=1)
        panel.set_title(zh if lang == "zh" else en if lang == "en" else f"{zh}\n{en}" if zh != en else en)
        panel.set_xlabel("k")
        panel.set_xticks(sorted(selection["k"].unique()))
    axes[0].legend(fontsize=8)
    if not fig.get_layout_engine():
        fig.tight_layout()
    return fig
