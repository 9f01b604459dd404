"""The figure of one explained photo, drawn from plain arrays."""

import matplotlib.colors
import numpy as np

from traitjax.explain import figures
from traitjax.explanations import roles


def _image(size=16, seed=0):
  return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_photo_figure_draws_the_photo_its_maps_the_bars_and_the_prototypes():
  maps = [figures.EvidenceMap("red petals", np.arange(16.0).reshape(4, 4), (0.8, 0.9)),
          figures.EvidenceMap("ovate leaves", np.ones((4, 4)), (0.5, 0.5))]
  bars = [figures.Bar("red petals", 2.5, roles.SUPPORTS),
          figures.Bar("ovate leaves", -1.0, roles.COUNTS_AGAINST),
          figures.Bar("thorny stem", 0.3, roles.SUPPORTS)]
  shown = [figures.Prototype(_image(8, seed), f"train photo {seed}") for seed in (1, 2)]
  figure = figures.photo_figure(_image(), "Rosa alba 81% (identify)", maps, bars,
                                "contributions to Rosa alba", shown)
  photo, first_map, second_map, chart, *prototype_axes = figure.axes
  assert photo.get_title() == "Rosa alba 81% (identify)"
  assert [first_map.get_title(), second_map.get_title()] == ["red petals", "ovate leaves"]
  assert len(first_map.images) == 2  # The photo and its map over it.
  x, y = first_map.lines[0].get_data()
  assert (x[0], y[0]) == (0.8 * 16 - 0.5, 0.9 * 16 - 0.5)  # The peak, in pixels.
  top_down = sorted(chart.get_yticklabels(), key=lambda t: -t.get_position()[1])
  assert [t.get_text() for t in top_down] == ["red petals", "ovate leaves", "thorny stem"]
  colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in chart.patches]
  assert colours == [figures.SUPPORTS_COLOUR, figures.COUNTS_AGAINST_COLOUR,
                     figures.SUPPORTS_COLOUR] == figures.bar_colours(bars)
  assert [p.get_width() for p in chart.patches] == [2.5, -1.0, 0.3]
  assert [ax.get_title() for ax in prototype_axes] == ["train photo 1", "train photo 2"]


def test_photo_figure_without_prototypes_or_maps_has_two_rows():
  figure = figures.photo_figure(_image(), "title", [],
                                [figures.Bar("probe", 0.7, roles.NOT_USED)], "not used", [])
  photo, chart = figure.axes
  assert matplotlib.colors.to_hex(chart.patches[0].get_facecolor()) == figures.NOT_USED_COLOUR


def test_the_chart_of_a_record_colours_each_trait_by_its_role_in_the_record():
  """A trait the photo lacks, as the species is described, that the head still weighs against
  the species (the Cardinal's "yellow belly") is drawn red, as the record's role says, and the
  chart's JSON names the colour it is drawn in."""
  item = lambda name, contribution, probability, row: {
      "name": name, "phrase": name.replace("_", " "), "probability": probability, "row": row,
      "contribution": contribution, "role": roles.role(contribution)}
  supports, against = item("red_crest", 2.0, 0.9, 1.0), item("yellow_belly", -0.4, 0.03, 0.0)
  record = {"traits_used_by_decision": True,
            "traits": [{**supports, "absent_phrase": "no red crest"},
                       {**against, "absent_phrase": "no yellow belly"}],
            "explained_species": [{"name": "017.Cardinal", "probability": 0.8,
                                   "supports": [supports], "counts_against": [against]}]}
  bars, title = figures.record_bars(record)
  assert [(b.name, b.label, b.role) for b in bars] == [
      ("red_crest", "red crest (90%)", roles.SUPPORTS),
      ("yellow_belly", "no yellow belly (97%)", roles.COUNTS_AGAINST)]  # Worded as absent.
  assert "to Cardinal against the mean species (green: supports, red: counts against)" in title
  chart = figures.chart_record(bars, title)
  figure = figures.photo_figure(_image(), "t", [], bars, title, [])
  drawn = [matplotlib.colors.to_hex(p.get_facecolor()) for p in figure.axes[1].patches]
  assert [b["colour"] for b in chart["bars"]] == drawn == [figures.SUPPORTS_COLOUR,
                                                           figures.COUNTS_AGAINST_COLOUR]
