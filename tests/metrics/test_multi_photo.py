"""Multi-photo identification: query drawing, the per-trait pooling of evidence, the mean of
species probabilities, and the report: every n on the same species, four combinations (pooled
or averaged, organ-gated or not), bootstrap intervals over species and paired differences."""

import json

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
  # min_photos: species 1 left out of queries of 1 as well; the others' queries unchanged.
  fewest = multi_photo.draw_queries(species, organs, 1, 4, seed=1, min_photos=3)
  assert fewest[2] == 1 and set(fewest[1]) == {0, 2}
  everyone = multi_photo.draw_queries(species, organs, 1, 4, seed=1)
  np.testing.assert_array_equal(fewest[0], everyone[0][everyone[1] != 1])


def _report(*args, **kwargs):
  """multi_photo_report, checked to be JSON (floats, ints, lists, strings) and to be the same
  on a second call."""
  report = multi_photo.multi_photo_report(*args, **kwargs)
  assert json.loads(json.dumps(report)) == report
  assert multi_photo.multi_photo_report(*args, **kwargs) == report
  return report


def _top1(report, n, name):
  return report["by_count"][str(n)][name]["species_top1"]


def test_every_count_is_scored_on_the_same_species():
  # Species 0 and 1: three photos each, named right; species 2: one photo, named wrong.
  species = np.array([0, 0, 0, 1, 1, 1, 2])
  logits = np.eye(3)[[0, 0, 0, 1, 1, 1, 0]]
  # Drawn as before (a species with fewer than n photos left out of that n alone), species 2
  # would be in the queries of one photo and pull their top-1 down.
  queries, labels, _ = multi_photo.draw_queries(species, None, 1, 5, seed=0)
  assert 2 in labels and np.mean(np.argmax(logits[queries[:, 0]], -1) == labels) < 1
  report = _report(species, logits, (1, 3), per_species=5, seed=0)
  assert report["species_rule"] == "at least 3 photos" and report["min_photos"] == 3
  assert report["num_species"] == 2 and report["species"] == [0, 1]
  assert report["num_species_in_split"] == 3 and report["num_species_left_out"] == 1
  assert report["queries_per_species"] == 5 and report["chance"] == pytest.approx(1 / 3)
  assert report["counts"] == [1, 3] and set(report["by_count"]) == {"1", "3"}
  for n in (1, 3):
    assert report["by_count"][str(n)]["num_queries"] == 10
    assert _top1(report, n, "mean_ungated") == 1.0
  # Counts no species has enough photos for: nothing kept, nothing scored.
  empty = _report(species, logits, (1, 4), per_species=5, seed=0)
  assert empty["num_species"] == 0 and empty["num_species_left_out"] == 3
  assert empty["by_count"]["1"] == {"num_queries": 0, "differences": {},
                                    "mean_ungated": {"species_top1": None,
                                                     "interval": [None, None]}}


def test_gating_changes_the_pooled_answer():
  species, organs, shown, probabilities = _photos()
  # Each photo's own species logits read every trait, its wrong ones too.
  logits = _head(probabilities, np.ones_like(shown))
  report = _report(species, logits, (1, 2), per_species=8, seed=0, organs=organs,
                   trait_probabilities=probabilities, shown=shown, species_head=_head)
  assert report["organ_gating"] and list(report["combinations"]) == [
      "pooled_gated", "pooled_ungated", "mean_gated", "mean_ungated"]
  # A leaf and a fruit: their organs' traits name the species; every trait counted, the
  # wrong ones outweigh them, pooled or averaged.
  assert _top1(report, 2, "pooled_gated") == 1.0 and _top1(report, 2, "mean_gated") == 1.0
  assert _top1(report, 2, "pooled_ungated") == 0.0 and _top1(report, 2, "mean_ungated") == 0.0
  differences = report["by_count"]["2"]["differences"]
  assert differences["pooled_gated_minus_pooled_ungated"] == {"difference": 1.0,
                                                              "interval": [1.0, 1.0]}
  assert differences["pooled_gated_minus_mean_gated"] == {"difference": 0.0,
                                                          "interval": [0.0, 0.0]}
  # One photo: pooling is reading that photo, so pooled and averaged agree, gated or not.
  for gating in ("gated", "ungated"):
    assert _top1(report, 1, f"pooled_{gating}") == _top1(report, 1, f"mean_{gating}")
  assert 0 < _top1(report, 1, "pooled_gated") < 1  # A leaf or a fruit alone ties two species.


def _random_photos(num_species, rng, num_photos=4, num_traits=6):
  """num_photos photos of each of num_species species (organ 0 shows the first half of the
  traits, organ 1 the rest): their trait probabilities a noisy copy of their species' row."""
  rows = rng.integers(0, 2, (num_species, num_traits)).astype(np.float64)
  species = np.repeat(np.arange(num_species), num_photos)
  organs = np.tile(np.arange(num_photos) % 2, num_species)
  mask = np.arange(num_traits) < num_traits // 2
  shown = np.where(organs[:, None] == 0, mask, ~mask)
  probabilities = np.clip(rows[species] + rng.normal(0, 0.6, (len(species), num_traits)),
                          0.01, 0.99)

  def head(evidence, any_shown):
    distance = np.abs(np.nan_to_num(evidence)[:, None] - rows[None])
    return -np.where(any_shown[:, None], distance, 0).sum(-1)

  return species, organs, shown, probabilities, head


def test_intervals_hold_the_estimate_and_shrink_with_more_species():
  widths = {}
  for num_species in (8, 200):
    species, organs, shown, probabilities, head = _random_photos(
        num_species, np.random.default_rng(num_species))
    logits = 3 * head(probabilities, np.ones_like(shown))
    report = _report(species, logits, (1, 2, 4), per_species=5, seed=0, organs=organs,
                     trait_probabilities=probabilities, shown=shown, species_head=head)
    assert report["interval"] == {"confidence": 0.95, "num_resamples": 1000,
                                  "resampled": "species"}
    for n in ("1", "2", "4"):
      entry = report["by_count"][n]
      assert entry["num_queries"] == 5 * num_species
      for name in report["combinations"]:
        top1, (low, high) = entry[name]["species_top1"], entry[name]["interval"]
        assert low <= top1 <= high
        widths.setdefault(name, []).append(high - low)
      # Paired: the difference of the two top-1s, its interval on the same resamples.
      assert set(entry["differences"]) == {
          "pooled_gated_minus_mean_ungated", "pooled_gated_minus_pooled_ungated",
          "pooled_gated_minus_mean_gated", "pooled_ungated_minus_mean_ungated"}
      for key, difference in entry["differences"].items():
        a, b = key.split("_minus_")
        assert difference["difference"] == pytest.approx(entry[a]["species_top1"]
                                                         - entry[b]["species_top1"])
        low, high = difference["interval"]
        assert low <= difference["difference"] <= high
  # 40 queries against 1,000: every interval narrower (one per n per combination).
  for name, (few, many) in ((k, (w[:3], w[3:])) for k, w in widths.items()):
    assert all(m < f for f, m in zip(few, many)), name


def test_the_bootstrap_resamples_species_with_their_queries():
  # Species 0 always right, species 1 always wrong: each resample's top-1 is the share of
  # species 0 drawn, whatever the number of queries.
  species = np.repeat([0, 1], 3)
  logits = np.eye(2)[[0, 0, 0, 0, 0, 0]]
  for per_species in (1, 50):
    report = _report(species, logits, (1,), per_species=per_species, seed=0)
    entry = report["by_count"]["1"]["mean_ungated"]
    assert entry["species_top1"] == 0.5 and entry["interval"] == [0.0, 1.0]
  resamples = multi_photo.species_resamples(5, 1000, seed=0)
  assert resamples.shape == (1000, 5) and (resamples.sum(1) == 5).all()
  assert np.allclose(resamples.mean(0), 1, atol=0.1)


def test_without_organs_only_the_ungated_combinations():
  species, _, _, probabilities = _photos()
  logits = _head(probabilities, np.ones(probabilities.shape, bool))
  report = _report(species, logits, (1, 2), per_species=4, seed=0,
                   trait_probabilities=probabilities, species_head=_head)
  assert not report["organ_gating"]
  assert list(report["combinations"]) == ["pooled_ungated", "mean_ungated"]
  entry = report["by_count"]["2"]
  assert set(entry) == {"num_queries", "pooled_ungated", "mean_ungated", "differences"}
  assert list(entry["differences"]) == ["pooled_ungated_minus_mean_ungated"]


def test_a_black_box_has_the_mean_of_its_probabilities_alone():
  species, organs, _, _ = _photos()
  logits = np.eye(3)[species]
  report = _report(species, logits, (1, 2), 4, 0, organs=organs)
  assert not report["organ_gating"] and list(report["combinations"]) == ["mean_ungated"]
  for n in ("1", "2"):
    assert report["by_count"][n] == {
        "num_queries": 12, "differences": {},
        "mean_ungated": {"species_top1": 1.0, "interval": [1.0, 1.0]}}
