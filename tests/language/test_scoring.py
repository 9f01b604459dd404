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


def _brute_force_auc(scores, truth):
  """The share of (present, absent) pairs ranked right, ties counting half."""
  pairs = [(p, n) for p in scores[truth] for n in scores[~truth]]
  return np.mean([1.0 if p > n else 0.5 if p == n else 0.0 for p, n in pairs])


def test_mean_aucs_against_brute_force():
  rng = np.random.default_rng(0)
  reference = (rng.random((7, 11)) > 0.6).astype(np.float64)
  reference[0] = 0.0  # A species without present traits is left out of the species mean.
  reference[1, 3] = NAN  # An unknown cell is not scored.
  parsed = np.round(rng.random((7, 11)), 1)  # Ties included.
  parsed[2, 5] = NAN  # An empty parsed cell counts as 0.
  filled = np.nan_to_num(parsed, nan=0.0)
  species = [_brute_force_auc(filled[i][~np.isnan(reference[i])],
                              reference[i][~np.isnan(reference[i])] >= 0.5)
             for i in range(1, 7)]
  assert scoring.mean_auc(parsed, reference, axis=1) == pytest.approx(np.mean(species))
  traits = []
  for j in range(11):
    known = ~np.isnan(reference[:, j])
    truth = reference[known, j] >= 0.5
    if 0 < truth.sum() < truth.size:
      traits.append(_brute_force_auc(filled[known, j], truth))
  assert scoring.mean_auc(parsed, reference, axis=0) == pytest.approx(np.mean(traits))
  assert scoring.mean_auc(parsed[:1], reference[:1], axis=1) is None


def test_appearance_scores_by_hand():
  scores = scoring.appearance_scores([True, True, False, False], [1, 0, 0.5, 0])
  assert scores["recall"] == pytest.approx(0.5) and scores["precision"] == pytest.approx(0.5)
  with pytest.raises(ValueError, match="3 sentences but 2 labels"):
    scoring.appearance_scores([True] * 3, [1, 0])


def test_reference_species_match_by_key_and_extra_ones_are_left_out():
  reference = schema.TraitTable(np.array([[1, 0, 1], [0, 1, 0], [1, 1, 1]], np.float32),
                                species=("001.Alpha_one", "002.Beta", "003.Gamma"),
                                traits=TRAITS)
  kept = scoring.restrict(reference, ["Beta", "alpha-one"])
  assert kept.species == ("002.Beta", "001.Alpha_one")
  parsed = schema.TraitTable(np.array([[0.2, 0.9, 0.1], [0.8, 0.3, 0.6]], np.float32),
                             species=("Beta", "alpha-one"), traits=TRAITS)
  assert scoring.compare(parsed, kept)["overall"]["f1"] == pytest.approx(1.0)
