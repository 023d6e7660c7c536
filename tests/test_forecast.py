"""Forecasting: metrics, models, backtests, intervals, reconciliation, profiles, input checks."""

import numpy as np
import pandas as pd
import pytest

import jingwu as jw
from jingwu.forecast import metrics as M


def _poisson_panel(n_series=3, periods=140, seed=0, nb=False, freq="D"):
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-02", periods=periods, freq=freq)
    rows = []
    for i in range(n_series):
        mu = (8 + 4 * i) * (1 + 0.4 * (ds.dayofweek >= 5) if freq == "D" else 1)
        mu = np.asarray(mu, dtype=float)
        y = rng.negative_binomial(5, 5 / (5 + mu)) if nb else rng.poisson(mu)
        rows.append(pd.DataFrame({"unique_id": f"S{i}", "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


# --- metrics against hand-computed values ------------------------------------------------


def test_metrics_hand_computed():
    y, f, ins = [10, 12, 8], [11, 10, 8], [5, 7, 6, 9]
    # MASE: mean|e| = (1+2+0)/3 = 1; scale m=1: (2+1+3)/3 = 2 -> 0.5
    assert M.mase(y, f, insample=ins, m=1) == pytest.approx(0.5)
    # RMSSE: mean e^2 = 5/3; scale (4+1+9)/3 = 14/3 -> sqrt(5/14)
    assert M.rmsse(y, f, insample=ins, m=1) == pytest.approx(np.sqrt(5 / 14))
    # sMAPE: 200*1/21, 200*2/22, 0
    assert M.smape(y, f) == pytest.approx((200 / 21 + 400 / 22 + 0) / 3)
    assert M.bias(y, f) == pytest.approx(-1 / 3)
    assert M.coverage(y, [9, 9, 9], [11, 11, 11]) == pytest.approx(1 / 3)
    # Winkler 80%: widths 2; y=12 above by 1 -> +10; y=8 below by 1 -> +10
    assert M.winkler(y, [9, 9, 9], [11, 11, 11], 80) == pytest.approx((2 + 12 + 12) / 3)
    # pinball tau=0.9, q=11: d = -1, 1, -3 -> 0.1, 0.9, 0.3
    assert M.pinball(y, [11, 11, 11], 0.9) == pytest.approx((0.1 + 0.9 + 0.3) / 3)
    assert np.isnan(M.scale([1, 2], m=7))
    with pytest.raises(ValueError):
        M.pinball(y, f, 1.5)


# --- seasonal naive exact ------------------------------------------------------------------


def test_seasonal_naive_exact():
    week = [3, 5, 7, 9, 11, 13, 15]
    d = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2024-01-01", periods=35), "y": week * 5})
    bt = jw.forecast.backtest(d, h=7, n_windows=2, models=["snaive"], level=None)
    f = bt.forecasts
    assert np.allclose(f["yhat"], f["y"])
    fc = jw.forecast.forecast(d, h=10, model="snaive", level=None)
    assert fc["yhat"].tolist() == [float(v) for v in (week + week)[:10]]


# --- backtest windows ----------------------------------------------------------------------


def test_backtest_windows_do_not_leak():
    d = _poisson_panel(2, 100)
    bt = jw.forecast.backtest(d, h=7, n_windows=3, step=5, models=["snaive", "naive"], level=(80,))
    end = d["ds"].max()
    assert list(bt.cutoffs) == [end - pd.Timedelta(days=7 + k) for k in (10, 5, 0)]
    f = bt.forecasts
    assert (f["ds"] > f["cutoff"]).all()
    assert (f["ds"] <= f["cutoff"] + pd.Timedelta(days=7)).all()
    assert sorted(f["step"].unique()) == list(range(1, 8))
    # Changing the future must not change a window's forecast (naive = last training value).
    d2 = d.copy()
    d2.loc[d2["ds"] > bt.cutoffs[0], "y"] = 10_000
    bt2 = jw.forecast.backtest(d2, h=7, n_windows=3, step=5, models=["snaive", "naive"], level=(80,))
    a = f[f["cutoff"] == bt.cutoffs[0]]["yhat"].to_numpy()
    b = bt2.forecasts[bt2.forecasts["cutoff"] == bt.cutoffs[0]]["yhat"].to_numpy()
    assert np.allclose(a, b)


def test_metrics_table_shapes_and_plot():
    import matplotlib

    matplotlib.use("Agg")
    d = _poisson_panel(2, 84)
    bt = jw.forecast.backtest(d, h=7, n_windows=2, models=["snaive", "naive"])
    assert set(bt.metrics(["model", "step"])["step"]) == set(range(1, 8))
    per_series = bt.metrics("unique_id")
    assert len(per_series) == 4 and {
        "mase",
        "rmsse",
        "smape",
        "bias",
        "coverage_95",
        "winkler_80",
        "pinball_95",
    } <= set(per_series.columns)
    s = bt.summary()
    assert s.loc[s["model"] == "snaive", "mase_vs_snaive"].item() == pytest.approx(1.0)
    ax = bt.plot()
    assert ax.get_lines()
    matplotlib.pyplot.close("all")


# --- intervals on simulated counts -----------------------------------------------------------


@pytest.mark.parametrize("nb", [False, True])
def test_interval_coverage_simulated_counts(nb):
    d = _poisson_panel(6, 200, seed=3, nb=nb)
    bt = jw.forecast.backtest(d, h=14, n_windows=4, step=14, models=["snaive", "naive"], level=(80, 95))
    m = bt.metrics().set_index("model")
    assert 0.85 <= m.loc["snaive", "coverage_95"] <= 1.0
    assert 0.65 <= m.loc["snaive", "coverage_80"] <= 0.93


def test_forecast_auto_gbm_ensemble_and_renamed_columns():
    d = _poisson_panel(3, 180, seed=4).rename(columns={"unique_id": "station", "ds": "date", "y": "n"})
    fc = jw.forecast.forecast(
        d,
        h=14,
        model="auto",
        models=["snaive", "theta", "gbm", "ensemble"],
        n_windows=2,
        id_col="station",
        time_col="date",
        target_col="n",
        gbm_params={"max_iter": 30},
    )
    assert {"station", "date", "yhat", "lo_80", "hi_80", "lo_95", "hi_95"} <= set(fc.columns)
    assert len(fc) == 3 * 14 and fc.attrs["model"] in ("snaive", "theta", "gbm", "ensemble")
    assert (fc["lo_95"] <= fc["lo_80"]).all() and (fc["hi_80"] <= fc["hi_95"]).all()
    assert (fc["lo_95"] >= 0).all()


def test_gbm_is_deterministic_and_learns_weekly_pattern():
    d = _poisson_panel(2, 150, seed=5)
    info = jw.forecast.freq_info("D")
    a = jw.forecast.GlobalGBM(info, seed=1, max_iter=40).fit_predict(d, 7)
    b = jw.forecast.GlobalGBM(info, seed=1, max_iter=40).fit_predict(d, 7)
    assert np.allclose(a["gbm"], b["gbm"])
    s0 = a[a["unique_id"] == "S0"].set_index("ds")["gbm"]
    weekend = s0[s0.index.dayofweek >= 5].mean()
    assert weekend > s0[s0.index.dayofweek < 5].mean()


@pytest.mark.parametrize("backend", ["sklearn", "lightgbm"])
def test_global_model_same_output_with_any_thread_count(backend):
    if backend == "lightgbm":
        pytest.importorskip("lightgbm")
    d = _poisson_panel(2, 120, seed=8)
    info = jw.forecast.freq_info("D")
    one = jw.forecast.GlobalGBM(info, backend=backend, n_threads=1, max_iter=5).fit_predict(d, 7)
    two = jw.forecast.GlobalGBM(info, backend=backend, n_threads=2, max_iter=5).fit_predict(d, 7)
    pd.testing.assert_frame_equal(one, two)
    name = "gbm" if backend == "sklearn" else "lgbm"
    s0 = one[one["unique_id"] == "S0"].set_index("ds")[name]
    assert s0[s0.index.dayofweek >= 5].mean() > s0[s0.index.dayofweek < 5].mean()
    with pytest.raises(ValueError, match="n_threads"):
        jw.forecast.GlobalGBM(info, n_threads=0)


def _grid_rows_before_sampling(n_series, T, h, first, max_rows, season):
    """The training rows of the evenly thinned origin grid alone (the rule before sampling)."""
    origins = np.arange(first, T - 1)
    stride = max(1, -(-n_series * len(origins) * h // max_rows))
    if stride > 1 and stride % season == 0:
        stride += 1
    origins = origins[::-1][::stride][::-1]
    sid, o, j = (
        a.ravel() for a in np.meshgrid(np.arange(n_series), origins, np.arange(1, h + 1), indexing="ij")
    )
    keep = o + j < T
    return sid[keep], o[keep], j[keep]


@pytest.mark.parametrize("n_series", [1, 22, 48, 200, 260])
def test_global_model_training_grid_unchanged_for_few_series(n_series):
    # three years of daily data, h=28, default max_rows: below ~260 series the even grid is kept
    g = jw.forecast.GlobalGBM(jw.forecast.freq_info("D"))
    got = g._training_rows(n_series, 1095, 28, 27)
    want = _grid_rows_before_sampling(n_series, 1095, 28, 27, g.max_rows, 7)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("n_series", [300, 8_000, 40_000])
def test_global_model_trains_every_horizon_step_for_many_series(n_series):
    T, h, first = 1095, 28, 27
    g = jw.forecast.GlobalGBM(jw.forecast.freq_info("D"), seed=3)
    sid, o, j = g._training_rows(n_series, T, h, first)
    # every step is trained equally often, each pair with its whole horizon inside the data
    steps, counts = np.unique(j, return_counts=True)
    assert list(steps) == list(range(1, h + 1)) and len(set(counts)) == 1
    assert (o + j <= T - 1).all() and (o >= first).all() and len(j) <= g.max_rows
    # pairs are distinct, their origins spread over the history, and the draw is fixed by the seed
    pairs = np.unique(np.column_stack([sid, o])[j == 1], axis=0)
    assert len(pairs) == (j == 1).sum() and np.ptp(o) > 0.9 * (T - h - first)
    again = jw.forecast.GlobalGBM(jw.forecast.freq_info("D"), seed=3)._training_rows(n_series, T, h, first)
    other = jw.forecast.GlobalGBM(jw.forecast.freq_info("D"), seed=4)._training_rows(n_series, T, h, first)
    assert all(np.array_equal(a, b) for a, b in zip((sid, o, j), again))
    assert not np.array_equal(o, other[1])
    if n_series >= 8_000:  # the grid alone kept only the last origin: step 1 only
        assert set(_grid_rows_before_sampling(n_series, T, h, first, g.max_rows, 7)[2]) == {1}


def test_global_model_with_sampled_rows_forecasts_every_step():
    d = _poisson_panel(6, 150, seed=9)
    info = jw.forecast.freq_info("D")
    fc = jw.forecast.GlobalGBM(info, max_rows=700, max_iter=20).fit_predict(d, 7)  # 6 x 142 x 7 rows
    assert len(fc) == 42 and np.isfinite(fc["gbm"]).all() and (fc["gbm"] > 0).all()


def test_weekly_data_with_yearly_season():
    d = _poisson_panel(2, 160, seed=6, freq="W-SUN")
    bt = jw.forecast.backtest(
        d, h=8, n_windows=2, models=["snaive", "ets", "gbm", "ensemble"], gbm_params={"max_iter": 30}
    )
    assert bt.info.season == 52 and set(bt.metrics()["model"]) == {"snaive", "ets", "gbm", "ensemble"}


# --- holidays ----------------------------------------------------------------------------------


def test_holiday_features_present():
    f = jw.forecast.calendar_features(pd.date_range("2024-02-05", "2024-02-20"), jw.forecast.freq_info("D"))
    assert {"is_holiday", "is_adjusted_workday", "sf_offset", "sf_window", "golden_week", "dow"} <= set(
        f.columns
    )
    assert f["is_holiday"].sum() >= 7 and f["sf_offset"].min() == -5
    # 2024-02-04 (Sun) and 2024-02-18 (Sun) were adjusted working days (调休)
    assert f["is_adjusted_workday"].iloc[13] == 1
    w = jw.forecast.calendar_features(
        pd.date_range("2024-01-07", periods=8, freq="W-SUN"), jw.forecast.freq_info("W-SUN")
    )
    assert w["holiday_days"].max() >= 5 and w["sf_distance"].min() == 0


# --- reconciliation ------------------------------------------------------------------------------


def _toy_hierarchy():
    g = pd.DataFrame({"station_id": ["a", "b", "c"], "district": ["D1", "D1", "D2"]})
    S = jw.forecast.summing_matrix(g, ["district"], "station_id", total="city")
    return S


def test_summing_matrix_and_aggregate():
    S = _toy_hierarchy()
    assert list(S.index) == ["city", "D1", "D2", "a", "b", "c"]
    d = pd.DataFrame({"unique_id": ["a", "b", "c"], "ds": pd.Timestamp("2024-01-01"), "y": [1, 2, 4]})
    agg = jw.forecast.aggregate_hierarchy(d, S)
    assert agg.set_index("unique_id")["y"].to_dict() == {"city": 7, "D1": 3, "D2": 4, "a": 1, "b": 2, "c": 4}


def test_reconcile_bottom_up_and_mint_against_hand_computation():
    S = _toy_hierarchy()
    nodes = list(S.index)
    base = pd.DataFrame(
        {
            "unique_id": nodes * 2,
            "ds": np.repeat(pd.date_range("2024-01-01", periods=2), 6),
            "yhat": [10.0, 5, 4, 2, 2, 4, 11, 6, 4, 2, 3, 4],
        }
    )
    base["lo_95"] = base["yhat"] - 1
    bu = jw.forecast.reconcile(base, S, "bottom_up")
    first = bu[bu["ds"] == pd.Timestamp("2024-01-01")].set_index("unique_id")
    assert first.loc["city", "yhat"] == 8 and first.loc["D1", "yhat"] == 4 and first.loc["c", "yhat"] == 4
    assert first.loc["a", "yhat"] == 2  # bottom-up leaves the bottom unchanged
    assert first.loc["city", "lo_95"] == 7  # intervals shift with the point forecast
    assert jw.forecast.coherence_error(bu, S) < 1e-9
    # MinT-shrink by hand
    rng = np.random.default_rng(0)
    E = rng.normal(size=(30, 6)) * [3, 2, 2, 1, 1, 1.5]
    resid = pd.DataFrame(
        {"unique_id": np.tile(nodes, 30), "t": np.repeat(np.arange(30), 6), "resid": E.ravel()}
    )
    mt = jw.forecast.reconcile(base, S, "mint_shrink", residuals=resid)
    n = E.shape[0]
    cov = E.T @ E / n
    sd = np.sqrt(np.diag(cov))
    cor = cov / np.outer(sd, sd)
    xs = E / sd
    lam_num = lam_den = 0.0
    for i in range(6):
        for j in range(6):
            if i != j:
                w = xs[:, i] * xs[:, j]
                lam_num += ((w - w.mean()) ** 2).sum() / (n * (n - 1))  # var-hat of r_ij
                lam_den += cor[i, j] ** 2
    # Schäfer-Strimmer intensity as in R hts::shrink.estim
    lam = np.clip(lam_num / lam_den, 0, 1)
    W = lam * np.diag(np.diag(cov)) + (1 - lam) * cov
    _, lam_lib = jw.forecast.shrunk_covariance(E)
    assert lam_lib == pytest.approx(lam)
    Sm = S.to_numpy(float)
    Wi = np.linalg.inv(W)
    P = Sm @ np.linalg.solve(Sm.T @ Wi @ Sm, Sm.T @ Wi)
    yb = base[base["ds"] == pd.Timestamp("2024-01-01")].set_index("unique_id").loc[nodes, "yhat"].to_numpy()
    got = mt[mt["ds"] == pd.Timestamp("2024-01-01")].set_index("unique_id").loc[nodes, "yhat"].to_numpy()
    assert np.allclose(got, P @ yb)
    assert jw.forecast.coherence_error(mt, S) < 1e-9
    with pytest.raises(ValueError, match="residuals"):
        jw.forecast.reconcile(base, S, "mint_shrink")
    with pytest.raises(jw.DataError, match="no forecasts"):
        jw.forecast.reconcile(base[base["unique_id"] != "D2"], S, "bottom_up")


# --- hour-of-week profile ------------------------------------------------------------------------


def test_hour_of_week_profile_sums_to_one():
    rng = np.random.default_rng(0)
    ts = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 14 * 24 * 60, 500), unit="min")
    inc = pd.DataFrame(
        {
            "station_id": rng.choice(["S1", "S2"], 500),
            "category": rng.choice(["fraud", "traffic"], 500),
            "reported_at": ts,
        }
    )
    p = jw.forecast.hour_of_week_profile(inc, by=["station_id", "category"])
    assert len(p) == 4 * 168
    assert np.allclose(p.groupby(["station_id", "category"])["share"].sum(), 1.0)
    city = jw.forecast.hour_of_week_profile(inc, by=None)
    assert len(city) == 168 and city["count"].sum() == 500
    with pytest.raises(jw.DataError, match="reported_at"):
        jw.forecast.hour_of_week_profile(inc.drop(columns="reported_at"))


# --- bad input -----------------------------------------------------------------------------------


def test_bad_input_raises_clear_errors():
    d = _poisson_panel(2, 60)
    with pytest.raises(jw.DataError, match="missing column"):
        jw.forecast.backtest(d.drop(columns="y"), h=7)
    with pytest.raises(jw.DataError, match="duplicated"):
        jw.forecast.backtest(pd.concat([d, d.head(1)]), h=7, models=["snaive"])
    with pytest.raises(jw.DataError, match="non-regular dates"):
        jw.forecast.backtest(d.drop(index=[5]), h=7, models=["snaive"], freq="D")
    with pytest.raises(ValueError, match="positive integer"):
        jw.forecast.backtest(d, h=0)
    with pytest.raises(ValueError, match="positive integer"):
        jw.forecast.forecast(d, h=-3)
    with pytest.raises(ValueError, match="unknown model"):
        jw.forecast.backtest(d, h=7, models=["prophet"])
    with pytest.raises(jw.DataError, match="too short"):
        jw.forecast.backtest(d, h=7, n_windows=7, models=["snaive"])
    with pytest.raises(jw.DataError, match="different dates"):
        jw.forecast.backtest(d.iloc[:-1], h=7, models=["snaive"])
    with pytest.raises(ValueError, match="levels"):
        jw.forecast.backtest(d, h=7, models=["snaive"], level=(120,))


# --- distributed engine --------------------------------------------------------------------------


def test_engine_requires_dask_or_runs_on_local_cluster():
    d = _poisson_panel(3, 120)
    with pytest.raises(ValueError, match="engine must be None, 'dask', 'ray', 'spark'"):
        jw.forecast.backtest(d, h=7, n_windows=1, models=["snaive"], engine="hadoop")
    try:
        import dask  # noqa: F401
        import dask.dataframe  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match=r"jingwu\[dist\]"):
            jw.forecast.backtest(d, h=7, n_windows=1, models=["snaive"], engine="dask")
        return
    pytest.importorskip("distributed")
    pytest.importorskip("lightgbm")
    from dask.distributed import Client, LocalCluster

    kw = dict(h=7, n_windows=1, models=["snaive", "gbm", "lgbm"], gbm_params={"max_iter": 20})
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cl,
        Client(cl) as client,
    ):
        a = jw.forecast.backtest(d, engine=client, **kw)
        fa = jw.forecast.forecast(
            d, h=7, model="lgbm", calibration=a, engine=client, gbm_params={"max_iter": 20}
        )
        c = jw.forecast.backtest(d, engine="dask", **kw)  # the current client
    b = jw.forecast.backtest(d, **kw)
    fb = jw.forecast.forecast(d, h=7, model="lgbm", calibration=b, gbm_params={"max_iter": 20})
    pd.testing.assert_frame_equal(a.forecasts, b.forecasts)
    pd.testing.assert_frame_equal(c.forecasts, b.forecasts)
    pd.testing.assert_frame_equal(fa, fb)


def _engine_matches_local(d, engine):
    kw = dict(h=7, n_windows=1, models=["snaive", "ets", "lgbm"], gbm_params={"max_iter": 20}, n_jobs=1)
    a = jw.forecast.backtest(d, engine=engine, **kw).forecasts
    b = jw.forecast.backtest(d, **kw).forecasts
    pd.testing.assert_frame_equal(a.drop(columns="yhat"), b.drop(columns="yhat"), check_exact=False)
    # statsforecast's models in the fugue path: single-precision rounding; the global model: identical
    np.testing.assert_allclose(a["yhat"], b["yhat"], rtol=1e-6)
    is_g = (a["model"] == "lgbm").to_numpy()
    np.testing.assert_array_equal(a.loc[is_g, "yhat"], b.loc[is_g, "yhat"])


@pytest.mark.parametrize("kind", ["ray", "spark"])
def test_ray_and_spark_engines_match_local_or_say_what_to_install(kind, monkeypatch):
    d = _poisson_panel(3, 100)
    try:
        jw.forecast.engine.check_engine(kind)
    except ImportError as e:
        assert f"jingwu[{kind}]" in str(e)
        pytest.skip(f"{kind} is not installed")
    pytest.importorskip("lightgbm")
    if kind == "ray":
        import ray

        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
        try:
            _engine_matches_local(d, "ray")
        finally:
            ray.shutdown()
    else:
        import sys

        from pyspark.sql import SparkSession

        monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # workers need this interpreter's packages
        spark = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false").getOrCreate()
        try:
            _engine_matches_local(d, spark)
        finally:
            spark.stop()


# --- per-step conformal calibration ----------------------------------------------------------------


def _random_walks(n=60, periods=320, seed=11):
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-02", periods=periods)
    y = 500 + np.cumsum(rng.normal(0, 5, (n, periods)), axis=1)
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"W{i:02d}" for i in range(n)], periods),
            "ds": np.tile(ds, n),
            "y": y.ravel(),
        }
    )


def test_per_step_conformal_covers_at_every_step_on_random_walks():
    d = _random_walks()
    step_bt = jw.forecast.backtest(d, h=14, n_windows=6, models=["naive"], level=(95,))
    pooled = jw.forecast.backtest(d, h=14, n_windows=6, models=["naive"], level=(95,), conformal="pooled")
    cov = step_bt.metrics(["model", "step"]).query("model == 'naive'").set_index("step")["coverage_95"]
    old = pooled.metrics(["model", "step"]).query("model == 'naive'").set_index("step")["coverage_95"]
    # pooled quantiles: too wide at step 1, too narrow at step 14 (the defect being fixed)
    assert old.loc[1] > 0.99 and old.loc[14] < 0.92
    assert cov.between(0.90, 0.99).all(), cov.round(3).to_dict()
    bands = step_bt.coverage_by_band().query("model == 'naive'")
    assert list(bands["band"]) == ["01-07", "08-14"]
    assert bands["coverage_95"].between(0.92, 0.98).all()
    # widths grow with the step, and forecast() uses the same per-step quantiles
    fc = jw.forecast.forecast(d, h=14, model="naive", level=(95,), calibration=step_bt)
    width = (fc["hi_95"] - fc["lo_95"]).to_numpy().reshape(-1, 14)
    assert (width[:, -1] > 2 * width[:, 0]).all()


def test_conformal_band_widens_when_errors_are_few():
    from jingwu.forecast.conformal import conformal_quantiles

    steps = np.repeat(np.arange(1, 5), 10)
    z = np.arange(40, dtype=float)
    few = conformal_quantiles(z, steps, 4, (80,), min_n=40)
    pooled = conformal_quantiles(z, steps, 4, (80,), method="pooled")
    assert np.allclose(few[80][0], pooled[80][0]) and np.allclose(few[80][1], pooled[80][1])
    alone = conformal_quantiles(z, steps, 4, (80,), min_n=10)
    assert (np.diff(alone[80][1]) > 0).all()
    with pytest.raises(ValueError, match="conformal"):
        jw.forecast.backtest(_poisson_panel(1, 60), h=7, n_windows=2, models=["naive"], conformal="bands")


def test_reconciled_intervals_are_coherent_draws_and_cover_at_city_level():
    rng = np.random.default_rng(7)
    n, T = 24, 420
    ds = pd.date_range("2023-01-02", periods=T)
    common = np.zeros(T)
    for t in range(1, T):  # a city-wide shock that every station shares
        common[t] = 0.9 * common[t - 1] + rng.normal(0, 0.06)
    mu = (
        rng.uniform(10, 40, n)[:, None] * np.exp(common)[None, :] * (1 + 0.3 * (ds.dayofweek.to_numpy() >= 5))
    )
    g = pd.DataFrame(
        {"station_id": [f"S{i:02d}" for i in range(n)], "district": [f"D{i % 4}" for i in range(n)]}
    )
    d = pd.DataFrame(
        {"unique_id": np.repeat(g["station_id"], T), "ds": np.tile(ds, n), "y": rng.poisson(mu).ravel()}
    )
    S = jw.forecast.summing_matrix(g, ["district"], "station_id", total="city")
    bt = jw.forecast.backtest(
        jw.forecast.aggregate_hierarchy(d, S), h=14, n_windows=8, models=["snaive"], level=(95,)
    )
    base = bt.forecasts[bt.forecasts["model"] == "snaive"]
    got = {}
    for how in ("shift", "reconciled"):
        parts = []
        for c in bt.cutoffs:
            other = base[base["cutoff"] != c]
            resid = other.assign(resid=other["y"] - other["yhat"])[["unique_id", "cutoff", "ds", "resid"]]
            rec = jw.forecast.reconcile(
                base[base["cutoff"] == c], S, "mint_shrink", residuals=resid, intervals=how
            )
            assert rec.attrs["intervals"] == how
            assert (rec["lo_95"] <= rec["yhat"]).all() and (rec["yhat"] <= rec["hi_95"]).all()
            parts.append(rec)
        r = pd.concat(parts)
        city = r[r["unique_id"] == "city"]
        got[how] = float(((city["y"] >= city["lo_95"]) & (city["y"] <= city["hi_95"])).mean())
        assert jw.forecast.coherence_error(parts[0], S) < 1e-6
    # 112 city days out of sample, re-derived bounds near 95% (shifted ones ranged 0.86-0.97 over seeds)
    assert 0.9 <= got["reconciled"] <= 0.99, got
    # Bottom-up: the city's reconciled error is the sum of the station errors, so its bound is
    # the conformal quantile of the summed residuals (one key: ds, so no step bands).
    cur = base[base["cutoff"] == bt.cutoffs[-1]]
    other = base[base["cutoff"] != bt.cutoffs[-1]].assign(resid=lambda f: f["y"] - f["yhat"])
    resid = other.assign(ds=other["ds"].astype(str) + other["cutoff"].astype(str))[
        ["unique_id", "ds", "resid"]
    ]
    bu = jw.forecast.reconcile(cur, S, "bottom_up", residuals=resid)
    summed = other[other["unique_id"].str.startswith("S")].groupby(["cutoff", "ds"])["resid"].sum().to_numpy()
    n_e = len(summed)
    q_hi = np.quantile(summed, min(1.0, 0.975 * (n_e + 1) / n_e))
    city_bu = bu[bu["unique_id"] == "city"]
    assert np.allclose(city_bu["hi_95"] - city_bu["yhat"], q_hi)
    with pytest.raises(ValueError, match="residuals"):
        jw.forecast.reconcile(base[base["cutoff"] == bt.cutoffs[0]], S, "ols", intervals="reconciled")
