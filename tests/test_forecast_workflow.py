"""Forecasting workflow: model choice on other windows than calibration, progress lines, staffing hand-off."""

import numpy as np
import pandas as pd
import pytest

import jingwu as jw
from jingwu.forecast.conformal import conformal_quantiles


def _panel(n_series=3, periods=160, seed=0):
    rng = np.random.default_rng(seed)
    ds = pd.date_range("2023-01-02", periods=periods)
    mu = np.outer(8 + 4 * np.arange(n_series), 1 + 0.5 * (ds.dayofweek.to_numpy() >= 5))
    return pd.DataFrame(
        {
            "unique_id": np.repeat([f"S{i}" for i in range(n_series)], periods),
            "ds": np.tile(ds, n_series),
            "y": rng.poisson(mu).ravel(),
        }
    )


def test_auto_model_is_chosen_on_older_windows_and_calibrated_on_newer():
    d = _panel()
    bt = jw.forecast.backtest(d, h=7, n_windows=4, models=["snaive", "naive"], level=(80,), progress=False)
    sel, cal = bt.split_windows()
    assert list(sel) == list(bt.cutoffs[:2]) and list(cal) == list(bt.cutoffs[2:])
    fc = jw.forecast.forecast(d, h=7, level=(80,), model="auto", calibration=bt, progress=False)
    assert fc.attrs["selection_cutoffs"] == [str(c.date()) for c in sel]
    assert fc.attrs["calibration_cutoffs"] == [str(c.date()) for c in cal]
    # the winner is the lowest MASE on the selection windows alone, computed here from the errors
    f = bt.forecasts[bt.forecasts["cutoff"].isin(sel)].merge(bt.scales, on=["unique_id", "cutoff"])
    mase = (
        f.assign(ae=(f["y"] - f["yhat"]).abs() / f["scale_mae"])
        .groupby(["model", "unique_id", "cutoff"])["ae"]
        .mean()
        .groupby("model")
        .mean()
    )
    chosen = fc.attrs["model"]
    assert chosen == mase.idxmin()
    # the interval half-widths are the quantiles of the chosen model's errors on the other windows only
    g = bt.forecasts[(bt.forecasts["model"] == chosen) & bt.forecasts["cutoff"].isin(cal)]
    g = g.merge(bt.scales, on=["unique_id", "cutoff"])
    q = conformal_quantiles(
        ((g["y"] - g["yhat"]) / g["scale_mae"]).to_numpy(), g["step"].to_numpy(), 7, (80,)
    )
    scale = jw.forecast.evaluate._scales(d, 7).set_index("unique_id")["scale_mae"]
    s0 = fc[fc["unique_id"] == "S0"]
    assert np.allclose(s0["hi_80"] - s0["yhat"], q[80][1] * scale["S0"])
    # select_windows=0 is the old behaviour: every window chooses and calibrates
    both = jw.forecast.forecast(
        d, h=7, level=(80,), model="auto", calibration=bt, select_windows=0, progress=False
    )
    assert both.attrs["calibration_cutoffs"] == [str(c.date()) for c in bt.cutoffs]
    with pytest.raises(ValueError, match="select_windows"):
        bt.split_windows(4)
    with pytest.raises(ValueError, match="not cutoffs"):
        bt.windows([pd.Timestamp("1999-01-01")])


def test_backtest_reports_progress_per_window_and_model(capsys):
    d = _panel(2, 120)
    jw.forecast.backtest(d, h=7, n_windows=2, models=["snaive", "naive"], progress=True)
    err = capsys.readouterr().err
    assert "backtest (2 series)" in err and "window 2/2: snaive, naive" in err and "2/2 (100%)" in err
    jw.forecast.backtest(d, h=7, n_windows=2, models=["snaive", "naive"], progress=False)
    assert capsys.readouterr().err == ""


def test_station_forecast_reads_only_the_table_it_is_given(tmp_path, monkeypatch):
    rng = np.random.default_rng(1)
    dates = pd.date_range("2024-01-01", periods=70)
    d = pd.DataFrame(
        {"station_id": np.repeat(["S1", "S2"], 70), "date": np.tile(dates, 2), "count": rng.poisson(20, 140)}
    )
    nxt = pd.date_range("2024-03-11", periods=7)
    table = pd.DataFrame(
        {
            "station_id": np.repeat(["S1", "S2"], 7),
            "date": np.tile(nxt, 2),
            "mean": 10.0,
            "q80": 12.0,
            "q95": 15.0,
            "model": "lgbm",
        }
    )
    # a matching table in the reports' tables directory is NOT picked up behind the caller's back
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path))
    (tmp_path / "tables").mkdir()
    table.to_csv(tmp_path / "tables" / jw.forecast.FORECAST_TABLE, index=False)
    assert jw.forecast.station_forecast(d, h=7, input_size=None).attrs["source"] == "computed"
    # given explicitly (a path or the frame itself) it is used
    got = jw.forecast.station_forecast(d, h=7, saved=jw.paths.tables_dir() / jw.forecast.FORECAST_TABLE)
    assert got.attrs["source"] == "saved" and got.attrs["path"] == jw.forecast.FORECAST_TABLE
    assert (got["model"] == "lgbm").all() and len(got) == 14
    assert jw.forecast.station_forecast(d, h=7, saved=table).attrs["source"] == "saved"
    # a given table that does not fit (a station missing) or a missing file: forecast, and say why
    with pytest.warns(UserWarning, match="does not cover exactly the 2 stations"):
        out = jw.forecast.station_forecast(d, h=7, saved=table[table["station_id"] == "S1"], input_size=None)
    assert out.attrs["source"] == "computed" and set(out["station_id"]) == {"S1", "S2"}
    with pytest.warns(UserWarning, match="does not exist"):
        jw.forecast.station_forecast(d, h=7, saved=tmp_path / "absent.csv", input_size=None)
    with pytest.raises(ValueError, match="tables_dir"):
        jw.forecast.station_forecast(d, h=7, saved=True)


def test_widened_window_levels_restore_coverage_of_a_new_window():
    # Known truth: errors share a normal window level (sd 1) plus daily noise (sd 1); intervals from the
    # errors of 3 windows must cover 80% of a fourth window's days. Pooled as they are, the 3 levels
    # understate the spread of a new one (expected coverage about 0.72); widened, about 0.78.
    from jingwu.forecast.hierarchy import widen_window_levels

    rng = np.random.default_rng(0)
    win = np.repeat(np.arange(3), 28)
    cov = {False: [], True: []}
    for _ in range(600):
        e = rng.normal(0, 1, (4, 1)) + rng.normal(0, 1, (4, 28))
        for widen in cov:
            z = widen_window_levels(e[:3].ravel(), win) if widen else e[:3].ravel()
            ((lo, hi),) = conformal_quantiles(z, np.ones(len(z), int), 1, (80,), method="pooled").values()
            cov[widen].append(np.mean((e[3] >= lo[0]) & (e[3] <= hi[0])))
    plain, widened = np.mean(cov[False]), np.mean(cov[True])
    assert plain < 0.75 and 0.76 <= widened <= 0.84 and widened - plain > 0.03, (plain, widened)
    # no shared level: widening changes almost nothing
    e = rng.normal(0, 1, 84)
    assert np.abs(widen_window_levels(e, win) - e).max() < 0.2
    assert np.array_equal(widen_window_levels(e, None), e)
    assert np.array_equal(widen_window_levels(e, np.zeros(84)), e)
