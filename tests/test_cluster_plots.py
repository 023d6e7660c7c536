"""Cluster figures a reader can read: tick labels that do not overlap, names in the run's language."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from jingwu import cluster as cl  # noqa: E402
from jingwu import viz  # noqa: E402

NAMES = [
    "高治安·高警情量 / High public order, high volume",
    "低交通·高电诈 / Low traffic, high fraud",
    "高刑事·高增长 / High criminal, high growth",
    "高季节波动·高春节警情 / High seasonality, high Spring Festival demand",
    "低周日警情·高万人警情 / Low Sunday demand, high incidents per resident",
]


def _blobs(k: int = 5, n: int = 12) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    x = np.repeat(np.eye(k) * 6, n, axis=0) + rng.normal(0, 0.3, (k * n, k))
    return pd.DataFrame(
        x + 10,
        columns=["annual_incidents", "seasonal_amplitude", "growth", "fraud_share", "spring_festival"][:k],
    )


def _overlaps(labels) -> list[tuple[str, str]]:
    boxes = [(t.get_text(), t.get_window_extent()) for t in labels if t.get_text()]
    return [(a, b) for i, (a, ba) in enumerate(boxes) for b, bb in boxes[i + 1 :] if ba.overlaps(bb)]


def test_stability_tick_labels_do_not_overlap_with_long_bilingual_names():
    viz.set_theme("both")
    stab = cl.stability(_blobs(), 5, n_boot=3)
    order = list(stab.jaccard.columns)
    names = pd.Series(NAMES, index=order)
    fig = stab.plot(names=names)
    fig.canvas.draw()
    ticks = fig.axes[0].get_xticklabels()
    assert len(ticks) == 5 and _overlaps(ticks) == []
    assert all("\n" in t.get_text() for t in ticks)  # wrapped, Chinese and English on their own lines
    plt.close(fig)


def test_tick_label_wraps_by_display_width():
    from jingwu.cluster.resampling import _tick_label

    text = _tick_label(f"4: {NAMES[3]}", 5)
    lines = text.split("\n")
    assert lines[0] == "4: 高季节波动·高春节警情" and len(lines) >= 3
    assert " ".join(lines[1:]) == "High seasonality, high Spring Festival demand"
    assert _tick_label("1", 5) == "1"


def test_names_follow_the_run_language():
    res = cl.fit(_blobs(), 5)
    zh, en, both = res.names("zh"), res.names("en"), res.names("both")
    assert all(" / " not in v and not any(c.isascii() and c.isalpha() for c in v) for v in zh)
    assert all(" / " not in v for v in en) and all(" / " in v for v in both)
    assert (res.to_frame("zh")["cluster_name"] == res.labels.map(zh).to_numpy()).all()
