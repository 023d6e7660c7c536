"""Hierarchical forecast evaluation on the districts (moved to :mod:`jingwu.forecast.levels`).

The functions are general hierarchy evaluation and live in the forecast layer;
they are re-exported here so ``jingwu.studies.chicago.node_levels`` and this
module's old import path keep working.
"""

from __future__ import annotations

from ...forecast.levels import accuracy_by_level, node_levels, reconcile_backtest

__all__ = ["node_levels", "reconcile_backtest", "accuracy_by_level"]
