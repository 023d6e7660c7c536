"""Staffing and allocation: textbook values, the worked example, brute-force optimality."""
import itertools
import math

import numpy as np
import pandas as pd
import pytest

import jingwu as jw
from jingwu import allocate as al


# Erlang C textbook values: P(wait) for offered load a and c agents.  a = 2, c = 3
# is 4/9 exactly; a = 10 is the standard call-centre example (100 calls per half
# hour, 3-minute handling time) tabulated in queueing texts.
@pytest.mark.parametrize("a, c, expected", [
    (2.0, 3, 4 / 9), (10.0, 11, 0.6821), (10.0, 12, 0.4494), (10.0, 13, 0.2853), (10.0, 14, 0.1741),
    (1.0, 1, 1.0), (0.5, 1, 0.5),
])
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
    p = al.StaffingParams(officers_per_call=1.5, committed_share=1 / 3, available_hours=1662,
                          handling_minutes={"all": 45.0})
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
        got = al.reallocate(need, total=total, minimum=mins, objective=objective)
        assert got.sum() == total and (got >= mins).all()
        best, _ = _brute_force(w, total, minimum, cost)
        assert cost(got.to_numpy()) == pytest.approx(best)

    lam = pd.Series(rng.uniform(0.2, 2.5, n), index=need.index)
    mu = 1.0

    def delay(x):
        return sum(al._delay_cost(lam.iloc[i], mu, int(x[i])) for i in range(n))

    stable = int((np.floor(lam / mu) + 1).sum())
    if stable <= total:
        got = al.reallocate(need, total=total, minimum=mins, objective="delay", arrival_rate=lam, service_rate=mu)
        best, _ = _brute_force(w, total, minimum, delay)
        assert delay(got.to_numpy()) == pytest.approx(best)


def test_reallocate_defaults_and_errors():
    need = pd.Series({"A": 8.0, "B": 2.0, "C": 2.0})
    current = pd.Series({"A": 3, "B": 5, "C": 4})
    new = al.reallocate(need, current=current, minimum=2)
    assert new.sum() == current.sum() and new.min() >= 2
    assert al.equity_metrics(need, new)["max_load"] < al.equity_metrics(need, current)["max_load"]
    with pytest.raises(ValueError, match="minimums need"):
        al.reallocate(need, total=5, minimum=2)
    with pytest.raises(ValueError, match="objective"):
        al.reallocate(need, total=10, objective="fairness")
    with pytest.raises(ValueError, match="stable"):
        al.reallocate(need, total=3, objective="delay", arrival_rate=pd.Series({"A": 5.0, "B": 1, "C": 1}),
                      service_rate=1.0)


def test_sink_scenarios_diminishing_returns():
    need = pd.Series(np.linspace(2, 20, 10), index=[f"S{i}" for i in range(10)])
    current = pd.Series(5, index=need.index)
    s = al.sink_scenarios(need, current, range(0, 41, 10), minimum=1)
    assert s["max_load"].is_monotonic_decreasing
    gains = s["marginal_gain"].dropna().to_numpy()
    assert (np.diff(gains) <= 1e-9).all()   # each extra batch helps less


def test_gini_and_team_split():
    assert al.gini(np.ones(5)) == 0.0
    assert al.gini([0, 0, 0, 0, 10]) == pytest.approx(0.8)
    hours = pd.DataFrame({"criminal": [90.0, 10.0], "dispute": [10.0, 90.0]}, index=["A", "B"])
    split = al.team_split(hours, pd.Series({"A": 30, "B": 30}))
    assert (split[["community", "case", "command"]].sum(axis=1) == 30).all()
    assert (split["community"] >= 12).all()                     # ≥ 40 % community police
    assert split.loc["A", "case"] > split.loc["B", "case"]


def test_m_city_reallocation_reduces_worst_load_and_gini():
    city = jw.datasets.load_m_city()
    last = city.demand[city.demand["date"] >= "2024-01-01"]
    need = al.workload_staffing(last, days=366).set_index("station_id")["officers_needed"]
    current = city.stations.set_index("station_id")["officers"]
    new = al.reallocate(need, current=current, minimum=5)
    before, after = al.equity_metrics(need, current), al.equity_metrics(need, new)
    assert after["max_load"] < 0.8 * before["max_load"]
    assert after["gini_load"] < 0.5 * before["gini_load"]
    assert new.sum() == current.sum()
