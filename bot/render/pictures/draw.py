"""Turn a Layout into PNG bytes with matplotlib's Agg renderer (no pyplot: no global figure state, no GUI).

Imported only when a picture is actually drawn: `ask`, `chat` and start-up never load matplotlib.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from bot.render.pictures.layout import LINE_SPACING, PANEL, PAPER, Layout, Text

FONT = "DejaVu Sans"  # bundled with matplotlib, so every machine draws the same glyphs
_ALIGN_X = {"left": 0.0, "center": 0.5, "right": 1.0}


def figure(layout: Layout) -> tuple[Figure, list[tuple[Text, list]]]:
    """The figure, and for each layout text the artists drawn for its lines (the tests measure them)."""
    fig = Figure(figsize=(layout.width, layout.height), dpi=layout.dpi, facecolor=PAPER)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, layout.width)
    ax.set_ylim(layout.height, 0)  # layout y runs down from the top
    ax.set_axis_off()
    for box in layout.boxes:
        ax.add_patch(Rectangle(
            (box.x, box.y), box.w, box.h, facecolor=box.fill, edgecolor=box.edge, linewidth=1.8 if box.dashed else 1.4,
            linestyle=(0, (4, 2.5)) if box.dashed else "solid", hatch="///" if box.hatched else None, zorder=1,
        ))
    for arrow in layout.arrows:
        if arrow.head:
            ax.annotate("", xy=(arrow.x2, arrow.y2), xytext=(arrow.x1, arrow.y1), zorder=2,
                        arrowprops={"arrowstyle": "-|>", "color": arrow.colour, "lw": 1.4, "shrinkA": 0, "shrinkB": 1,
                                    "mutation_scale": 14})
        else:
            ax.plot((arrow.x1, arrow.x2), (arrow.y1, arrow.y2), color=arrow.colour, linewidth=0.9, zorder=1.5)
    for points, colour, dashed in layout.paths:
        xs, ys = zip(*points, strict=True)
        ax.plot(xs, ys, color=colour, linewidth=2.0, linestyle=(0, (3, 2)) if dashed else "solid", zorder=2)
    for mark in layout.marks:
        ax.plot(mark.x, mark.y, marker=mark.shape, markersize=mark.size, markerfacecolor=PANEL if mark.hollow else mark.colour,
                markeredgecolor=mark.colour, markeredgewidth=1.6, zorder=3)
    drawn = []
    for text in layout.texts:
        artists = []
        step = text.size * LINE_SPACING / 72
        anchor_x = text.x + _ALIGN_X[text.align] * text.w
        for index, line in enumerate(text.lines):
            top = text.y + index * step + (step - text.size / 72) / 2  # centre the glyphs in their line box
            artists.append(ax.text(
                anchor_x, top, line, fontsize=text.size, fontfamily=FONT, fontweight="bold" if text.bold else "normal",
                fontstyle="italic" if text.italic else "normal", color=text.colour, ha=text.align, va="top", zorder=4,
            ))
        drawn.append((text, artists))
    return fig, drawn


def png(layout: Layout) -> bytes:
    fig, _ = figure(layout)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=layout.dpi, facecolor=PAPER, metadata={"Software": None})
    return buffer.getvalue()
