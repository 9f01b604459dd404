"""The trust fit (`traitjax.trust`) on a made-up trait-based model's predictions: calibrated
probabilities, scores that rank right answers first, decisions that reach their target accuracy
with a reason, species sets that cover, and a file that gives back the same decisions."""

import collections

import numpy as np
import pytest

from tests import fake_predictions
from traitjax import trust as trust_lib
from traitjax.metrics import calibration
from traitjax.metrics import selective

TABLE = fake_predictions.table(0)


@pytest.fixture(scope="module")
def fitted():
  return trust_lib.fit(fake_predictions.predictions(1, 1500, TABLE), TABLE)


@pytest.fixture(scope="module")
def test_photos():
  return fake_predictions.predictions(2, 4000, TABLE)


def _correct(predictions):
  return predictions["species_logits"].argmax(-1) == predictions["species"]


def test_the_fitted_probabilities_are_calibrated(fitted, test_photos):
  species, labels = test_photos["species_logits"], test_photos["species"]
  assert fitted.temperature > 2  # The made-up model is 3x overconfident.
  assert (calibration.negative_log_likelihood(fitted.species_probabilities(species), labels)
          < calibration.negative_log_likelihood(calibration.softmax(species), labels))
  before = calibration.binary_calibration_error(
      calibration.sigmoid(test_photos["trait_logits"]), test_photos["traits"])
  after = calibration.binary_calibration_error(
      fitted.trait_probabilities(test_photos["trait_logits"]), test_photos["traits"])
  assert after < before / 3


def test_decisions_reach_the_target_accuracy_and_abstain_on_unclear_photos(fitted, test_photos):
  correct = _correct(test_photos)
  decisions, reasons = fitted.decide(test_photos["species_logits"], test_photos["trait_logits"],
                                     TABLE)
  identified = decisions == trust_lib.IDENTIFY
  assert correct.mean() < 0.92
  assert correct[identified].mean() == pytest.approx(0.95, abs=0.015)
  unclear = test_photos["clarity"] < 0.5
  assert np.mean(~identified[unclear]) > 5 * np.mean(~identified[~unclear])
  assert set(reasons[identified]) == {""}
  assert set(reasons[~identified]) <= set(trust_lib.REASONS.values())


def test_compatibility_tells_photos_of_species_missing_from_the_table(fitted):
  clear = (0.5, 1.0)
  known = fake_predictions.predictions(3, 2000, TABLE, clarity=clear)
  rows = (np.random.default_rng(4).random((2000, TABLE.num_traits)) < 0.35).astype(np.float32)
  unknown = fake_predictions.predictions(5, 2000, TABLE, clarity=clear, rows=rows)
  scores = [fitted.scores(p["species_logits"], p["trait_logits"], TABLE)
            for p in (known, unknown)]
  is_known = np.r_[np.ones(2000, bool), np.zeros(2000, bool)]
  auroc = {name: selective.roc_auc(np.r_[scores[0][name], scores[1][name]], is_known)
           for name in trust_lib.SCORES}
  assert auroc["compatibility"] > auroc["max_probability"] > 0.9
  decisions, reasons = fitted.decide_from_scores(scores[1])
  abstained = collections.Counter(reasons[decisions == trust_lib.ABSTAIN])
  assert abstained.most_common(1)[0][0] == "unknown_species"


def test_every_score_ranks_right_answers_first(fitted, test_photos):
  scores = fitted.scores(test_photos["species_logits"], test_photos["trait_logits"], TABLE)
  assert set(scores) == set(trust_lib.SCORES)
  for score in scores.values():
    assert selective.roc_auc(score, _correct(test_photos)) > 0.85
  assert fitted.best_score in trust_lib.SCORES


def test_species_sets_cover_one_minus_alpha(fitted, test_photos):
  labels = test_photos["species"]
  randomised = fitted.prediction_sets(test_photos["species_logits"], np.random.default_rng(0))
  covered = randomised[np.arange(len(labels)), labels]
  assert covered.mean() == pytest.approx(1 - fitted.alpha, abs=0.02)
  deterministic = fitted.prediction_sets(test_photos["species_logits"])
  assert np.all(deterministic >= randomised)  # Every species a randomised set could hold.


def test_the_saved_trust_decides_alike_and_matches_species_by_name(fitted, test_photos,
                                                                    tmp_path):
  fitted.save(tmp_path / trust_lib.FILE_NAME)
  loaded = trust_lib.Trust.load(tmp_path / trust_lib.FILE_NAME)
  logits, traits = test_photos["species_logits"], test_photos["trait_logits"]
  for name, score in fitted.scores(logits, traits, TABLE).items():
    np.testing.assert_allclose(loaded.scores(logits, traits, TABLE)[name], score)
  # The same species in another order (their logits with them) score the same.
  order = np.random.default_rng(0).permutation(TABLE.num_species)
  reordered = TABLE.rows(order)
  np.testing.assert_allclose(
      loaded.scores(logits[:, order], traits, reordered)["compatibility"],
      fitted.scores(logits, traits, TABLE)["compatibility"])


def test_a_missing_or_broken_trust_file_is_named(tmp_path):
  with pytest.raises(FileNotFoundError, match="no trust file at"):
    trust_lib.Trust.load(tmp_path / "trust.json")
  (tmp_path / "trust.json").write_text("{}")
  with pytest.raises(ValueError, match="trust.json: missing field"):
    trust_lib.Trust.load(tmp_path / "trust.json")
