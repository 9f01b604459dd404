"""The figure of one explained photo (`NAME.png` of `python -m traitjax.explain`): the photo,
where its strongest traits were seen, how each trait counted for the top species, and the
training photos of that species it is nearest to.

    | photo (top species, decision) | map of trait 1 | ... | map of trait 4 |
    | contributions to the top species, each bar in its trait's role's colour |
    | prototype 1 | prototype 2 | prototype 3 | prototype 4 |

A bar's colour is its trait's role in the record (`traitjax.explanations.roles`: green
supports, red counts against, grey not used), the same role the text and the JSON give it;
`bar_colours` says which colour each bar is drawn in. Species are shown by their display names
(`phrasing.display_name`). Every part is drawn from plain arrays and the photo's explanation
record, so a figure can be drawn (and tested) without a model.
"""

from __future__ import annotations

import dataclasses
import io
import textwrap

import matplotlib
import numpy as np

from traitjax.explanations import roles
from traitjax.explanations import wording

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top

SUPPORTS_COLOUR = roles.COLOURS[roles.SUPPORTS]
COUNTS_AGAINST_COLOUR = roles.COLOURS[roles.COUNTS_AGAINST]
NOT_USED_COLOUR = roles.COLOURS[roles.NOT_USED]
COLUMNS = 5  # The photo and at most 4 evidence maps.
MAX_BARS = 10
# The height of one line of the caption (9 pt), as a share of a one-row figure's height.
CAPTION_LINE = 0.055


@dataclasses.dataclass(frozen=True)
class EvidenceMap:
  """Where one trait was seen: `values` float [h, w] (any scale; drawn from its own minimum to
  its maximum over the photo) and the peak (x, y) in [0, 1] of the photo."""

  label: str
  values: np.ndarray
  peak: tuple[float, float]


@dataclasses.dataclass(frozen=True)
class Prototype:
  """A training photo shown beside the explained one: uint8 [h, w, 3] and a caption."""

  image: np.ndarray
  caption: str


@dataclasses.dataclass(frozen=True)
class Bar:
  """One bar: its label, its value (a trait's contribution to the species' score, or a
  probability), its role (`roles.ROLES`: the trait's role in the record, which sets its
  colour) and the trait's name where it is one."""

  label: str
  value: float
  role: str
  name: str = ""


def bar_colours(bars: list[Bar]) -> list[str]:
  """The colour each bar is drawn in: its role's (`roles.COLOURS`)."""
  return [roles.COLOURS[bar.role] for bar in bars]


def photo_figure(image: np.ndarray, title: str, maps: list[EvidenceMap], bars: list[Bar],
                 bars_title: str, prototypes: list[Prototype], caption: str = "") -> plt.Figure:
  """The figure of one photo (see the module docstring).

  Args:
    image: uint8 [H, W, 3], the photo as the model saw it.
    title: over the photo (e.g. the top species and the decision).
    caption: a line over the whole figure (e.g. the sentence of what the photo shows).
    maps: at most `COLUMNS - 1` evidence maps, each drawn over the photo.
    bars: the traits of the bar chart, drawn in the order given (at most `MAX_BARS`).
    bars_title: over the bar chart.
    prototypes: at most `COLUMNS` training photos (none: that row is left out).
  """
  rows = 3 if prototypes else 2
  figure = plt.figure(figsize=(2.4 * COLUMNS, 2.7 * rows))
  # A fixed layout (tight_layout would measure every label, doubling the time to draw); the
  # bar chart leaves the first column to its labels.
  caption_lines = [wrapped for line in caption.splitlines()
                   for wrapped in textwrap.wrap(line, 150)]
  # The photos' row starts below the caption, however many lines it takes.
  top = 0.9 - CAPTION_LINE * max(len(caption_lines) - 1, 0) / rows
  grid = figure.add_gridspec(rows, COLUMNS, height_ratios=[1.0, 1.1, 1.0][:rows], left=0.02,
                             right=0.98, top=top, bottom=0.06, wspace=0.08, hspace=0.45)
  if caption_lines:
    figure.suptitle("\n".join(caption_lines), fontsize=9, y=0.995, va="top")
  photo = figure.add_subplot(grid[0, 0])
  photo.imshow(image)
  photo.set_title(textwrap.fill(title, 30), fontsize=8)
  photo.axis("off")
  height, width = image.shape[:2]
  for column, evidence in enumerate(maps[:COLUMNS - 1], start=1):
    ax = figure.add_subplot(grid[0, column])
    ax.imshow(image)
    values = np.asarray(evidence.values, np.float32)
    span = max(float(values.max() - values.min()), 1e-6)
    ax.imshow((values - values.min()) / span, cmap="inferno", alpha=0.55, vmin=0, vmax=1,
              extent=(-0.5, width - 0.5, height - 0.5, -0.5), interpolation="bilinear")
    ax.plot(evidence.peak[0] * width - 0.5, evidence.peak[1] * height - 0.5, "c+", ms=12,
            mew=2)
    ax.set_title(textwrap.fill(evidence.label, 30), fontsize=8)
    ax.axis("off")
  _bar_chart(figure.add_subplot(grid[1, 1:]), bars[:MAX_BARS], bars_title)
  for column, prototype in enumerate(prototypes[:COLUMNS]):
    ax = figure.add_subplot(grid[2, column])
    ax.imshow(prototype.image)
    ax.set_title(textwrap.fill(prototype.caption, 30), fontsize=7)
    ax.axis("off")
  return figure


def _bar_chart(ax: plt.Axes, bars: list[Bar], title: str) -> None:
  """Horizontal bars, the first at the top, each in its role's colour (`bar_colours`)."""
  positions = np.arange(len(bars))[::-1]
  ax.barh(positions, [bar.value for bar in bars], color=bar_colours(bars))
  ax.set_yticks(positions, [bar.label for bar in bars], fontsize=7)
  ax.axvline(0, color="black", lw=0.8)
  ax.set_title(title, fontsize=9)
  ax.tick_params(axis="x", labelsize=7)
  ax.grid(axis="x", alpha=0.3)


@dataclasses.dataclass(frozen=True)
class PlantPhoto:
  """One photo of a plant: uint8 [h, w, 3], its organ, the species it gets alone (a caption)
  and whether that is the plant's combined top species."""

  image: np.ndarray
  organ: str
  alone: str
  agrees: bool


# The plant figure's width (inches) and per-row heights.
PLANT_WIDTH = 12.0
_BAR_HEIGHT = 0.34
_PANEL_TITLE = 0.62
_AXIS_BELOW = 0.35
_LABELS_LEFT = 0.34  # The share of the width left to bar labels.


def plant_figure(photos: list[PlantPhoto], title: str, species: list[Bar],
                 traits: list[Bar], top: str) -> plt.Figure:
  """The figure of one plant explained from several photos (`python -m traitjax.explain
  --plant`):

      | photo 1: organ, alone: species | photo 2 | ...                        |
      | the top species from the photos combined (probability bars)          |
      | the traits judged for the top species: combined probability, with    |
      | the organs that showed them, in their roles' colours                 |

  Args:
    photos: the plant's photos, in a row (four columns at least, so a photo keeps its size).
    title: over the whole figure.
    species: the combined top species (value: probability; the top one `roles.SUPPORTS`, the
      others `roles.NOT_USED`: green and grey).
    traits: the traits judged for the top species (value: how sure the combined photos are of
      the trait as the label states it, present or absent; role: its role in the record),
      labels naming the organs that showed them.
    top: the top species' display name (for the traits' title).
  """
  columns = max(len(photos), 4)
  side = PLANT_WIDTH / columns * 0.8  # A photo's side, in inches.
  photo_row = side + 0.75  # Its two title lines.
  species_row = _PANEL_TITLE + _BAR_HEIGHT * max(len(species), 1) + _AXIS_BELOW
  traits_row = _PANEL_TITLE + _BAR_HEIGHT * max(len(traits), 1) + _AXIS_BELOW
  rows = (0.5, photo_row, species_row, traits_row)
  height = sum(rows) + 0.2
  figure = plt.figure(figsize=(PLANT_WIDTH, height))
  figure.suptitle(textwrap.fill(title, 110), fontsize=13, y=1 - 0.1 / height, va="top")
  top_of_photos = height - rows[0]
  for column, photo in enumerate(photos):
    centre = (column + 0.5 + (columns - len(photos)) / 2) / columns
    ax = figure.add_axes((centre - side / PLANT_WIDTH / 2, (top_of_photos - photo_row) / height,
                          side / PLANT_WIDTH, side / height))
    ax.imshow(photo.image)
    ax.axis("off")
    ax.set_title(photo.organ, fontsize=12, fontweight="bold", pad=22)
    ax.text(0.5, 1.02, textwrap.shorten(photo.alone, 36, placeholder="..."), fontsize=10,
            ha="center", va="bottom", transform=ax.transAxes,
            color=SUPPORTS_COLOUR if photo.agrees else COUNTS_AGAINST_COLOUR)
  bottom = top_of_photos - photo_row
  for bars, row, panel_title in (
      (species, species_row, "Species from the photos combined (calibrated probability)"),
      (traits, traits_row, f"Traits judged for {top} ({roles.legend()}):\n"
                           "how sure the photos whose organ shows each are of it")):
    bottom -= row
    ax = figure.add_axes((_LABELS_LEFT, (bottom + _AXIS_BELOW) / height,
                          0.93 - _LABELS_LEFT,
                          (row - _PANEL_TITLE - _AXIS_BELOW) / height))
    _probability_bars(ax, bars, panel_title)
  return figure


def _probability_bars(ax: plt.Axes, bars: list[Bar], title: str) -> None:
  """Horizontal probability bars in [0, 1], the first at the top, each with its percentage,
  in its role's colour (`bar_colours`)."""
  positions = np.arange(len(bars))[::-1]
  ax.barh(positions, [bar.value for bar in bars], color=bar_colours(bars), height=0.7)
  ax.set_yticks(positions, [textwrap.shorten(bar.label, 60, placeholder="...")
                            for bar in bars], fontsize=10)
  for position, bar in zip(positions, bars):
    ax.text(bar.value + 0.01, position, f"{100 * bar.value:.0f}%", va="center", fontsize=9)
  ax.set_xlim(0, 1.08)
  ax.set_ylim(-0.6, len(bars) - 0.4)
  ax.set_title(title, fontsize=11, loc="left")
  ax.tick_params(axis="x", labelsize=9)
  ax.grid(axis="x", alpha=0.3)


def to_png(figure: plt.Figure, dpi: int) -> bytes:
  """The bytes of `figure` as a PNG file; the figure is closed."""
  buffer = io.BytesIO()
  figure.savefig(buffer, format="png", dpi=dpi)
  plt.close(figure)
  return buffer.getvalue()


def record_bars(record: dict) -> tuple[list[Bar], str]:
  """The bar chart of a record: the contributions of the traits the photo judges to the top
  species' score against the mean species, largest first, each in its role in the record
  (`supports` and `counts_against`); or, where the decision reads no traits, the likeliest
  traits (grey)."""
  first = record["explained_species"][0]
  if not record["traits_used_by_decision"]:
    likeliest = sorted(record["traits"], key=lambda t: -t["probability"])
    return ([Bar(trait_label(t), t["probability"], roles.NOT_USED, t["name"])
             for t in likeliest[:MAX_BARS]],
            "the likeliest traits (a probe: not used by the species decision)")
  traits = {trait["name"]: trait for trait in record["traits"]}
  judged = sorted(first["supports"] + first["counts_against"],
                  key=lambda item: -abs(item["contribution"]))
  return ([Bar(trait_label(traits[item["name"]]), item["contribution"], item["role"],
               item["name"]) for item in judged[:MAX_BARS]],
          f"what each trait adds to {wording.display_name(first)} against the mean species "
          f"({roles.legend()})")


def chart_record(bars: list[Bar], title: str) -> dict:
  """The bar chart as NAME.json records it: its title and per bar the trait, its value, its
  role and the colour it is drawn in."""
  return {"title": title,
          "bars": [{"name": bar.name, "label": bar.label, "value": bar.value, "role": bar.role,
                    "colour": colour} for bar, colour in zip(bars, bar_colours(bars))]}


def trait_label(trait: dict) -> str:
  """A trait as the figure names it: as the photo shows it, worded as absent where it lacks it
  (`wording.stated`, as the text words it), and how sure the photo is of that
  (`wording.stated_probability`): "red crest (92%)", "no yellow belly (97%)"."""
  return f"{wording.stated(trait)} ({100 * wording.stated_probability(trait):.0f}%)"
