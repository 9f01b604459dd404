"""Naming a species from several photos of one plant (or bird) at once: queries of n photos of
one species, their organs as different as the photos allow, and two ways to combine them.

trait_evidence: per trait, the mean of the trait probabilities of the query's photos that can
  show it (its organ can; no evidence where none can), read once by the species head. What a
  model whose species head reads traits can do: a leaf and a fruit each tell half the story.
mean_probabilities: the mean of the photos' species softmax probabilities. What any model can
  do, a black box included.

The species head is passed in as a function, so this stays numpy: it reads the combined
probabilities [Q, T] and which traits any photo showed [Q, T] (`shown`; the head reads the
others as no evidence, e.g. `ConceptsTask.species_logits_from_traits`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from traitjax.metrics import calibration
from traitjax.metrics import classification


def draw_query(photos: np.ndarray, organs: np.ndarray, n: int,
               rng: np.random.Generator) -> np.ndarray:
  """n distinct photos of `photos` (ids [P], P >= n; `organs` [P] theirs), as many different
  organs as there are: organs in random order, a random photo of each, then a second of each
  organ that has one, and so on."""
  photos, organs = np.asarray(photos), np.asarray(organs)
  if len(photos) < n:
    raise ValueError(f"a query of {n} photos from {len(photos)}")
  groups = [rng.permutation(photos[organs == organ])
            for organ in rng.permutation(np.unique(organs))]
  order = [group[depth] for depth in range(max(len(g) for g in groups))
           for group in groups if depth < len(group)]
  return np.asarray(order[:n], np.int64)


def draw_queries(species: np.ndarray, organs: np.ndarray | None, n: int, per_species: int,
                 seed: int) -> tuple[np.ndarray, np.ndarray, int]:
  """Queries of n photos each: `per_species` of every species among `species` [N] (its photos'
  labels) with at least n photos (`draw_query`, by a generator seeded by (seed, n, species), so
  a species' queries depend on its own photos alone; queries may repeat when it has few).
  organs [N] or None (all photos one organ). -> (query photo ids int64 [Q, n], query species
  [Q], the number of species skipped for having fewer than n photos)."""
  species = np.asarray(species)
  organs = np.zeros(len(species), np.int64) if organs is None else np.asarray(organs)
  queries, labels, skipped = [], [], 0
  for label in np.unique(species):
    photos = np.flatnonzero(species == label)
    if len(photos) < n:
      skipped += 1
      continue
    rng = np.random.default_rng([seed, n, int(label)])
    for _ in range(per_species):
      queries.append(draw_query(photos, organs[photos], n, rng))
      labels.append(label)
  return (np.asarray(queries, np.int64).reshape(-1, n), np.asarray(labels, np.int64), skipped)


def trait_evidence(probabilities: np.ndarray, shown: np.ndarray,
                   queries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
  """probabilities [N, T] of the photos, shown bool [N, T] (the traits each photo can show),
  queries [Q, n] photo ids -> (evidence [Q, T]: per trait the mean probability of the query's
  photos that show it, NaN where none does; shown bool [Q, T]: whether any does)."""
  probabilities = np.asarray(probabilities, np.float64)[queries]  # [Q, n, T]
  shown = np.asarray(shown, bool)[queries]
  count = shown.sum(1)
  total = np.where(shown, probabilities, 0).sum(1)
  with np.errstate(invalid="ignore", divide="ignore"):
    evidence = np.where(count > 0, total / np.maximum(count, 1), np.nan)
  return evidence, count > 0


def trait_evidence_logits(probabilities: np.ndarray, shown: np.ndarray, queries: np.ndarray,
                          species_head: Callable[[np.ndarray, np.ndarray], np.ndarray]
                          ) -> np.ndarray:
  """The trait_evidence combination: species logits [Q, S] of `species_head` (evidence [Q, T],
  shown [Q, T] -> logits) read once on each query's `trait_evidence` (photos' probabilities
  [N, T], shown bool [N, T], queries [Q, n] photo ids)."""
  evidence, any_shown = trait_evidence(probabilities, shown, queries)
  return np.asarray(species_head(evidence, any_shown))


def mean_probabilities(species_logits: np.ndarray, queries: np.ndarray) -> np.ndarray:
  """species_logits [N, S], queries [Q, n] -> the mean of the query photos' species softmax
  probabilities [Q, S]."""
  return calibration.softmax(np.asarray(species_logits, np.float64))[queries].mean(1)


def multi_photo_report(species: np.ndarray, species_logits: np.ndarray, counts: Sequence[int],
                       per_species: int, seed: int, organs: np.ndarray | None = None,
                       trait_probabilities: np.ndarray | None = None,
                       shown: np.ndarray | None = None,
                       species_head: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
                       ) -> dict:
  """Species top-1 of queries of n photos (`draw_queries`) for each n in `counts`.

  species [N], species_logits [N, S]: the photos'; organs [N] or None. With `species_head`
  (evidence [Q, T], shown [Q, T] -> species logits [Q, S]) also trait_evidence, from the photos'
  trait_probabilities [N, T] and the traits each shows, `shown` bool [N, T] (None: all).

  -> counts, num_queries and num_species_skipped (fewer than n photos) per n, chance (1 / S),
  and per combination its species_top1 per n (None where no query had n photos).
  """
  species = np.asarray(species)
  combinations = {"mean_probabilities": lambda queries: mean_probabilities(species_logits,
                                                                           queries)}
  if species_head is not None:
    if shown is None:
      shown = np.ones(np.shape(trait_probabilities), bool)

    def combined_evidence(queries):
      return trait_evidence_logits(trait_probabilities, shown, queries, species_head)

    combinations = {"trait_evidence": combined_evidence, **combinations}
  report = {"counts": [int(n) for n in counts], "num_queries": [], "num_species_skipped": [],
            "chance": 1.0 / np.shape(species_logits)[-1],
            **{name: {"species_top1": []} for name in combinations}}
  for n in counts:
    queries, labels, skipped = draw_queries(species, organs, n, per_species, seed)
    report["num_queries"].append(len(queries))
    report["num_species_skipped"].append(skipped)
    for name, combine in combinations.items():
      top1 = (classification.top_k_accuracy(combine(queries), labels, 1) if len(queries)
              else float("nan"))
      report[name]["species_top1"].append(top1)
  return classification.nans_to_none(report)
