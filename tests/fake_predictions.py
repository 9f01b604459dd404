"""Predictions of a made-up trait-based model, for tests of what is fitted on predictions
(`traitjax.trust`, the trust evaluators): photos of species drawn from a binary species x
trait table, their trait logits as clear as each photo's `clarity`, species logits the
(tempered) log-likelihood of the detected traits under each row."""

from __future__ import annotations

import numpy as np

from traitjax.data import schema
from traitjax.metrics import calibration


def table(seed: int, num_species: int = 12, num_traits: int = 30) -> schema.TraitTable:
  rng = np.random.default_rng(seed)
  values = (rng.random((num_species, num_traits)) < 0.35).astype(np.float32)
  return schema.TraitTable(values, species=[f"species {i}" for i in range(num_species)],
                           traits=[f"group{t // 3}::value{t % 3}" for t in range(num_traits)])


def predictions(seed: int, num_photos: int, species_table: schema.TraitTable,
                clarity: tuple[float, float] = (0.0, 1.0), overconfidence: float = 3.0,
                rows: np.ndarray | None = None) -> dict:
  """Gathered predictions (species_logits, trait_logits and the batch fields) of photos of
  random species of `species_table`, each photo's clarity uniform in `clarity`; the species
  logits `overconfidence` times too sharp. `rows` [N, T]: the photos show species with these
  rows instead (e.g. species missing from the table), labelled -1... as species 0."""
  rng = np.random.default_rng(seed)
  values = species_table.values
  species = rng.integers(0, len(values), num_photos)
  shown = values[species] if rows is None else rows
  photo_clarity = rng.uniform(*clarity, num_photos)
  trait_logits = (3 * photo_clarity[:, None] * (2 * shown - 1)
                  + rng.normal(scale=1.0, size=shown.shape))
  p = calibration.sigmoid(trait_logits)
  fires = np.clip(values, 0.1, 0.9)
  log_likelihood = p @ np.log(fires).T + (1 - p) @ np.log1p(-fires).T
  return {"species_logits": overconfidence * log_likelihood,
          "trait_logits": trait_logits,
          schema.SPECIES: species.astype(np.int32),
          schema.TRAITS: values[species],
          schema.TRAITS_VISIBLE: np.full(shown.shape, np.nan, np.float32),
          schema.DEGRADATION: (photo_clarity < np.mean(clarity)).astype(np.int32),
          "clarity": photo_clarity,
          "num_examples": num_photos, "num_skipped": 0}
