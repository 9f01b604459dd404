"""The gallery page: self-contained, every image embedded, the text (description included)
escaped."""

import base64
import re

import numpy as np

from traitjax.explain import gallery
from traitjax.explanations import trust_evidence


def _image(size, seed=0):
  return np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)


def test_gallery_page_embeds_every_image_and_escapes_the_text():
  record = {"decision": "abstain", "reason": "ambiguous",
            "species": [{"name": "Rosa <alba>", "probability": 0.5}],
            "prediction_set": ["Rosa <alba>", "Rosa canina"], "rationale": "Petals & leaves.",
            "description": "White <petals> & round leaves.", "trust_evidence": None}
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
  assert "Trust: none fitted" in page
  del record["description"]  # A record written before descriptions were: no such line.
  assert "Seen:" not in gallery.page([gallery.Entry("a", "a.jpg", record, photo, figure)], "x")
  assert "http" not in page  # Nothing outside the file.


def test_the_page_shows_display_names_the_trust_evidence_and_its_warnings():
  evidence = trust_evidence.evidence("val", 18, {"evaluated_on": "test", "test_accuracy": 0.39,
                                                 "ece": 0.15, "conformal_coverage": 0.9},
                                     threshold_reached=False, unlike=0.01)
  record = {"decision": "abstain", "reason": "unknown_species",
            "species": [{"name": "001.Black_footed_Albatross", "probability": 0.4}],
            "prediction_set": ["001.Black_footed_Albatross", "002.Laysan_Albatross"],
            "rationale": "r", "trust_evidence": evidence}
  page = gallery.page([gallery.Entry("a", "a.jpg", record, gallery.png_bytes(_image(4)),
                                     gallery.png_bytes(_image(4)))], "x")
  assert "<td>Black-footed Albatross</td>" in page and "001." not in page
  assert "Conformal species set: Black-footed Albatross, Laysan Albatross" in page
  assert ("Trust fitted on 18 val photos; on the test photos the model was 39% right, its "
          "calibration error (ECE) was 0.150 and its species sets held the true species 90% of "
          "the time.") in page
  assert page.count('class="warning"') == 3  # A small fit, no threshold, an unlike photo.
  assert "fitted on only 18 val photos" in page
