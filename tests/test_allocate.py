"""Staffing and allocation: textbook values, the worked example, brute-force optimality."""

import itertools
import math

import numpy as np
import pandas as pd
import pytest

import jingwu as jw
from jingwu import allocate as al
from jingwu.allocate.optimise import _delay_cost


# Erlang C textbook values: P(wait) for offered load a and c agents.  a = 2, c = 3
# is 4/9 exactly; a = 10 is the standard call-centre example (100 calls per half
# hour, 3-minute handling time) tabulated in queueing texts.
@pytest.mark.parametrize(
    "a, c, expected",
    [
        (2.0, 3, 4 / 9),
        (10.0, 11, 0.6821),
        (10.0, 12, 0.4494),
        (10.0, 13, 0.2853),
        (10.0, 14, 0.1741),
        (1.0, 1, 1.0),
        (0.5, 1, 0.5),
    ],
)
def test_erlang_c_textbook(a, c, expected):
    assert al.erlang_c(a, 1.0, c) == pytest.approx(expected, abs=5e-5)


def test_erlang_c_closed_form_and_large_systems():
    # Closed form for small c against the Erlang B recursion.
    for a, c in [(3.3, 5), (7.9, 9), (0.2, 2)]:
        s = sum(a**k / math.factorial(k) for k in range(c))
        top = a**c / math.factorial(c) * c / (c - a)
        assert al.erlang_c(a, 1.0, c) == pytest.approx(top / (s + top), rel=1e-12)
    # Stable at hundreds of servers (the closed form overflows there).
    assert 0 < al.erlang_c(480.0, 1.0, 500) < 1
    assert al.erlang_c(5.0, 1.0, 5) == 1.0 and al.mean_wait(5.0, 1.0, 4) == math.inf


def test_wait_formulas():
    lam, mu, c = 2.0, 1.0, 3
    assert al.mean_wait(lam, mu, c) == pytest.approx((4 / 9) / (c * mu - lam))
    assert al.prob_wait_exceeds(0.5, lam, mu, c) == pytest.approx(4 / 9 * math.exp(-0.5))


def test_staffing_targets_and_square_root_rule():
    assert al.servers_for_target(10.0, 1.0, max_wait_prob=0.2) == 14
    assert al.servers_for_target(10.0, 1.0, max_wait_prob=0.5) == 12
    assert al.servers_for_target(0.0, 1.0, max_wait_prob=0.2) == 0
    # Square-root staffing is close to exact Erlang C for moderate loads.
    for a in (5.0, 20.0, 100.0):
        exact = al.servers_for_target(a, 1.0, max_wait_prob=0.2)
        assert abs(al.square_root_staffing(a, 1.0, max_wait_prob=0.2) - exact) <= 1
    with pytest.raises(ValueError, match="max_wait_prob"):
        al.servers_for_target(1.0, 1.0, max_wait_prob=1.5)


def test_wilson_weiss_worked_example():
    # 20,000 calls × 0.75 h × 1.5 officers = 22,500 h -> 40.6 officers at one-third committed.
    p = al.StaffingParams(
        officers_per_call=1.5, committed_share=1 / 3, available_hours=1662, handling_minutes={"all": 45.0}
    )
    f = pd.DataFrame({"station_id": ["X"], "count": [20_000]})
    out = al.workload_staffing(f, p, category_col=None, days=365)
    assert out["call_hours"].iloc[0] == pytest.approx(22_500)
    assert out["officers_needed"].iloc[0] == pytest.approx(40.6, abs=0.05)
    assert out["officers_needed_int"].iloc[0] == 41


def test_workload_staffing_bad_input():
    with pytest.raises(jw.DataError, match="missing columns"):
        al.workload_staffing(pd.DataFrame({"station_id": ["a"]}))
    with pytest.raises(jw.DataError, match="negative"):
        al.workload_staffing(pd.DataFrame({"station_id": ["a"], "category": ["fraud"], "count": [-1]}))
    with pytest.raises(jw.DataError, match="no handling time"):
        al.workload_staffing(pd.DataFrame({"station_id": ["a"], "category": ["arson"], "count": [1]}))
    with pytest.raises(ValueError, match="committed_share"):
        al.StaffingParams(committed_share=0)


def _brute_force(need, total, minimum, cost):
    best, best_x = None, None
    for x in itertools.product(*[range(m, total + 1) for m in minimum]):
        if sum(x) != total:
            continue
        v = cost(np.array(x))
        if best is None or v < best - 1e-12:
            best, best_x = v, x
    return best, best_x


@pytest.mark.parametrize("seed", range(12))
def test_reallocate_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2, 5))
    total = int(rng.integers(n, 13))
    need = pd.Series(rng.uniform(0.5, 6, n).round(2), index=[f"S{i}" for i in range(n)])
    minimum = rng.integers(0, 2, n)
    minimum = np.minimum(minimum, total // n)
    mins = pd.Series(minimum, index=need.index)
    w = need.to_numpy()

    def max_load(x):
        return max(w[i] / x[i] if x[i] > 0 else math.inf for i in range(n))

    def unmet(x):
        return float(np.maximum(w - x, 0).sum())

    for objective, cost in (("max_load", max_load), ("unmet", unmet)):
        got = al.reallocate_need(need, total=total, minimum=mins, objective=objective)
        assert got.sum() == total and (got >= mins).all()
        best, _ = _brute_force(w, total, minimum, cost)
        assert cost(got.to_numpy()) == pytest.approx(best)

    lam = pd.Series(rng.uniform(0.2, 2.5, n), index=need.index)
    mu = 1.0

    def delay(x):
        return sum(_delay_cost(lam.iloc[i], mu, int(x[i])) for i in range(n))

    stable = int((np.floor(lam / mu) + 1).sum())
    if stable <= total:
        got = al.reallocate_need(
            need, total=total, minimum=mins, objective="delay", arrival_rate=lam, service_rate=mu
        )
        best, _ = _brute_force(w, total, minimum, delay)
        assert delay(got.to_numpy()) == pytest.approx(best)


def test_reallocate_defaults_and_errors():
    need = pd.Series({"A": 8.0, "B": 2.0, "C": 2.0})
    current = pd.Series({"A": 3, "B": 5, "C": 4})
    new = al.reallocate_need(need, current=current, minimum=2)
    assert new.sum() == current.sum() and new.min() >= 2
    assert al.equity_metrics(need, new)["max_load"] < al.equity_metrics(need, current)["max_load"]
    with pytest.raises(ValueError, match="minimums need"):
        al.reallocate_need(need, total=5, minimum=2)
    with pytest.raises(ValueError, match="objective"):
        al.reallocate_need(need, total=10, objective="fairness")
    with pytest.raises(ValueError, match="stable"):
        al.reallocate_need(
            need,
            total=3,
            objective="delay",
            arrival_rate=pd.Series({"A": 5.0, "B": 1, "C": 1}),
            service_rate=1.0,
        )


def test_sink_scenarios_diminishing_returns():
    need = pd.Series(np.linspace(2, 20, 10), index=[f"S{i}" for i in range(10)])
    current = pd.Series(5, index=need.index)
    s = al.sink_scenarios(need, current, range(0, 41, 10), minimum=1)
    assert s["max_load"].is_monotonic_decreasing
    gains = s["marginal_gain"].dropna().to_numpy()
    assert (np.diff(gains) <= 1e-9).all()  # each extra batch helps less


def test_gini_and_team_split():
    assert al.gini(np.ones(5)) == 0.0
    assert al.gini([0, 0, 0, 0, 10]) == pytest.approx(0.8)
    hours = pd.DataFrame({"criminal": [90.0, 10.0], "dispute": [10.0, 90.0]}, index=["A", "B"])
    split = al.team_split(hours, pd.Series({"A": 30, "B": 30}))
    assert (split[["community", "case", "command"]].sum(axis=1) == 30).all()
    assert (split["community"] >= 12).all()  # ≥ 40 % community police
    assert split.loc["A", "case"] > split.loc["B", "case"]


def test_m_city_reallocation_reduces_worst_load_and_gini(m_city):
    city = m_city
    last = city.demand[city.demand["date"] >= "2024-01-01"]
    need = al.workload_staffing(last, days=366).set_index("station_id")["officers_needed"]
    current = city.stations.set_index("station_id")["officers"]
    new = al.reallocate_need(need, current=current, minimum=5)
    before, after = al.equity_metrics(need, current), al.equity_metrics(need, new)
    assert after["max_load"] < 0.8 * before["max_load"]
    assert after["gini_load"] < 0.5 * before["gini_load"]
    assert new.sum() == current.sum()


# --------------------------------------------------------------------------- planning helpers


def _daily(values, start="2020-01-01", station="S1"):
    return pd.DataFrame(
        {"station_id": station, "date": pd.date_range(start, periods=len(values)), "count": values}
    )


def test_horizon_total_formula():
    rng = np.random.default_rng(3)
    m = rng.uniform(5, 20, 10)
    e = rng.uniform(0.5, 4, 10)
    f = pd.DataFrame({"station_id": "A", "mean": m, "q80": m + e})
    for rho in (0.0, 0.3, 1.0):
        got = al.horizon_total(f, rho=rho).loc["A"]
        # Normal errors with s.d. ∝ e and equicorrelation rho: the total's s.d. over the summed s.d.
        cov = rho * np.outer(e, e) + (1 - rho) * np.diag(e**2)
        assert got["q_total"] == pytest.approx(m.sum() + np.sqrt(cov.sum()))
        assert got["mean"] == pytest.approx(m.sum()) and got["q_summed"] == pytest.approx((m + e).sum())
    assert al.horizon_total(f, rho=1.0).loc["A", "q_total"] == pytest.approx((m + e).sum())
    # The quantile of the total grows with the correlation.
    q = [al.horizon_total(f, rho=r).loc["A", "q_total"] for r in (0, 0.2, 0.6, 1)]
    assert np.all(np.diff(q) > 0)
    with pytest.raises(ValueError, match="rho"):
        al.horizon_total(f, rho=1.5)
    with pytest.raises(jw.DataError, match="below"):
        al.horizon_total(f.assign(q80=f["mean"] - 1), rho=0.5)


def test_error_correlation_recovers_equicorrelation():
    # Each 28-day block shares one level shock (variance t2) on top of daily noise (s2):
    # within a block the correlation is t2 / (t2 + s2).  Blocks start on the origins' grid
    # only roughly, so the estimate is checked within a band, and pure noise gives ~0.
    rng = np.random.default_rng(11)
    n = 6 * 365
    noise = rng.normal(0, 4, (5, n))
    shocks = np.repeat(rng.normal(0, 2, (5, n // 28 + 1)), 28, axis=1)[:, :n]
    frames = [_daily(200 + noise[i] + shocks[i], station=f"S{i}") for i in range(5)]
    rho_shock = al.error_correlation(pd.concat(frames), 28, years=5)
    frames = [_daily(200 + noise[i], station=f"S{i}") for i in range(5)]
    rho_noise = al.error_correlation(pd.concat(frames), 28, years=5)
    assert rho_noise < 0.05
    assert 0.1 < rho_shock < 0.35  # true within-block value 4/20 = 0.2
    with pytest.raises(jw.DataError, match="too little history"):
        al.error_correlation(_daily(np.ones(40)), 28)
    with pytest.raises(ValueError, match="h must be"):
        al.error_correlation(_daily(np.ones(400)), 1)


def test_seasonal_index_is_trend_neutral_and_exact():
    days = pd.date_range("2019-01-01", "2024-12-31")
    trend = pd.DataFrame({"station_id": "A", "date": days, "count": 100 + 0.05 * np.arange(len(days))})
    idx = al.seasonal_index(trend, "2025-01-01", 28)
    assert idx["A"] == pytest.approx(1.0, abs=0.002)  # a steady trend is not a season
    assert len(idx.attrs["years"]) == 3
    july = trend.assign(count=np.where(days.month == 7, 30.0, 10.0))
    # A July window: 30 per day against a year with one July (31 days) at 30 and 334 days at 10.
    assert al.seasonal_index(july, "2025-07-01", 28)["A"] == pytest.approx(30 / ((31 * 30 + 334 * 10) / 365))
    with pytest.raises(jw.DataError, match="no past year"):
        al.seasonal_index(_daily(np.ones(100)), "2020-05-01", 28)


def test_category_workload_and_hours():
    d = pd.DataFrame(
        {
            "station_id": ["A", "A", "B", "A"],
            "category": ["fraud", "traffic", "fraud", "fraud"],
            "date": pd.to_datetime(["2024-12-30", "2024-12-31", "2024-12-31", "2022-01-01"]),
            "count": [1, 3, 2, 100],
        }
    )
    w = al.category_workload(pd.Series({"A": 40.0, "B": 10.0}), d)  # the 2022 row is outside the year
    assert w.set_index(["station_id", "category"])["count"].to_dict() == {
        ("A", "fraud"): 10.0,
        ("A", "traffic"): 30.0,
        ("B", "fraud"): 10.0,
    }
    hours = al.category_hours(w)
    assert hours.loc["A", "fraud"] == pytest.approx(10 * 90 / 60) and hours.loc["B", "traffic"] == 0
    with pytest.raises(jw.DataError, match="no recent incidents"):
        al.category_workload(pd.Series({"C": 1.0}), d)
    out = al.workload_staffing(w, days=365)
    # Call-weighted handling time: (10·90 + 30·45) / 40.
    assert out.set_index("station_id").loc["A", "handling_minutes"] == pytest.approx((900 + 1350) / 40)


def test_need_sensitivity_is_linear():
    w = pd.DataFrame({"station_id": ["A", "B"], "category": ["fraud", "dispute"], "count": [5000.0, 800.0]})
    t = al.need_sensitivity(
        w, grid={"officers_per_call": [1.0, 2.0], "committed_share": [1 / 3, 2 / 3]}, days=365
    )
    base = t.iloc[0]["officers_needed"]
    assert t["officers_needed"].tolist() == pytest.approx([base, base / 2, 2 * base, base])
    with pytest.raises(ValueError, match="unknown"):
        al.need_sensitivity(w, grid={"speed": [1]})


def test_station_minimums():
    st = pd.DataFrame({"station_id": ["A", "B", "C"], "population": [0, 25_000, 25_001]})
    assert al.station_minimums(st).tolist() == [5, 5, 6]
    p = al.StaffingParams(residents_per_community_officer=3000, min_officers=2)
    assert al.station_minimums(st, p).tolist() == [2, 9, 9]
    with pytest.raises(jw.DataError, match="population"):
        al.station_minimums(st.assign(population=[1, -1, 3]))


@pytest.mark.parametrize("seed", range(8))
def test_minimal_transfers_is_minimal_and_feasible(seed):
    rng = np.random.default_rng(seed)
    n = 8
    idx = [f"S{i}" for i in range(n)]
    need = pd.Series(rng.uniform(1, 12, n).round(2), index=idx)
    current = pd.Series(rng.integers(2, 14, n), index=idx)
    required = np.maximum(2, np.ceil(need))
    deficit = np.maximum(required - current, 0).sum()
    if deficit > np.maximum(current - required, 0).sum():
        with pytest.raises(ValueError, match="more are needed"):
            al.minimal_transfers(need, current, minimum=2)
        return
    x = al.minimal_transfers(need, current, minimum=2)
    assert x.sum() == current.sum() and (x >= 2).all()
    assert (need / x <= 1 + 1e-12).all()
    assert (x - current).clip(lower=0).sum() == deficit  # the lower bound on moves is reached
    # Stations that were over capacity only gain; donors only lose.
    assert ((x - current)[need > current] >= 0).all()


def test_shift_summary_wraps_midnight():
    hourly = pd.DataFrame({"dow": np.repeat(np.arange(7), 24), "hour": np.tile(np.arange(24), 7)})
    hourly["arrival_rate"] = 1.0
    hourly["erlang_c_units"] = np.where(hourly["hour"] < 6, 5, 2)
    hourly["sqrt_units"] = hourly["erlang_c_units"]
    hourly["officers"] = hourly["erlang_c_units"]
    out = al.shift_summary(hourly, shift_starts=(6, 14, 22))
    assert len(out) == 21 and (out["hours"] == 8).all()
    night = out[out["shift"] == "22-06"]
    assert (night["officers"] == 5).all() and (night["calls"] == 8).all()
    assert out[out["shift"] == "06-14"]["officers"].eq(2).all()
    assert out["officer_hours"].sum() == 7 * (5 * 8 + 2 * 16)
    with pytest.raises(ValueError, match="shift_starts"):
        al.shift_summary(hourly, shift_starts=(8, 0))


def test_station_forecast_uses_a_matching_saved_table(tmp_path):
    rng = np.random.default_rng(0)
    d = pd.concat([_daily(rng.poisson(20, 80), station=s) for s in ("S1", "S2")])
    dates = pd.date_range(d["date"].max() + pd.Timedelta(days=1), periods=7)
    table = pd.DataFrame(
        {
            "station_id": np.repeat(["S1", "S2"], 7),
            "date": np.tile(dates, 2),
            "mean": 10.0,
            "q80": 12.0,
            "q95": 15.0,
            "model": "gbm",
        }
    )
    path = tmp_path / "fc.csv"
    table.to_csv(path, index=False)
    got = jw.forecast.station_forecast(d, h=7, saved=path)
    assert got.attrs["source"] == "saved" and (got["model"] == "gbm").all() and len(got) == 14
    # Wrong horizon, or a station missing: forecast instead.
    assert jw.forecast.station_forecast(d, h=5, saved=path, input_size=None).attrs["source"] == "computed"
    table[table["station_id"] == "S1"].to_csv(path, index=False)
    fresh = jw.forecast.station_forecast(d, h=7, saved=path, input_size=None)
    assert fresh.attrs["source"] == "computed" and set(fresh["station_id"]) == {"S1", "S2"}
    assert (fresh["q95"] >= fresh["q80"]).all() and (fresh["q80"] >= fresh["mean"]).all()
    with pytest.raises(jw.DataError, match="missing columns"):
        jw.forecast.station_forecast(d.drop(columns="count"), h=7, saved=False)


def test_station_clusters_saved_or_computed(tmp_path, monkeypatch, m_city):
    city = m_city
    path = tmp_path / "clusters.csv"
    pd.DataFrame({"station_id": city.stations["station_id"], "cluster": 1, "cluster_name": "all"}).to_csv(
        path, index=False
    )
    saved = jw.cluster.station_clusters(city.demand, city.stations, saved=path)
    assert saved.attrs["source"] == "saved" and (saved["cluster_name"] == "all").all()
    computed = jw.cluster.station_clusters(
        city.demand, city.stations, city.panel, saved=tmp_path / "absent.csv", k_range=range(4, 7), n_ref=5
    )
    assert computed.attrs["source"] == "computed" and len(computed) == 48
    # The computed clusters separate the rural stations from the city core.
    arche = city.truth.archetype_of()
    rural = computed[computed["station_id"].map(arche) == "rural"]["cluster"]
    core = computed[computed["station_id"].map(arche) == "commercial_core"]["cluster"]
    assert rural.nunique() == 1 and not set(rural) & set(core)
    # the hand-off is explicit: a table left in the reports directory is not read by default
    tables = tmp_path / "reports" / "tables"
    tables.mkdir(parents=True)
    (tables / jw.cluster.CLUSTER_TABLE).write_bytes(path.read_bytes())
    monkeypatch.setenv("JINGWU_REPORTS", str(tmp_path / "reports"))
    again = jw.cluster.station_clusters(
        city.demand, city.stations, city.panel, k=int(computed["cluster"].max())
    )
    assert again.attrs["source"] == "computed" and again["cluster"].nunique() > 1
    with pytest.warns(DeprecationWarning, match="saved=True"):
        assert jw.cluster.station_clusters(city.demand, city.stations, saved=True).attrs["source"] == "saved"
    # a result handed over in memory is used as it is; one that misses stations is refused
    given = jw.cluster.station_clusters(city.demand, city.stations, saved=computed)
    assert given.attrs["source"] == "given" and given["cluster"].tolist() == computed["cluster"].tolist()
    with pytest.raises(jw.DataError, match="do not cover every station"):
        jw.cluster.station_clusters(city.demand, city.stations, saved=computed.iloc[1:])


def test_m_city_plan_from_forecast_to_reallocation(m_city):
    city = m_city
    rho = al.error_correlation(city.demand, 28)
    assert 0.01 < rho < 0.2
    fc = jw.forecast.station_forecast(city.demand, 28, saved=False)
    plan = al.horizon_total(fc, rho=rho)
    assert (plan["q_total"] < plan["q_summed"]).all() and (plan["q_total"] > plan["mean"]).all()
    season = al.seasonal_index(city.demand, fc["date"].min(), 28)
    assert 0.8 < float(plan["q_total"].sum() / (plan["q_total"] / season).sum()) < 0.95  # January is quiet
    work = al.category_workload(plan["q_total"] / season, city.demand)
    need = al.workload_staffing(work, days=28).set_index("station_id")["officers_needed"]
    current = city.stations.set_index("station_id")["officers"]
    mins = al.station_minimums(city.stations, community=False)
    new = al.reallocate_need(need, current=current, minimum=mins)
    before, after = al.equity_metrics(need, current), al.equity_metrics(need, new)
    assert after["max_load"] < 0.6 * before["max_load"] and after["gini_load"] < 0.2 * before["gini_load"]
    few = al.minimal_transfers(need, current, minimum=mins)
    assert al.equity_metrics(need, few)["max_load"] <= 1
    assert (few - current).clip(lower=0).sum() < 0.1 * (new - current).clip(lower=0).sum()


# ------------------------------------------------------------- fast greedy = officer-by-officer greedy


def _reallocate_one_by_one(need, total, minimum, objective="max_load", lam=None, mu=None):
    """The reference algorithm (jingwu <= 0.1): one argmax over all stations per officer."""
    x = np.asarray(minimum, dtype=int).copy()
    w = np.asarray(need, dtype=float)
    if objective == "delay":
        stable = np.floor(lam / mu).astype(int) + 1
        stable[lam == 0] = 0
        x = np.maximum(x, stable)

    def gain(i):
        if objective == "max_load":
            return w[i] / x[i] if x[i] > 0 else (math.inf if w[i] > 0 else 0.0)
        if objective == "unmet":
            return max(0.0, w[i] - x[i]) - max(0.0, w[i] - x[i] - 1)
        return _delay_cost(lam[i], mu, x[i]) - _delay_cost(lam[i], mu, x[i] + 1)

    gains = np.array([gain(i) for i in range(len(x))])
    for _ in range(int(total - x.sum())):
        i = int(np.argmax(gains))
        x[i] += 1
        gains[i] = gain(i)
    return x


def _random_case(rng):
    n = int(rng.integers(1, 60))
    kind = rng.integers(0, 4)
    if kind == 0:  # continuous needs
        need = rng.uniform(0, 30, n)
    elif kind == 1:  # whole-number needs: many exact ties in need / x
        need = rng.integers(0, 12, n).astype(float)
    elif kind == 2:  # a few distinct values repeated, zeros included
        need = rng.choice([0.0, 1.5, 3.0, 6.0], n)
    else:  # tiny and huge loads side by side
        need = np.exp(rng.uniform(-6, 8, n))
    minimum = rng.integers(0, 4, n) * (rng.random(n) < 0.6)
    total = int(minimum.sum() + rng.integers(0, 8 * n + 50))
    return need, minimum, total


@pytest.mark.parametrize("seed", range(40))
def test_fast_reallocate_equals_officer_by_officer_greedy(seed):
    rng = np.random.default_rng(seed)
    need, minimum, total = _random_case(rng)
    index = [f"S{i:03d}" for i in range(len(need))]
    for objective in ("max_load", "unmet"):
        got = al.reallocate_need(
            pd.Series(need, index=index),
            total=total,
            minimum=pd.Series(minimum, index=index),
            objective=objective,
        )
        np.testing.assert_array_equal(got.to_numpy(), _reallocate_one_by_one(need, total, minimum, objective))
    lam = rng.uniform(0, 3, len(need)) * (rng.random(len(need)) < 0.8)
    stable = int((np.where(lam > 0, np.floor(lam) + 1, 0)).sum())
    if stable <= total and len(need) <= 25:
        got = al.reallocate_need(
            pd.Series(need, index=index),
            total=total,
            minimum=pd.Series(minimum, index=index),
            objective="delay",
            arrival_rate=pd.Series(lam, index=index),
            service_rate=1.0,
        )
        np.testing.assert_array_equal(
            got.to_numpy(), _reallocate_one_by_one(need, total, minimum, "delay", lam, 1.0)
        )


def test_fast_reallocate_tie_breaks_and_edge_cases(m_city):
    # equal loads: the station listed first gets the officer
    need = pd.Series([4.0, 4.0, 4.0], index=["c", "a", "b"])
    assert al.reallocate_need(need, total=4).tolist() == [2, 1, 1]
    # nothing to do, a single station, all needs zero (everything to the first station)
    assert al.reallocate_need(need, total=0).tolist() == [0, 0, 0]
    assert al.reallocate_need(pd.Series({"A": 2.5}), total=7).tolist() == [7]
    assert al.reallocate_need(pd.Series({"A": 0.0, "B": 0.0}), total=5).tolist() == [5, 0]
    # M city: the exact allocation of the notebook is unchanged
    city = m_city
    last = city.demand[city.demand["date"] >= "2024-01-01"]
    w = al.workload_staffing(last, days=366).set_index("station_id")["officers_needed"]
    current = city.stations.set_index("station_id")["officers"]
    fast = al.reallocate_need(w, current=current, minimum=5)
    np.testing.assert_array_equal(
        fast.to_numpy(), _reallocate_one_by_one(w.to_numpy(), current.sum(), np.full(len(w), 5))
    )


# --------------------------------------------------------------------------- bad numbers are refused


def test_reallocate_refuses_bad_numbers_and_names_the_stations():
    need = pd.Series({"A": 8.0, "B": 2.0, "C": 2.0})
    current = pd.Series({"A": 3, "B": 5, "C": 4})
    with pytest.raises(jw.DataError, match=r"column 'need'.*\(rows B\)") as e:
        al.reallocate_need(need.replace(2.0, np.nan).fillna({"C": 2.0}), total=10)
    assert "finite numbers >= 0" in str(e.value)
    with pytest.raises(jw.DataError, match=r"'need'.*rows A"):
        al.reallocate_need(pd.Series({"A": -1.0, "B": 2.0}), total=10)
    with pytest.raises(jw.DataError, match=r"'need'.*rows B"):
        al.reallocate_need(pd.Series({"A": 1.0, "B": "2"}, dtype=object), total=10)
    with pytest.raises(jw.DataError, match=r"'need'.*rows A"):
        al.reallocate_need(pd.Series({"A": np.inf, "B": 2.0}), total=10)
    with pytest.raises(jw.DataError, match=r"listed twice.*rows A"):
        al.reallocate_need(pd.Series([1.0, 2.0], index=["A", "A"]), total=10)
    with pytest.raises(jw.DataError, match="whole number"):
        al.reallocate_need(need, total=10.5)
    assert al.reallocate_need(need, total=10.0).sum() == 10  # a whole float is a whole number
    with pytest.raises(jw.DataError, match=r"'minimum'.*rows A"):
        al.reallocate_need(need, total=10, minimum=pd.Series({"A": 2.5, "B": 1, "C": 1}))
    with pytest.raises(jw.DataError, match=r"'current'.*fractional.*rows C"):
        al.reallocate_need(need, current=pd.Series({"A": 3, "B": 5, "C": 4.5}))
    with pytest.raises(jw.DataError, match=r"'arrival_rate'.*rows C"):
        al.reallocate_need(
            need,
            total=10,
            objective="delay",
            arrival_rate=pd.Series({"A": 1.0, "B": 1.0, "C": np.nan}),
            service_rate=1.0,
        )
    for mu in (0.0, -1.0, np.nan, "1"):
        with pytest.raises(jw.DataError, match="service_rate"):
            al.reallocate_need(
                need,
                total=10,
                objective="delay",
                arrival_rate=pd.Series(1.0, index=need.index),
                service_rate=mu,
            )
    assert al.reallocate_need(need, current=current).sum() == 12


def test_current_that_does_not_match_need_is_reported_with_near_matches():
    need = pd.Series({"Y市公安局城关派出所": 8.0, "Y市公安局东关派出所": 2.0, "北站派出所": 3.0})
    current = pd.Series({"城关派出所": 5, "东关派出所": 4, "北站派出所": 4})
    with pytest.raises(jw.DataError) as e:
        al.reallocate_need(need, current=current)
    msg = str(e.value)
    assert (
        "2 station(s) of need are not in current" in msg and "2 station(s) of current are not in need" in msg
    )
    assert "'Y市公安局城关派出所' -> '城关派出所'" in msg and "not applied" in msg
    # an extra station in current would silently lose its officers from the total: refused too
    with pytest.raises(jw.DataError, match="1 station\\(s\\) of current are not in need"):
        al.reallocate_need(
            pd.Series({"北站派出所": 3.0}), current=pd.Series({"北站派出所": 4, "南站派出所": 2})
        )
    with pytest.raises(jw.DataError, match="'officers'"):
        al.equity_metrics(pd.Series({"A": 1.0}), pd.Series({"B": 1}))
    with pytest.raises(jw.DataError, match="'current'"):
        al.minimal_transfers(pd.Series({"A": 1.0}), pd.Series({"B": 1}))


@pytest.mark.parametrize(
    "args",
    [
        (np.nan, 1.0, 3),
        (1.0, np.nan, 3),
        (-1.0, 1.0, 3),
        (1.0, 0.0, 3),
        ("2", 1.0, 3),
        (1.0, -2.0, 3),
        (True, 1.0, 3),
    ],
)
def test_queueing_refuses_bad_rates(args):
    for f in (al.erlang_c, al.mean_wait):
        with pytest.raises(jw.DataError, match="rate"):
            f(*args)


def test_staffing_refuses_non_positive_days_and_handling_times():
    f = pd.DataFrame({"station_id": ["S1"], "category": ["fraud"], "count": [10.0]})
    for days in (0, -3, np.nan):
        with pytest.raises(jw.DataError, match="days"):
            al.workload_staffing(f, days=days)
    with pytest.raises(jw.DataError, match=r"'count'.*rows S2"):
        al.workload_staffing(
            pd.DataFrame({"station_id": ["S1", "S2"], "category": "fraud", "count": [1, "x"]})
        )
    prof = pd.DataFrame({"dow": [0], "hour": [0], "share": [1.0]})
    for minutes in (0, -5, np.nan):
        with pytest.raises(jw.DataError, match="handling_minutes"):
            al.shift_staffing(prof, 10, handling_minutes=minutes)
    with pytest.raises(jw.DataError, match="calls_per_week"):
        al.shift_staffing(prof, np.nan, handling_minutes=30)


def test_reallocate_takes_a_frame_with_the_contract_columns():
    table = pd.DataFrame(
        {
            "station_id": ["A", "B", "C"],
            "officers_needed": [10.0, 5.0, 1.0],
            "officers": [3, 3, 2],
            "floor": [1, 1, 1],
        }
    )
    alloc = al.reallocate(table, current_col="officers", minimum_col="floor")
    assert alloc.to_dict() == {"A": 5, "B": 2, "C": 1} and alloc.index.name == "station_id"
    # the same as the engine on a Series, and the station id may be the index
    need = table.set_index("station_id")["officers_needed"]
    assert alloc.tolist() == al.reallocate_need(need, total=8, minimum=1).tolist()
    assert al.reallocate(table.set_index("station_id"), total=8, minimum=1).tolist() == [5, 2, 1]
    # a Series still works for a release, with a warning; the numbers are the same
    with pytest.warns(DeprecationWarning, match="DataFrame"):
        assert al.reallocate(need, total=8, minimum=1).tolist() == [5, 2, 1]
    # wrong shapes and missing columns are a DataError naming what is expected
    with pytest.raises(jw.DataError, match="takes a DataFrame, not dict"):
        al.reallocate(need.to_dict(), total=8)
    with pytest.raises(jw.DataError, match="'officers_needed': missing columns for reallocate"):
        al.reallocate(table.drop(columns="officers_needed"), total=8)
    with pytest.raises(jw.DataError, match="'staff': missing columns"):
        al.reallocate(table, current_col="staff")
    with pytest.raises(jw.DataError, match="need must be a Series"):
        al.equity_metrics(table, alloc)


def test_equity_metrics_is_a_result_with_the_old_dict_access():
    m = al.equity_metrics(pd.Series({"A": 4.0, "B": 2.0}), pd.Series({"A": 2, "B": 2}))
    assert m == {
        "max_load": 2.0,
        "gini_load": pytest.approx(1 / 6),
        "share_over_capacity": 0.5,
        "coverage": pytest.approx(2 / 3),
    }
    assert pd.DataFrame({"plan": m}).T.loc["plan", "max_load"] == 2.0
    frame = m.to_frame()
    assert frame["load"].tolist() == [2.0, 1.0] and frame["over_capacity"].tolist() == [True, False]
    assert m.summary("zh").set_index("metric").loc["coverage", "label"] == "需求覆盖率"
    import matplotlib

    matplotlib.use("Agg")
    ax = m.plot()
    assert len(ax.patches) == 2
