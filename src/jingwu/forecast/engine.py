"""Where the models run: in this process, or on a Dask cluster (``engine=``).

``engine=None`` runs everything here.  ``engine="dask"`` uses the Dask
scheduler that is current (a ``dask.distributed.Client`` created earlier in
the session, else Dask's local threads); ``engine=client`` names the client.

- The statistical models (statsforecast) are spread over the workers by
  statsforecast's own distributed backend (through fugue), series by series.
- The global models (``gbm``, ``lgbm``) train one model on rows of every
  series, so training is one task: it runs on a worker, with the thread
  limit of :class:`~jingwu.forecast.GlobalGBM`.  Its training rows are capped
  (``max_rows``), so its memory does not grow with the number of series;
  only the data matrix and the forecast rows do (about 9 bytes per
  series-day), which one worker holds for 40,000 stations.

Both give the same numbers as ``engine=None`` (the same code runs on the
same data; tested on a ``LocalCluster``).  On one machine the cluster adds
overhead (the forecast benchmark measured it), so use it where there is a
cluster to run on.  Spark and Ray are not offered: the global model would
need its own port.

A script that starts a ``LocalCluster`` with worker processes must guard its
entry point, because each worker process imports the script again::

    if __name__ == "__main__":
        from dask.distributed import Client, LocalCluster
        with LocalCluster(n_workers=2, threads_per_worker=1) as cluster, Client(cluster) as client:
            fc = jw.forecast.forecast(df, h=28, engine=client)

(Without the guard the workers start clusters of their own and the run
fails with "An attempt has been made to start a new process before the
current process has finished its bootstrapping phase".)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["check_engine", "run_global"]


def check_engine(engine: Any) -> Any:
    """Validate ``engine`` (None, ``"dask"`` or a ``dask.distributed.Client``) and return it.

    Examples
    --------
    >>> check_engine(None) is None
    True
    """
    if engine is None:
        return None
    if isinstance(engine, str) and engine != "dask":
        raise ValueError(
            f"engine must be None, 'dask' or a dask.distributed Client, not {engine!r}"
            + (" (Spark and Ray are not supported)" if engine.lower() in ("spark", "ray") else "")
        )
    try:
        import dask  # noqa: F401
        import dask.dataframe  # noqa: F401
    except ImportError:
        raise ImportError(
            "engine= needs Dask for statsforecast's distributed backend: "
            "`pip install jingwu[dist]` (or pass engine=None)"
        ) from None
    if engine != "dask" and not hasattr(engine, "scheduler_info"):
        raise ValueError(f"engine must be None, 'dask' or a dask.distributed Client, not {engine!r}")
    return engine


def run_global(model: Any, train: pd.DataFrame, h: int, engine: Any) -> pd.DataFrame:
    """``model.fit_predict(train, h)`` here, or as one task on the Dask ``engine``.

    Examples
    --------
    >>> class Echo:
    ...     def fit_predict(self, train, h):
    ...         return train.head(h)
    >>> len(run_global(Echo(), pd.DataFrame({"y": range(5)}), 2, None))
    2
    """
    if engine is None:
        return model.fit_predict(train, h)
    if engine == "dask":
        import dask

        return dask.delayed(model.fit_predict, pure=True)(train, h).compute()
    # scatter the data first: a large frame inside the task graph slows the scheduler
    data = engine.scatter(train, direct=True)
    return engine.submit(model.fit_predict, data, h, pure=False).result()
