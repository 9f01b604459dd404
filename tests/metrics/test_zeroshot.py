"""Zero-shot and generalized zero-shot scores."""

import numpy as np
import pytest

from traitjax.metrics import zeroshot


def test_zeroshot_report_scores_per_class_means_among_the_unseen_and_among_all():
  """Species 0-2 seen, 3-4 unseen. Unseen photos: species 3's one right among all; of species
  4's two, one right only once the seen species are excluded, one wrong either way; two seen
  photos, one right. Per-class means weigh species 3's one photo as much as species 4's two."""
  seen_species = np.array([True, True, True, False, False])
  logits = np.array([
      [0, 0, 0, 5, 1],   # unseen 3: right among all
      [9, 0, 0, 1, 5],   # unseen 4: a seen species wins; right among the unseen
      [0, 0, 0, 5, 1],   # unseen 4: wrong either way
      [0, 7, 0, 0, 0],   # seen 1: right
      [0, 7, 0, 0, 0],   # seen 2: wrong
  ], np.float32)
  species = np.array([3, 4, 4, 1, 2])
  report = zeroshot.zeroshot_report(logits, species, seen_species)
  np.testing.assert_allclose(report["unseen_top1"], (1 + 1 / 2) / 2)
  np.testing.assert_allclose(report["unseen_accuracy"], (1 + 0) / 2)
  np.testing.assert_allclose(report["seen_accuracy"], (1 + 0) / 2)
  np.testing.assert_allclose(report["harmonic_mean"], 0.5)
  assert (report["num_unseen_species"], report["num_unseen_photos"]) == (2, 3)
  assert (report["num_seen_species"], report["num_seen_photos"]) == (2, 2)
  per_photo = report["per_photo"]
  np.testing.assert_allclose(per_photo["unseen_top1"], 2 / 3)
  np.testing.assert_allclose(per_photo["unseen_top1_generalized"], 1 / 3)
  np.testing.assert_allclose(per_photo["seen_top1"], 1 / 2)
  np.testing.assert_allclose(per_photo["harmonic_mean"], 2 * (1 / 2) * (1 / 3) / (1 / 2 + 1 / 3))
  # Lowering the seen logits moves photos 0 and 2, then 1, then the seen ones to the unseen
  # species: (unseen, seen) per-class accuracy goes (0, 1/2), (1/2, 1/2), (3/4, 1/2), (3/4, 0).
  np.testing.assert_allclose(report["ausuc"], 3 / 4 * 1 / 2)
  np.testing.assert_allclose(report["best_harmonic_mean"], 2 * (1 / 2) * (3 / 4) / (1 / 2 + 3 / 4))
  only_unseen = zeroshot.zeroshot_report(logits[:3], species[:3], seen_species)
  assert not {"harmonic_mean", "seen_accuracy", "ausuc"} & set(only_unseen)
  with pytest.raises(ValueError, match="unseen"):
    zeroshot.zeroshot_report(logits[3:], species[3:], seen_species)


def test_per_class_accuracy_weighs_every_species_alike():
  correct = np.array([True, False, False, False, True])
  np.testing.assert_allclose(zeroshot.per_class_accuracy(correct, np.array([0, 0, 0, 0, 1])),
                             (1 / 4 + 1) / 2)
  assert np.isnan(zeroshot.per_class_accuracy(correct[:0], np.array([], int)))
