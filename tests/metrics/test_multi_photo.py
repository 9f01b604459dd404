"""Multi-photo identification: query drawing, the per-trait pooling of evidence, the mean of
species probabilities, and the report."""

import numpy as np
import pytest

from traitjax.metrics import calibration
from traitjax.metrics import multi_photo

# 3 species, 4 traits; organ 0 shows traits 0 and 1, organ 1 traits 2 and 3. Species 0 shares
# its organ-0 traits with species 1 and its organ-1 traits with species 2.
ROWS = np.array([[1, 0, 1, 0],
                 [1, 0, 0, 1],
                 [0, 1, 1, 0]], np.float64)
ORGAN_SHOWS = np.array([[True, True, False, False],
                        [False, False, True, True]])


def _head(evidence, shown):
  """A species head on pooled evidence: minus the distance to each row over the traits shown
  (the others are no evidence)."""
  distance = np.where(shown[:, None], np.abs(np.nan_to_num(evidence)[:, None] - ROWS[None]), 0)
  return -distance.sum(-1)


def _photos():
  """One photo of each organ of each species: clear about what its organ shows, and wrong
  about every trait it cannot show (which must count for nothing)."""
  species = np.repeat(np.arange(3), 2)
  organs = np.tile([0, 1], 3)
  shown = ORGAN_SHOWS[organs]
  probabilities = np.where(shown, 0.1 + 0.8 * ROWS[species], 0.95 - 0.9 * ROWS[species])
  return species, organs, shown, probabilities


def test_pooled_trait_evidence_names_the_species_no_single_photo_can():
  species, organs, shown, probabilities = _photos()
  singles = _head(*multi_photo.trait_evidence(probabilities, shown, np.arange(6)[:, None]))
  # Species 0's leaf ties it with species 1, its fruit with species 2.
  for photo, tied in ((0, [0, 1]), (1, [0, 2])):
    np.testing.assert_array_equal(np.flatnonzero(singles[photo] == singles[photo].max()), tied)
  pairs = np.array([[0, 1], [2, 3], [4, 5]])  # Each species' leaf and fruit together.
  evidence, any_shown = multi_photo.trait_evidence(probabilities, shown, pairs)
  assert any_shown.all()
  np.testing.assert_allclose(evidence, 0.1 + 0.8 * ROWS)  # Nothing from the unshown traits.
  np.testing.assert_array_equal(np.argmax(_head(evidence, any_shown), -1), [0, 1, 2])


def test_a_trait_outside_the_organs_contributes_nothing():
  species, organs, shown, probabilities = _photos()
  queries = np.array([[0, 0], [0, 2], [1, 4], [0, 3]])
  evidence, any_shown = multi_photo.trait_evidence(probabilities, shown, queries)
  changed = np.where(shown, probabilities, np.random.default_rng(0).random(probabilities.shape))
  np.testing.assert_array_equal(multi_photo.trait_evidence(changed, shown, queries)[0], evidence)
  # Two leaves say nothing of the fruit: NaN there, and not shown.
  np.testing.assert_array_equal(any_shown[1], [True, True, False, False])
  assert np.isnan(evidence[1, 2:]).all()
  np.testing.assert_allclose(evidence[1, :2], (probabilities[0, :2] + probabilities[2, :2]) / 2)
  # Where two photos show a trait, its mean; where one does, its own.
  np.testing.assert_allclose(evidence[3], [0.9, 0.1, probabilities[3, 2], probabilities[3, 3]])


def test_mean_probabilities_is_the_mean_of_the_photos_softmax():
  logits = np.array([[2.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 3.0]])
  mean = multi_photo.mean_probabilities(logits, np.array([[0, 1], [2, 2]]))
  e = np.exp
  first = (np.array([e(2), 1, 1]) / (e(2) + 2) + np.array([1, e(1), 1]) / (e(1) + 2)) / 2
  np.testing.assert_allclose(mean, [first, np.array([1, 1, e(3)]) / (e(3) + 2)])
  np.testing.assert_allclose(mean, calibration.softmax(logits)[[[0, 1], [2, 2]]].mean(1))


def test_queries_prefer_different_organs_and_are_seeded():
  # Species 0: 3 leaves, 1 bark, 2 fruits; species 1: 2 photos; species 2: 5 photos, one organ.
  species = np.array([0] * 6 + [1] * 2 + [2] * 5)
  organs = np.array([0, 0, 0, 7, 4, 4] + [0, 7] + [3] * 5)
  queries, labels, skipped = multi_photo.draw_queries(species, organs, 3, 10, seed=1)
  assert skipped == 1 and queries.shape == (20, 3)  # Species 1 has too few photos for 3.
  np.testing.assert_array_equal(labels, [0] * 10 + [2] * 10)
  for query, label in zip(queries, labels):
    assert len(set(query)) == 3 and (species[query] == label).all()
  # Species 0 has three organs: each query of 3 shows all of them; species 2 one organ.
  assert all(sorted(organs[q]) == [0, 4, 7] for q in queries[:10])
  assert len({tuple(sorted(q)) for q in queries[:10]}) > 1  # Drawn, not always the same.
  again = multi_photo.draw_queries(species, organs, 3, 10, seed=1)
  np.testing.assert_array_equal(again[0], queries)
  other = multi_photo.draw_queries(species, organs, 3, 10, seed=2)[0]
  assert not np.array_equal(other, queries)
  # A species' queries depend on its own photos alone.
  alone = multi_photo.draw_queries(species[:6], organs[:6], 3, 10, seed=1)[0]
  np.testing.assert_array_equal(alone, queries[:10])
  # Four photos of three organs: one organ twice; more photos than a species has: skipped.
  four = multi_photo.draw_queries(species, organs, 4, 5, seed=0)
  assert four[2] == 1 and all(set(organs[q]) == {0, 4, 7} for q in four[0][:5])
  assert multi_photo.draw_queries(species, organs, 7, 5, seed=0)[1:] == (
      pytest.approx(np.zeros(0)), 3)
  # Without organs, every photo is one organ.
  assert multi_photo.draw_queries(species, None, 2, 3, seed=0)[0].shape == (9, 2)


def test_the_report_scores_both_combinations_per_count():
  species, organs, shown, probabilities = _photos()
  # Each photo's own species logits tie its species with another, the wrong one first.
  logits = np.array(_head(*multi_photo.trait_evidence(probabilities, shown,
                                                      np.arange(6)[:, None])))
  report = multi_photo.multi_photo_report(
      species, logits, (1, 2, 3), per_species=4, seed=0, organs=organs,
      trait_probabilities=probabilities, shown=shown, species_head=_head)
  assert report["counts"] == [1, 2, 3] and report["chance"] == pytest.approx(1 / 3)
  assert report["num_queries"] == [12, 12, 0] and report["num_species_skipped"] == [0, 0, 3]
  assert report["trait_evidence"]["species_top1"][1] == 1.0  # Leaf and fruit together.
  assert report["trait_evidence"]["species_top1"][2] is None
  assert report["mean_probabilities"]["species_top1"][2] is None
  blackbox = multi_photo.multi_photo_report(species, logits, (1, 2), 4, 0, organs=organs)
  assert set(blackbox) == {"counts", "num_queries", "num_species_skipped", "chance",
                           "mean_probabilities"}
  assert blackbox["mean_probabilities"] == report["mean_probabilities"] | {
      "species_top1": report["mean_probabilities"]["species_top1"][:2]}
