"""Input handling shared by the effects estimators: long frame -> balanced wide panel.

Everything that touches the user's column conventions lives here (never-treated
coding, Period time, unit-level weights and clusters), so the estimators work
on plain numpy arrays.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..errors import DataError

__all__ = ["Panel", "prepare_panel", "TimeCodec"]


@dataclass
class TimeCodec:
    """Map user time labels (numbers or pandas Periods) to floats and back."""

    kind: str  # "int", "float" or "period"
    freq: object = None

    def encode(self, s: pd.Series, column: str) -> np.ndarray:
        """Times -> float array (Periods become their integer ordinals)."""
        if isinstance(s.dtype, pd.PeriodDtype):
            if self.kind != "period":
                raise DataError(
                    "time is a Period here but numeric elsewhere",
                    column=column,
                    expected="the same type as the time column",
                )
            if s.dtype.freq != self.freq:
                raise DataError(
                    f"Period frequency {s.dtype.freq} differs from the time column's {self.freq}",
                    column=column,
                    expected=f"Periods of freq {self.freq}",
                )
            out = np.full(len(s), np.nan)
            ok = s.notna().to_numpy()
            out[ok] = (
                s[ok].array.asi8.astype(float)
                if hasattr(s[ok].array, "asi8")
                else np.asarray([p.ordinal for p in s[ok]], dtype=float)
            )
            return out
        if pd.api.types.is_datetime64_any_dtype(s):
            return self.encode(s.dt.to_period(self.freq or "M"), column)
        if self.kind == "period":
            raise DataError(
                f"values are {s.dtype}, not Periods",
                column=column,
                expected=f"pandas Periods of freq {self.freq} (or empty for never)",
            )
        if not pd.api.types.is_numeric_dtype(s):
            raise DataError(
                f"values are not numeric or Periods (dtype {s.dtype})",
                column=column,
                expected="integers (e.g. years) or pandas Periods",
            )
        return s.to_numpy(dtype=float, na_value=np.nan)

    def decode(self, values: np.ndarray) -> np.ndarray | pd.PeriodIndex:
        """Floats -> user labels (Periods, ints or floats)."""
        values = np.asarray(values, dtype=float)
        if self.kind == "period":
            return pd.PeriodIndex.from_ordinals(values.astype(np.int64), freq=self.freq)
        if self.kind == "int" and np.all(np.isfinite(values)):
            return values.astype(np.int64)
        return values

    def decode_list(self, values: np.ndarray) -> list:
        """Like :meth:`decode` but a list of scalars (NaN stays NaN)."""
        values = np.asarray(values, dtype=float)
        out: list = []
        for v in values:
            if not np.isfinite(v):
                out.append(pd.NaT if self.kind == "period" else np.nan)
            elif self.kind == "period":
                out.append(pd.Period(ordinal=int(v), freq=self.freq))
            elif self.kind == "int":
                out.append(int(v))
            else:
                out.append(float(v))
        return out


@dataclass
class Panel:
    """A balanced panel in wide form.  ``g`` is ``inf`` for never-treated units."""

    ids: np.ndarray  # (n,) unit labels
    times: np.ndarray  # (T,) encoded times, increasing
    codec: TimeCodec
    Y: np.ndarray  # (n, T)
    g: np.ndarray  # (n,) encoded first treated period; inf = never
    w: np.ndarray  # (n,) unit weights, mean 1
    X: np.ndarray | None  # (T, n, k) covariates incl. intercept, or None
    xnames: list[str] = field(default_factory=list)
    cluster: np.ndarray | None = None  # (n,) integer cluster codes (None = unit)
    weighted: bool = False
    # what was left out and why: reason -> unit ids (or, for rows, the number of rows)
    dropped: dict = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)


def comparison_units(
    g_of_unit: np.ndarray,
    times: np.ndarray,
    g: float,
    cmax: int,
    *,
    control_group: str,
    anticipation: int,
) -> np.ndarray:
    """Boolean mask of the units that serve as controls for cohort ``g`` in one ATT(g,t) cell.

    As R ``did``: never-treated units, and with ``"notyettreated"`` also the units
    first treated after ``times[cmax] + anticipation`` (other than ``g`` itself).
    ``g_of_unit`` holds each unit's first treated period (``inf``: never).

    Examples
    --------
    >>> import numpy as np
    >>> gu = np.array([np.inf, 3.0, 5.0, 7.0])
    >>> comparison_units(gu, np.arange(1, 9), 3.0, 2, control_group="notyettreated", anticipation=0)
    array([ True, False,  True,  True])
    """
    never = np.isinf(g_of_unit)
    if control_group == "nevertreated":
        return never
    return never | ((g_of_unit > times[cmax] + anticipation) & (g_of_unit != g))


def _check_columns(data: pd.DataFrame, cols: Sequence[str | None]) -> None:
    if not isinstance(data, pd.DataFrame):
        raise TypeError(f"data must be a pandas DataFrame, not {type(data).__name__}")
    missing = [c for c in cols if c is not None and c not in data.columns]
    if missing:
        raise DataError(
            "columns not found", column=missing, expected=f"columns among {list(data.columns)[:12]}"
        )


def _time_codec(s: pd.Series, column: str) -> TimeCodec:
    if isinstance(s.dtype, pd.PeriodDtype):
        return TimeCodec("period", s.dtype.freq)
    if pd.api.types.is_datetime64_any_dtype(s):
        d = s.dropna()
        if d.dt.year.nunique() > 1 and d.dt.month.nunique() == 1:
            raise DataError(
                "datetimes fall in one calendar month of each year, so the data look "
                "annual, but datetimes are read as months (event times would count "
                "12 per year)",
                column=column,
                expected="annual data as integer years (.dt.year) or Periods "
                "(.dt.to_period('Y')) in both the time and timing columns",
            )
        return TimeCodec("period", pd.Period("2000-01", freq="M").freq)
    if pd.api.types.is_integer_dtype(s):
        return TimeCodec("int")
    if pd.api.types.is_float_dtype(s):
        vals = s.dropna().to_numpy()
        return TimeCodec("int" if np.all(vals == np.round(vals)) else "float")
    raise DataError(
        f"time values are {s.dtype}",
        column=column,
        expected="integers (e.g. years) or pandas Periods (e.g. months)",
    )


def _check_ids(data: pd.DataFrame, idname: str) -> None:
    """Unit ids of one kind: mixed numbers and strings sort unpredictably (or not at all)."""
    col = data[idname]
    if col.dtype == object:
        kinds = col.dropna().map(
            lambda v: "number" if isinstance(v, (int, float, np.number)) else type(v).__name__
        )
        if kinds.nunique() > 1:
            rows = np.flatnonzero(kinds.ne(kinds.iloc[0]).to_numpy())[:5] + 2
            raise DataError(
                f"unit ids mix {' and '.join(sorted(kinds.unique()))} values (e.g. 7 "
                "and '7' would be different units)",
                column=idname,
                rows=rows,
                expected="ids of one type: all numbers or all strings",
            )
    if col.isna().any():
        raise DataError(
            "missing unit ids",
            column=idname,
            rows=np.flatnonzero(col.isna().to_numpy())[:5] + 2,
            expected="an id in every row",
        )


def _check_timing_codes(
    graw: pd.Series, g: np.ndarray, t: np.ndarray, ids: np.ndarray, gname: str, kind: str
) -> None:
    """Catch timing codes that would silently mean something else (see the effects conventions)."""
    present = ~np.isnan(g)
    if kind != "period" and present.any():
        vals = np.unique(g[present])
        tmin, tmax = np.nanmin(t), np.nanmax(t)
        if np.any(vals < 0) and tmin >= 0:
            raise DataError(
                f"negative treatment timing {vals[vals < 0][:3].tolist()} while periods "
                f"run from {tmin:g} to {tmax:g}: never-treated coded as -1?",
                column=gname,
                rows=np.flatnonzero(present & (g < 0))[:5] + 2,
                expected="the first treated period; never treated as 0 or empty",
            )
        if set(vals.tolist()) <= {0.0, 1.0} and tmin > 1:
            raise DataError(
                f"treatment timing is only 0/1 while periods run from {tmin:g} to "
                f"{tmax:g}: a treatment indicator passed as the timing column? (twfe and "
                f"wild_cluster_bootstrap take a 0/1 column as dname=)",
                column=gname,
                expected="the first treated period of each unit (e.g. the "
                "adoption year), 0 or empty for never treated",
            )
    # a unit with timing in some rows and missing timing in others
    miss = pd.Series(~present).groupby(ids).agg(["any", "all"])
    partial = miss.index[(miss["any"] & ~miss["all"]).to_numpy()]
    if len(partial):
        raise DataError(
            f"treatment timing is missing in some rows of units {list(partial[:5])} "
            "that have it in others (missing would mean never treated)",
            column=gname,
            expected="the same first treated period in every row of a unit",
        )


def _design(data: pd.DataFrame, xformla: str | list[str] | None) -> tuple[np.ndarray, list[str]]:
    """Covariate matrix with intercept, like R ``model.matrix``."""
    if xformla is None:
        return np.ones((len(data), 1)), ["(Intercept)"]
    if isinstance(xformla, (list, tuple)):
        cols = list(xformla)
        _check_columns(data, cols)
        mat = data[cols].to_numpy(dtype=float, na_value=np.nan)
        return np.column_stack([np.ones(len(data)), mat]), ["(Intercept)", *cols]
    if not isinstance(xformla, str):
        raise TypeError("xformla must be a formula string like '~ lpop' or a list of columns")
    from formulaic import model_matrix

    rhs = xformla.split("~", 1)[-1].strip()
    mm = model_matrix(rhs, data, na_action="ignore")
    names = list(mm.columns)
    mat = np.asarray(mm, dtype=float)
    if "Intercept" not in names:
        mat = np.column_stack([np.ones(len(data)), mat])
        names = ["Intercept", *names]
    return mat, ["(Intercept)" if c == "Intercept" else c for c in names]


def prepare_panel(
    data: pd.DataFrame,
    yname: str,
    idname: str,
    tname: str,
    gname: str,
    *,
    xformla: str | list[str] | None = None,
    weightsname: str | None = None,
    cluster: str | list[str] | None = None,
    anticipation: int = 0,
    control_group: str = "nevertreated",
    drop_first_period_treated: bool = True,
    recode_last_cohort: bool = True,
    balance: bool = True,
) -> Panel:
    """Validate a long panel and return it balanced and wide.

    Follows R ``did``'s pre-processing: never-treated coded ``0`` or missing;
    cohorts first treated after the last period count as never treated; units
    treated in the first period (no pre-period) are dropped with a warning;
    rows with missing outcome/covariates and units not observed in every
    period are dropped with a warning.  Without never-treated units and with
    ``control_group="notyettreated"``, the last cohort becomes the comparison
    group and periods from its adoption on are dropped.  With
    ``balance=False`` units missing some periods are kept (their missing cells
    are NaN in ``Y``), for estimators that use every observation.  Every unit
    or row left out is listed in ``Panel.dropped`` with the reason.
    """
    if not isinstance(anticipation, (int, np.integer)) or anticipation < 0:
        raise ValueError(f"anticipation must be an integer >= 0, got {anticipation!r}")
    if control_group not in ("nevertreated", "notyettreated"):
        raise ValueError(f"control_group must be 'nevertreated' or 'notyettreated', got {control_group!r}")
    if isinstance(cluster, str):
        cluster = [cluster]
    cluster = [c for c in (cluster or []) if c != idname]
    if len(cluster) > 1:
        raise ValueError("at most one clustering variable besides idname is supported")
    _check_columns(data, [yname, idname, tname, gname, weightsname, *cluster])

    codec = _time_codec(data[tname], tname)
    t = codec.encode(data[tname], tname)
    if np.isnan(t).any():
        raise DataError(
            "missing time values",
            column=tname,
            rows=(np.flatnonzero(np.isnan(t)) + 2)[:5],
            expected="no missing periods",
        )
    graw = data[gname]
    if codec.kind != "period" and isinstance(graw.dtype, pd.PeriodDtype):
        raise DataError(
            "treatment timing is a Period but time is numeric",
            column=gname,
            expected="the same type as the time column",
        )
    g = codec.encode(graw, gname)
    _check_ids(data, idname)
    _check_timing_codes(graw, g, t, data[idname].to_numpy(), gname, codec.kind)
    # never-treated: 0 (R did) or missing (jingwu schema) -> inf
    if codec.kind == "period":
        g = np.where(np.isnan(g), np.inf, g)
    else:
        g = np.where(np.isnan(g) | (g == 0), np.inf, g)

    y = pd.to_numeric(data[yname], errors="coerce").to_numpy(dtype=float)
    X, xnames = _design(data, xformla)
    if weightsname is not None:
        wts = pd.to_numeric(data[weightsname], errors="coerce").to_numpy(dtype=float)
        if np.any(wts[np.isfinite(wts)] < 0):
            raise DataError("negative weights", column=weightsname, expected="weights >= 0")
    else:
        wts = np.ones(len(data))

    ok = np.isfinite(y) & np.all(np.isfinite(X), axis=1) & np.isfinite(wts)
    dropped: dict = {}
    if not ok.all():
        dropped["rows with missing outcome, covariates or weights"] = int((~ok).sum())
        warnings.warn(
            f"Dropped {int((~ok).sum())} rows with missing outcome, covariates or weights.", stacklevel=3
        )
    ids_all = data[idname].to_numpy()
    uid, uinv = np.unique(ids_all[ok], return_inverse=True)
    times = np.unique(t[ok])
    tinv = np.searchsorted(times, t[ok])
    n, T = len(uid), len(times)
    if n == 0:
        raise DataError("no usable rows", column=yname, expected="non-missing outcomes")
    counts = np.zeros((n, T), dtype=np.int64)
    np.add.at(counts, (uinv, tinv), 1)
    if counts.max() > 1:
        bad = np.argwhere(counts > 1)[0]
        raise DataError(
            f"unit {uid[bad[0]]!r} has more than one row in period {codec.decode_list(times[bad[1] : bad[1] + 1])[0]}",
            column=[idname, tname],
            expected="one row per unit and period",
        )
    full = counts.sum(axis=1) == T
    if not full.all() and balance:
        dropped["units not observed in every period (balanced panel required)"] = list(uid[~full])
        warnings.warn(
            f"Dropped {int((~full).sum())} units not observed in every period "
            "(balanced panel required, as in R did).",
            stacklevel=3,
        )
    # unit-level g, weights, clusters must be constant
    gu = np.full(n, np.nan)
    gu_first = pd.Series(g[ok]).groupby(uinv).agg(["min", "max"])
    if not np.array_equal(gu_first["min"].to_numpy(), gu_first["max"].to_numpy()):
        badu = uid[np.flatnonzero(gu_first["min"].to_numpy() != gu_first["max"].to_numpy())[:5]]
        raise DataError(
            f"treatment timing changes within units {list(badu)}",
            column=gname,
            expected="one adoption period per unit (empty or 0 = never treated)",
        )
    gu = gu_first["min"].to_numpy()
    wu = pd.Series(wts[ok]).groupby(uinv).mean().to_numpy()
    cl = None
    if cluster:
        cvals = pd.Series(data[cluster[0]].to_numpy()[ok])
        nun = cvals.groupby(uinv).nunique()
        if (nun > 1).any():
            raise DataError(
                "cluster variable varies within a unit",
                column=cluster[0],
                expected="clusters that contain whole units",
            )
        cl = pd.factorize(cvals.groupby(uinv).first())[0]

    Y = np.full((n, T), np.nan)
    Y[uinv, tinv] = y[ok]
    Xw = np.full((T, n, X.shape[1]), np.nan)
    Xw[tinv, uinv, :] = X[ok]

    keep = full.copy() if balance else np.ones(n, dtype=bool)
    # cohorts adopting after the last period are never treated in the window
    gu = np.where(gu > times[-1], np.inf, gu)
    # units already treated in the first period (+ anticipation) have no pre-period
    early = np.isfinite(gu) & (gu - anticipation <= times[0])
    if drop_first_period_treated and (early & keep).any():
        dropped["units already treated in the first period (no pre-period)"] = list(uid[early & keep])
        warnings.warn(
            f"Dropped {int((early & keep).sum())} units that were already treated in the first period.",
            stacklevel=3,
        )
    keep &= ~early if drop_first_period_treated else keep
    tkeep = np.ones(T, dtype=bool)
    if recode_last_cohort and not np.isinf(gu[keep]).any():
        if control_group == "nevertreated":
            raise DataError(
                "no never-treated units",
                column=gname,
                expected="some units never treated (0 or empty), or control_group='notyettreated'",
            )
        gmax = gu[keep].max()
        tkeep = times < gmax - anticipation
        dropped[
            "periods from the last cohort's adoption on (it is the comparison group: no never-treated units)"
        ] = codec.decode_list(times[~tkeep])
        gu = np.where(gu == gmax, np.inf, gu)
    if keep.sum() == 0:
        raise DataError(
            "no units left after balancing the panel",
            column=[idname, tname],
            expected="units observed in every period",
        )
    Y = Y[keep][:, tkeep]
    Xw = Xw[tkeep][:, keep, :]
    times = times[tkeep]
    w = wu[keep]
    if w.mean() <= 0:
        raise DataError("all weights are zero", column=weightsname, expected="positive weights")
    w = w / w.mean()
    return Panel(
        ids=uid[keep],
        times=times,
        codec=codec,
        Y=Y,
        g=gu[keep],
        w=w,
        X=None if xformla is None else Xw,
        xnames=xnames,
        cluster=None if cl is None else pd.factorize(cl[keep])[0],
        weighted=weightsname is not None,
        dropped=dropped,
    )
