"""The open-world routes: fitted on photos of trained species only, each constant costing at
most its budget of them, and naming photos of added species that plain argmax does not."""

import numpy as np
import pytest

from tests import fake_predictions
from traitjax import open_world
from traitjax import trust as trust_lib
from traitjax.data import schema
from traitjax.metrics import zeroshot

TRAINED = np.arange(12) < 8  # Species 8-11 are added from their rows alone.
SEEN_BIAS = 60.0  # Trained species' logits run high, as a trained head's do.


def _photos(seed, num, species=None):
  """Predictions of photos of the fake model, the trained species' logits raised; of
  `species` (bool [12]) alone when given."""
  table = fake_predictions.table(0)
  predictions = fake_predictions.predictions(seed, num * 3, table, clarity=(0.0, 0.6))
  keep = (np.ones(num * 3, bool) if species is None
          else species[predictions[schema.SPECIES]])
  predictions = {k: v[keep][:num] if isinstance(v, np.ndarray) else v
                 for k, v in predictions.items()}
  predictions["species_logits"] = predictions["species_logits"] + SEEN_BIAS * TRAINED
  return predictions, table


@pytest.fixture(scope="module")
def fitted():
  val, table = _photos(1, 300, TRAINED)
  trust = trust_lib.fit(val, table)
  return open_world.fit(trust, val, table, TRAINED, budget=0.05), trust, val, table


def test_fitting_on_a_photo_of_an_added_species_is_refused(fitted):
  _, trust, val, table = fitted
  leaked = {**val, schema.SPECIES: val[schema.SPECIES].copy()}
  leaked[schema.SPECIES][0] = 9
  with pytest.raises(ValueError, match="trained species only; 1 species were not trained"):
    open_world.fit(trust, leaked, table, TRAINED, budget=0.05)
  with pytest.raises(ValueError, match="budget"):
    open_world.fit(trust, val, table, TRAINED, budget=0.0)


def test_each_constant_costs_at_most_its_budget_of_the_fit_photos_named_right(fitted):
  routes, trust, val, table = fitted
  logits, labels = val["species_logits"], val[schema.SPECIES]
  right = np.argmax(np.where(TRAINED, logits, -np.inf), -1) == labels
  allowed = np.floor(0.05 * len(labels))
  for route in ("calibrated_stacking", "gated"):
    moved = ~TRAINED[routes.name(route, logits, val["trait_logits"], trust, table)]
    assert 0 < np.sum(moved & right) <= allowed, route
  declined = routes.declined(np.argmax(logits, -1), val["trait_logits"], trust, table)
  assert 0 < np.sum(declined & (np.argmax(logits, -1) == labels)) <= allowed
  assert routes.shift > 0  # The trained species' logits run high: lowered.


def test_the_routes_name_photos_of_added_species_that_plain_argmax_misses(fitted):
  routes, trust, _, table = fitted
  test, _ = _photos(2, 600)
  labels = test[schema.SPECIES]
  harmonic = {}
  for route in open_world.ROUTES:
    right = routes.name(route, test["species_logits"], test["trait_logits"], trust,
                        table) == labels
    seen = TRAINED[labels]
    harmonic[route] = zeroshot.harmonic_mean(
        zeroshot.per_class_accuracy(right[seen], labels[seen]),
        zeroshot.per_class_accuracy(right[~seen], labels[~seen]))
  assert harmonic["plain"] < 0.2 < harmonic["calibrated_stacking"]
  assert harmonic["plain"] < harmonic["gated"]


def test_photos_of_species_in_neither_set_are_declined_more_often(fitted):
  """Photos of made-up species (random rows, no row in the table) against photos of known
  ones, each named by calibrated stacking."""
  routes, trust, _, table = fitted
  known, _ = _photos(3, 300)
  rng = np.random.default_rng(4)
  strangers = fake_predictions.predictions(
      5, 300, table, clarity=(0.0, 0.6),
      rows=(rng.random((300, table.num_traits)) < 0.35).astype(np.float32))
  strangers["species_logits"] = strangers["species_logits"] + SEEN_BIAS * TRAINED
  declined, scores = [], []
  for photos in (known, strangers):
    named = routes.name("calibrated_stacking", photos["species_logits"],
                        photos["trait_logits"], trust, table)
    declined.append(routes.declined(named, photos["trait_logits"], trust, table).mean())
    scores.append(open_world.decline_scores(trust, photos["trait_logits"], table, named))
  assert declined[1] > 2 * declined[0]
  assert np.median(scores[1]) > np.median(scores[0])
