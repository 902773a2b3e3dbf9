"""Images: mosaics of samples and data, rows of frames, receptive fields."""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure

from .figure import new_figure
from .save import _finish

__all__ = ["plot_image_rows", "plot_receptive_fields", "plot_samples_vs_data", "tile_images"]


def tile_images(images, shape, cols: int) -> np.ndarray:
    """(n, h*w) images -> one (rows*(h+1) - 1, cols*(w+1) - 1) mosaic, 1-pixel NaN gaps, row-major.

    >>> tile_images(np.ones((3, 4)), (2, 2), cols=2).shape
    (5, 5)
    """
    images = np.asarray(images)
    h, w = shape
    rows = max(1, math.ceil(len(images) / cols))
    out = np.full((rows * (h + 1) - 1, cols * (w + 1) - 1), np.nan)
    for k, img in enumerate(images):
        r, c = divmod(k, cols)
        out[r * (h + 1) : r * (h + 1) + h, c * (w + 1) : c * (w + 1) + w] = np.reshape(img, (h, w))
    return out


def plot_samples_vs_data(
    data, samples: dict, shape, path=None, title: str | None = None, *, n: int = 16, cols: int = 4
) -> Figure:
    """Mosaics side by side: ``n`` data images, then ``n`` samples of each model.

    Parameters
    ----------
    data : (n_data, h*w) images in [-1, 1] (the first ``n`` are drawn), or None for samples only
    samples : name -> (n_samples, h*w) images in [-1, 1]
    shape : (h, w) of one image
    path : optional output image, written atomically
    title : figure title
    n : images per mosaic
    cols : mosaic columns

    Returns the Figure: one panel per mosaic (data first).
    """
    panels = {} if data is None else {"data (test set)": np.asarray(data)[:n]}
    panels.update({k: np.asarray(v)[:n] for k, v in samples.items()})
    fig, axes = new_figure(1, len(panels), figsize=(max(2.6 * len(panels), 7.5), 2.9), squeeze=False)
    for ax, (name, imgs) in zip(axes[0], panels.items()):
        ax.imshow(tile_images(imgs, shape, cols), cmap="gray_r", vmin=-1, vmax=1)
        ax.set_title(name, fontsize=9)
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return _finish(fig, path)


def plot_image_rows(
    rows: dict,
    shape,
    path=None,
    *,
    n: int = 8,
    col_titles=None,
    title: str | None = None,
    cmap: str = "gray",
) -> Figure:
    """One row of ``n`` images per entry (e.g. consecutive frames per gain, or samples per source).

    Parameters
    ----------
    rows : row label -> (>= n, h*w) images in [-1, 1]
    shape : (h, w) of one image
    path : optional output image, written atomically
    n : images per row
    col_titles : optional ``n`` titles over the first row (e.g. the time of each frame)
    title : figure title
    cmap : colormap name (``"gray"``: -1 black, +1 white)

    Returns the Figure: a (len(rows), n) grid of axes without ticks.
    """
    names = list(rows)
    fig, axes = new_figure(len(names), n, figsize=(n * 0.9, len(names) * 1.05), squeeze=False)
    for i, name in enumerate(names):
        imgs = np.asarray(rows[name])
        for j in range(n):
            ax = axes[i, j]
            if j < len(imgs):
                ax.imshow(imgs[j].reshape(shape), cmap=cmap, vmin=-1, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if i == 0 and col_titles is not None:
                ax.set_title(str(col_titles[j]), fontsize=6)
        # horizontal, wrapped row labels: long labels stay readable and never run into the next row
        axes[i, 0].set_ylabel(textwrap.fill(str(name), 22), fontsize=7, rotation=0, ha="right", va="center")
    if title:
        fig.suptitle(title, fontsize=8)
    fig.tight_layout()
    return _finish(fig, path)


def plot_receptive_fields(fields, g: float, shape, path=None, title: str | None = None) -> Figure:
    """Receptive fields (visible-hidden weights of a few hidden units), colour scale W / g, symmetric.

    Parameters
    ----------
    fields : (n_units, h*w) weights, one row per hidden unit (9 give a 3 x 3 grid)
    g : gain the weights are divided by (1 for raw weights)
    shape : (h, w) of one field
    path : optional output image, written atomically
    title : figure title

    Returns the Figure: a ceil(sqrt(n)) wide grid of fields with one shared colour bar.
    """
    fields = np.asarray(fields) / g
    lim = float(np.abs(fields).max()) or 1.0
    cols = max(1, math.ceil(math.sqrt(len(fields))))
    nrows = max(1, math.ceil(len(fields) / cols))
    fig, axes = new_figure(nrows, cols, figsize=(6.2 * cols / 3, 6 * nrows / 3), squeeze=False)
    im = None
    for k, ax in enumerate(axes.ravel()):
        if k < len(fields):
            im = ax.imshow(fields[k].reshape(shape), cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.axis("off")
    if im is not None:
        fig.colorbar(im, ax=axes.ravel().tolist(), shrink=0.8, label="W / g")
    if title:
        fig.suptitle(title, fontsize=10)
    return _finish(fig, path)
