"""Each station's workload cluster for later notebooks: the hand-off from notebook 02."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from .. import paths
from ..errors import DataError
from ..schema import require_columns
from .features import workload_columns, workload_features
from .fitting import ClusterResult, fit
from .selection import choose_k, select_k

__all__ = ["CLUSTER_TABLE", "station_clusters"]

#: Notebook 02's stations with their workload cluster, in the tables directory.
CLUSTER_TABLE = "02_cluster_workload.csv"

_COLUMNS = ["station_id", "cluster", "cluster_name"]


def _from_table(table: pd.DataFrame, ids: list[str]) -> pd.DataFrame | None:
    """The hand-off columns for ``ids``, or None when ``table`` does not list them all."""
    if not set(_COLUMNS) <= set(table.columns):
        return None
    table = table.assign(station_id=table["station_id"].astype(str))
    if not set(ids) <= set(table["station_id"]):
        return None
    return (
        table[table["station_id"].isin(ids)][_COLUMNS]
        .drop_duplicates("station_id")
        .sort_values("station_id")
        .reset_index(drop=True)
    )


def _localized(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """``cluster_name`` in ``lang``: the Chinese or English half of a bilingual ``"zh / en"`` name."""
    if lang == "both":
        return table
    part = 0 if lang == "zh" else 1
    return table.assign(
        cluster_name=table["cluster_name"].map(
            lambda v: v.split(" / ", 1)[part] if isinstance(v, str) and " / " in v else v
        )
    )


def station_clusters(
    demand: pd.DataFrame,
    stations: pd.DataFrame,
    panel: pd.DataFrame | None = None,
    *,
    saved: str | os.PathLike[str] | pd.DataFrame | ClusterResult | bool | None = None,
    k: int | None = None,
    k_range: Sequence[int] = range(2, 8),
    methods: Sequence[str] = ("kmeans", "ward"),
    n_ref: int = 10,
    seed: int = 0,
    lang: str = "both",
) -> pd.DataFrame:
    """Each station's workload cluster: the one handed over, or clustered here as notebook 02 does.

    The hand-off is explicit: nothing is read unless ``saved`` names it, so
    the same call gives the same clusters whatever earlier runs left behind.

    Parameters
    ----------
    demand, stations, panel : DataFrame
        Daily demand, the station table and (optional) the monthly panel.
    saved : path, DataFrame, ClusterResult, bool or None
        Where notebook 02's clusters come from: a path to its table (e.g.
        ``jw.paths.tables_dir() / CLUSTER_TABLE``), a frame with
        ``station_id, cluster, cluster_name`` or a :class:`ClusterResult`.
        They are used when they list every station of ``stations``;
        otherwise (and with the default ``None``) the stations are clustered
        here: workload features, k chosen by the criteria vote over
        ``k_range`` (unless ``k`` is given), k-means.  ``True`` (the tables
        directory) is deprecated: pass the path.
    k, k_range, methods, n_ref, seed
        Settings of the clustering done here.
    lang : {"both", "zh", "en"}
        Language of ``cluster_name``: bilingual names (``"zh / en"``, as
        :meth:`ClusterResult.names` writes them) are cut to the Chinese or
        English part; names saved in one language are kept as they are.

    Returns
    -------
    DataFrame
        ``station_id, cluster, cluster_name``; ``.attrs["source"]`` is
        ``"saved"`` (with ``.attrs["path"]`` for a file), ``"given"`` or ``"computed"``.

    Examples
    --------
    >>> import jingwu as jw
    >>> city = jw.datasets.load_m_city()
    >>> cl = station_clusters(city.demand, city.stations, k=3)
    >>> cl.attrs["source"], sorted(cl["cluster"].unique().tolist())
    ('computed', [1, 2, 3])
    >>> station_clusters(city.demand, city.stations, saved=cl).attrs["source"]
    'given'
    >>> " / " in station_clusters(city.demand, city.stations, saved=cl, lang="en")["cluster_name"].iloc[0]
    False
    """
    if lang not in ("both", "zh", "en"):
        raise ValueError(f"lang must be 'both', 'zh' or 'en', not {lang!r}")
    require_columns(stations, ["station_id"], what="the station clusters", file="stations")
    ids = sorted(stations["station_id"].astype(str))
    if saved is True:
        warnings.warn(
            "station_clusters(saved=True) reads the tables directory implicitly and is deprecated: "
            "pass saved=jw.paths.tables_dir() / jw.cluster.CLUSTER_TABLE",
            DeprecationWarning,
            stacklevel=2,
        )
        saved = paths.tables_dir() / CLUSTER_TABLE
    if isinstance(saved, (ClusterResult, pd.DataFrame)):
        table = saved.to_frame() if isinstance(saved, ClusterResult) else saved
        out = _from_table(table, ids)
        if out is None:
            raise DataError(
                "the clusters handed over do not cover every station",
                file="clusters",
                column=[c for c in _COLUMNS if c not in table.columns] or "station_id",
                rows=sorted(set(ids) - set(table.get("station_id", pd.Series(dtype=str)).astype(str))),
                expected="station_id, cluster, cluster_name for every station of the station table",
            )
        out = _localized(out, lang)
        out.attrs.update(source="given")
        return out
    if saved is not None and saved is not False:
        path = Path(saved)
        if path.is_file():
            out = _from_table(pd.read_csv(path, dtype={"station_id": str}), ids)
            if out is not None:
                out = _localized(out, lang)
                out.attrs.update(source="saved", path=path.name)
                return out
    features = workload_features(demand, stations, panel=panel)
    X = features[workload_columns(features)]
    if k is None:
        k = choose_k(
            select_k(X, [kk for kk in k_range if 2 <= kk < len(X)], methods=methods, n_ref=n_ref, seed=seed)
        )
    result = fit(X, int(k), seed=seed)
    out = result.to_frame(lang)[_COLUMNS]
    out = (
        out.assign(station_id=out["station_id"].astype(str)).sort_values("station_id").reset_index(drop=True)
    )
    out.attrs.update(source="computed")
    return out
