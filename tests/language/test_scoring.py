"""Tests for traitjax.language.scoring on hand-computed tables."""

import numpy as np
import pytest

from traitjax.data import schema
from traitjax.language import scoring

NAN = np.nan
TRAITS = ("colour::red", "colour::blue", "size::small")


def _table(values, species=("a", "b")):
  return schema.TraitTable(np.array(values, np.float32), species=species, traits=TRAITS)


def test_present_scores_by_hand():
  reference = np.array([[1, 0, 1], [0, 1, NAN]])
  parsed = np.array([[0.9, 0.6, NAN], [0.2, 0.7, 0.9]])
  # Known cells: 5. Present in the reference: (a, red), (a, small), (b, blue). Parsed present:
  # (a, red), (a, blue), (b, blue); (a, small) is empty, so "not present"; (b, small) is not
  # known, so not scored.
  scores = scoring.present_scores(parsed, reference)
  assert scores["true_positives"] == 2
  assert scores["precision"] == pytest.approx(2 / 3)
  assert scores["recall"] == pytest.approx(2 / 3)
  assert scores["f1"] == pytest.approx(2 / 3)
  # Confidences with empty = 0: positives 0.9, 0.0, 0.7 vs negatives 0.6, 0.2 -> 4 of 6 pairs.
  assert scores["auc"] == pytest.approx(4 / 6)
  assert scores["coverage"] == pytest.approx(4 / 5)
  assert (scores["cells"], scores["reference_present"], scores["parsed_present"]) == (5, 3, 3)


def test_present_scores_without_positives_or_predictions():
  scores = scoring.present_scores(np.array([[NAN, 0.1]]), np.array([[0.0, 0.0]]))
  assert (scores["precision"], scores["recall"], scores["f1"], scores["auc"]) == (
      None, None, None, None)
  scores = scoring.present_scores(np.array([[NAN, 0.1]]), np.array([[1.0, 0.0]]))
  assert (scores["precision"], scores["recall"], scores["f1"]) == (None, 0.0, 0.0)


def test_compare_aligns_by_name_and_scores_per_group():
  reference = _table([[1, 0, 1], [0, 1, 0]])
  parsed = schema.TraitTable(  # Species and traits in another order.
      np.array([[NAN, 0.9, NAN], [0.8, 0.1, 0.7]], np.float32), species=("b", "a"),
      traits=("size::small", "colour::blue", "colour::red"))
  report = scoring.compare(parsed, reference)
  assert report["overall"]["f1"] == pytest.approx(1.0)
  assert report["groups"]["colour"]["cells"] == 4
  assert report["groups"]["size"]["coverage"] == pytest.approx(0.5)
  text = scoring.format_report(report)
  assert text.splitlines()[0].split()[:4] == ["group", "precision", "recall", "f1"]
  assert text.splitlines()[-1].startswith("overall")


def test_mismatched_names_are_named():
  reference = _table([[1, 0, 1], [0, 1, 0]])
  other = schema.TraitTable(np.zeros((2, 3), np.float32), species=("a", "c"),
                            traits=("colour::red", "colour::blue", "size::large"))
  with pytest.raises(ValueError, match=r"reference species.*'b'.*parsed species.*'c'.*"
                                       r"reference traits.*size::small.*parsed traits"):
    scoring.compare(other, reference)
