"""select_k on many stations (a sampled silhouette) and the selection plot's ``ax``."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.metrics import silhouette_score  # noqa: E402

from jingwu import cluster as cl  # noqa: E402
from jingwu.cluster.pipeline import _transformed, make_pipeline  # noqa: E402


def _blobs(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    centres = np.array([[0, 0], [4, 0], [0, 4]])
    x = centres[np.arange(n) % 3] + rng.normal(0, 0.6, (n, 2))
    return pd.DataFrame(x, columns=["a", "b"])


def test_below_the_threshold_nothing_is_sampled():
    X = _blobs(120)
    full = cl.select_k(X, [2, 3, 4], methods=["kmeans"], n_ref=3, sample_size=None)
    default = cl.select_k(X, [2, 3, 4], methods=["kmeans"], n_ref=3)
    at_n = cl.select_k(X, [2, 3, 4], methods=["kmeans"], n_ref=3, sample_size=120)
    pd.testing.assert_frame_equal(full, default)
    pd.testing.assert_frame_equal(full, at_n)
    assert (full["silhouette_n"] == 120).all()


def test_above_the_threshold_the_silhouette_is_a_seeded_sample():
    X = _blobs(600)
    full = cl.select_k(X, [2, 3, 4], methods=["kmeans", "ward"], n_ref=3, sample_size=None)
    samp = cl.select_k(X, [2, 3, 4], methods=["kmeans", "ward"], n_ref=3, sample_size=200, seed=0)
    again = cl.select_k(X, [2, 3, 4], methods=["kmeans", "ward"], n_ref=3, sample_size=200, seed=0)
    other = cl.select_k(X, [2, 3, 4], methods=["kmeans", "ward"], n_ref=3, sample_size=200, seed=1)
    pd.testing.assert_frame_equal(samp, again)  # deterministic
    assert (samp["silhouette_n"] == 200).all() and (samp["n_stations"] == 600).all()
    # only the silhouette changes; every other criterion uses all stations
    same = ["calinski_harabasz", "davies_bouldin", "gap", "bic", "min_cluster_size"]
    pd.testing.assert_frame_equal(samp[same], full[same])
    assert not np.allclose(samp["silhouette"], full["silhouette"])
    assert not np.allclose(samp["silhouette"], other["silhouette"])
    # a close estimate that keeps the choice
    np.testing.assert_allclose(
        samp["silhouette"], full["silhouette"], atol=0.08
    )  # sampling error, 200 of 600
    assert cl.choose_k(samp) == cl.choose_k(full) == 3


def test_sampled_silhouette_is_the_silhouette_of_the_sampled_stations():
    X = _blobs(300)
    sel = cl.select_k(X, [3], methods=["kmeans"], n_ref=2, sample_size=50, seed=4)
    x = _transformed(make_pipeline(X, 2), X)
    labels = cl.fit(X, 3).labels.to_numpy()
    idx = np.sort(np.random.default_rng(4).choice(300, 50, replace=False))
    assert sel["silhouette"].iloc[0] == pytest.approx(silhouette_score(x[idx], labels[idx]))


@pytest.mark.parametrize("bad", [1, 0, 2.5, True, "100"])
def test_sample_size_is_checked(bad):
    with pytest.raises(ValueError, match="sample_size"):
        cl.select_k(_blobs(30), [2, 3], methods=["kmeans"], n_ref=2, sample_size=bad)


@pytest.fixture(scope="module")
def choice():
    sel = cl.select_k(_blobs(60), [2, 3, 4], methods=["kmeans", "gmm"], n_ref=3)
    return cl.choose_k(sel)


def test_kchoice_plot_draws_into_the_given_axes(choice):
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    right.set_title("kept")
    out = choice.plot(ax=left, lang="en")
    assert out is fig
    titles = [a.get_title() for a in fig.axes]
    assert "kept" in titles and left not in fig.axes  # the given area was split, the other panel kept
    assert len(fig.axes) == 1 + 5
    assert {"Silhouette ↑", "GMM BIC ↓"} <= set(titles)
    plt.close(fig)


def test_kchoice_plot_into_a_row_of_axes_and_wrong_counts(choice):
    fig, axes = plt.subplots(1, 5)
    assert choice.plot(ax=axes, lang="zh") is fig
    assert axes[0].get_title() == "轮廓系数 ↑" and axes[0].lines
    with pytest.raises(ValueError, match="5 Axes"):
        choice.plot(ax=axes[:3])
    plt.close("all")


def test_no_empty_bic_panel_without_the_gmm():
    sel = cl.select_k(_blobs(60), [2, 3, 4], methods=["kmeans", "ward"], n_ref=3)
    fig = cl.plot_select_k(sel, chosen=3, lang="en")
    titles = [a.get_title() for a in fig.axes]
    assert len(titles) == 4 and not any("BIC" in t for t in titles)
    assert all(a.lines for a in fig.axes)
    plt.close(fig)
