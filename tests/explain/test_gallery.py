"""The gallery page: self-contained, every image embedded, the text (description included)
escaped."""

import base64
import re

import numpy as np

from traitjax.explain import gallery


def _image(size, seed=0):
  return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_gallery_page_embeds_every_image_and_escapes_the_text():
  record = {"decision": "abstain", "reason": "ambiguous",
            "species": [{"name": "Rosa <alba>", "probability": 0.5}],
            "prediction_set": ["Rosa <alba>", "Rosa canina"], "rationale": "Petals & leaves.",
            "description": "White <petals> & round leaves."}
  photo, figure = gallery.png_bytes(_image(4)), gallery.png_bytes(_image(6, seed=1))
  page = gallery.page([gallery.Entry("a", "photos/a.jpg", record, photo, figure),
                       gallery.Entry("b", "photos/b.jpg", error="cannot decode image b.jpg")],
                      "explained")
  sources = re.findall(r'src="data:image/png;base64,([^"]+)"', page)
  assert [base64.b64decode(s) for s in sources] == [photo, figure]
  assert "Rosa &lt;alba&gt;" in page and "Petals &amp; leaves." in page
  assert "50.0%" in page and "ambiguous" in page
  assert "Seen: White &lt;petals&gt; &amp; round leaves." in page
  assert "cannot decode image b.jpg" in page
  del record["description"]  # A record written before descriptions were: no such line.
  assert "Seen:" not in gallery.page([gallery.Entry("a", "a.jpg", record, photo, figure)], "x")
  assert "http" not in page  # Nothing outside the file.
