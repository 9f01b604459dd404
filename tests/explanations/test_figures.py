"""The figure of one explained photo and the gallery page, drawn from plain arrays and records."""

import base64
import re

import matplotlib.colors
import numpy as np

from traitjax.explanations import figures
from traitjax.explanations import gallery


def _image(size=16, seed=0):
  return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_photo_figure_draws_the_photo_its_maps_the_bars_and_the_prototypes():
  maps = [figures.EvidenceMap("red petals", np.arange(16.0).reshape(4, 4), (0.8, 0.9)),
          figures.EvidenceMap("ovate leaves", np.ones((4, 4)), (0.5, 0.5))]
  bars = [figures.Bar("red petals", 2.5, True), figures.Bar("ovate leaves", -1.0, False),
          figures.Bar("thorny stem", 0.3, True)]
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
  assert colours == [figures.SUPPORTS_COLOUR, figures.CONTRADICTS_COLOUR,
                     figures.SUPPORTS_COLOUR]
  assert [p.get_width() for p in chart.patches] == [2.5, -1.0, 0.3]
  assert [ax.get_title() for ax in prototype_axes] == ["train photo 1", "train photo 2"]


def test_photo_figure_without_prototypes_or_maps_has_two_rows():
  figure = figures.photo_figure(_image(), "title", [], [figures.Bar("probe", 0.7, None)],
                                "not used", [])
  photo, chart = figure.axes
  assert matplotlib.colors.to_hex(chart.patches[0].get_facecolor()) == figures.NOT_USED_COLOUR


def test_gallery_page_embeds_every_image_and_escapes_the_text():
  record = {"decision": "abstain", "reason": "ambiguous",
            "species": [{"name": "Rosa <alba>", "probability": 0.5}],
            "prediction_set": ["Rosa <alba>", "Rosa canina"], "rationale": "Petals & leaves."}
  photo, figure = gallery.png_bytes(_image(4)), gallery.png_bytes(_image(6))
  page = gallery.page([gallery.Entry("a", "photos/a.jpg", record, photo, figure),
                       gallery.Entry("b", "photos/b.jpg", error="cannot decode image b.jpg")],
                      "explained")
  sources = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
  assert [base64.b64decode(s) for s in sources] == [photo, figure]
  assert "Rosa &lt;alba&gt;" in page and "Petals &amp; leaves." in page
  assert "50.0%" in page and "ambiguous" in page
  assert "cannot decode image b.jpg" in page
  assert "http" not in page  # Nothing outside the file.
