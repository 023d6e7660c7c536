"""Where the models run: in this process, on Dask, on Ray or on Spark (``engine=``).

``engine=None`` runs everything here.  ``engine="dask"`` uses the Dask
scheduler that is current (a ``dask.distributed.Client`` created earlier in
the session, else Dask's local threads); ``engine=client`` names the client.
``engine="ray"`` uses the Ray runtime (the one ``ray.init()`` connected to, or
a local one Ray starts); ``engine="spark"`` the active Spark session (or a
local one), ``engine=spark_session`` names it.

- The statistical models (statsforecast) are spread over the workers by
  statsforecast's own distributed backend (through fugue), series by series.
- The global models (``gbm``, ``lgbm``) train one model on rows of every
  series, so training is one task: it runs on a worker (Dask, Ray) or an
  executor (Spark), with the thread limit of :class:`~jingwu.forecast.GlobalGBM`.
  Its training rows are capped (``max_rows``), so its memory does not grow
  with the number of series; only the data matrix and the forecast rows do
  (about 9 bytes per series-day), which one worker holds for 40,000 stations.

Dask gives the same numbers as ``engine=None`` (the same code runs on the
same data; tested on a ``LocalCluster``).  Ray and Spark move the data
through Arrow, and statsforecast's models there agree with ``engine=None`` to
about 1e-7 relative (single-precision rounding inside the distributed
path); the global models are identical.  On one machine every engine adds
overhead (the forecast benchmark measured Dask's), so use them where there
is a cluster to run on.  Ray and Spark are optional (``pip install
jingwu[ray]`` / ``jingwu[spark]``; Spark also needs Java 17+, and its Python
workers must run this interpreter: set ``PYSPARK_PYTHON`` to ``sys.executable``
before the session starts when it is not the first ``python3`` on the path).

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

__all__ = ["check_engine", "collect", "engine_kind", "run_global", "to_engine_frame"]

_HINT = "engine must be None, 'dask', 'ray', 'spark', a dask.distributed Client or a SparkSession"


def engine_kind(engine: Any) -> str | None:
    """``None``, ``"dask"``, ``"ray"`` or ``"spark"`` for a valid ``engine`` value.

    Examples
    --------
    >>> engine_kind(None), engine_kind("ray")
    (None, 'ray')
    """
    if engine is None:
        return None
    if isinstance(engine, str):
        if engine in ("dask", "ray", "spark"):
            return engine
        raise ValueError(f"{_HINT}, not {engine!r}")
    if hasattr(engine, "scheduler_info"):
        return "dask"
    if hasattr(engine, "sparkContext") and hasattr(engine, "createDataFrame"):
        return "spark"
    raise ValueError(f"{_HINT}, not {engine!r}")


def check_engine(engine: Any) -> Any:
    """Validate ``engine`` and check that its packages are installed; return it.

    Examples
    --------
    >>> check_engine(None) is None
    True
    """
    kind = engine_kind(engine)
    if kind is None:
        return None
    need = {
        "dask": (("dask", "dask.dataframe"), "dist"),
        "ray": (("ray", "ray.data", "fugue_ray"), "ray"),
        "spark": (("pyspark", "fugue_spark"), "spark"),
    }[kind]
    try:
        for mod in need[0]:
            __import__(mod)
    except ImportError:
        raise ImportError(
            f"engine={kind!r} needs {kind.capitalize()} for statsforecast's distributed backend: "
            f"`pip install jingwu[{need[1]}]` (or pass engine=None)"
        ) from None
    return engine


def to_engine_frame(data: pd.DataFrame, engine: Any) -> Any:
    """``data`` as the engine's distributed frame (Dask DataFrame, Ray Dataset, Spark DataFrame).

    Examples
    --------
    >>> d = pd.DataFrame({"unique_id": ["a"], "ds": pd.to_datetime(["2024-01-01"]), "y": [1.0]})
    >>> to_engine_frame(d, None) is d
    True
    """
    kind = engine_kind(engine)
    if kind is None:
        return data
    if kind == "dask":
        import dask.dataframe as dd

        n_workers = 2
        if engine != "dask":
            n_workers = max(1, len(engine.scheduler_info().get("workers", {})))
        nparts = max(1, min(data["unique_id"].nunique(), 2 * n_workers))
        return dd.from_pandas(data, npartitions=nparts)
    if kind == "ray":
        import ray.data

        return ray.data.from_pandas(data)
    return _spark(engine).createDataFrame(data)


def collect(frame: Any) -> pd.DataFrame:
    """The pandas frame of a distributed result (Dask, Ray or Spark), or ``frame`` itself.

    Examples
    --------
    >>> collect(pd.DataFrame({"y": [1]})).shape
    (1, 1)
    """
    if isinstance(frame, pd.DataFrame):
        return frame
    for method in ("compute", "toPandas", "to_pandas"):
        if hasattr(frame, method):
            return getattr(frame, method)()
    raise TypeError(f"cannot collect a {type(frame).__name__}")


def _spark(engine: Any) -> Any:
    if engine != "spark":
        return engine
    from pyspark.sql import SparkSession

    return SparkSession.builder.getOrCreate()


def _call(model: Any, train: pd.DataFrame, h: int) -> pd.DataFrame:
    return model.fit_predict(train, h)


def run_global(model: Any, train: pd.DataFrame, h: int, engine: Any) -> pd.DataFrame:
    """``model.fit_predict(train, h)`` here, or as one task on the ``engine``.

    Examples
    --------
    >>> class Echo:
    ...     def fit_predict(self, train, h):
    ...         return train.head(h)
    >>> len(run_global(Echo(), pd.DataFrame({"y": range(5)}), 2, None))
    2
    """
    kind = engine_kind(engine)
    if kind is None:
        return model.fit_predict(train, h)
    if kind == "ray":
        import ray

        threads = int(getattr(model, "n_threads", 1))
        return ray.get(ray.remote(num_cpus=threads)(_call).remote(model, train, h))
    if kind == "spark":
        sc = _spark(engine).sparkContext
        return sc.parallelize([0], 1).map(lambda _: _call(model, train, h)).collect()[0]
    if engine == "dask":
        import dask

        return dask.delayed(model.fit_predict, pure=True)(train, h).compute()
    # Scatter the data first: a large frame inside the task graph slows the scheduler.
    # hash=False gives each call its own key: with content keys, a second call on the same
    # frame re-uses the key the first call is releasing, and the task fails as "lost dependencies".
    data = engine.scatter(train, direct=True, hash=False)
    return engine.submit(model.fit_predict, data, h, pure=False).result()
