"""Naming a species from several photos of one plant (or bird) at once: queries of n photos of
one species, their organs as different as the photos allow, combined four ways, every n on the
same species.

Species: those with at least max(counts) photos in the split, for every n (a species with
fewer photos would be in the columns of small n only, and the columns would compare different
species as well as different numbers of photos). The others are left out, and counted.

Combinations (`COMBINATIONS`), pooling and organ gating apart:
  pooled_gated: per trait, the mean of the trait probabilities of the query's photos whose
    organ can show it (no evidence where none can), read once by the species head. What a model
    whose species head reads traits can do: a leaf and a fruit each tell half the story.
  pooled_ungated: per trait, the mean over all the query's photos, every trait counted, read
    once by the species head.
  mean_gated: the mean of the photos' species probabilities, each photo's from its traits with
    those its organ cannot show read as no evidence.
  mean_ungated: the mean of the photos' species softmax probabilities. What any model can do, a
    black box included.
On data without organs gating changes nothing, and only the ungated two are reported; a model
whose species head does not read traits (a black box) has mean_ungated alone.

Each top-1 comes with a bootstrap interval over species (a resampled species brings all its
queries), and the differences `DIFFERENCES` of two combinations with intervals on the same
resamples (paired: an interval that covers 0 is a tie).

The species head is passed in as a function, so this stays numpy: it reads trait
probabilities [Q, T] and which of them count as evidence [Q, T] (`shown`; the head reads the
others as no evidence, e.g. `ConceptsTask.species_logits_from_traits`).
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from traitjax.metrics import calibration
from traitjax.metrics import classification

COMBINATIONS = {
    "pooled_gated": "per trait, the mean probability of the photos whose organ can show it, "
                    "read once by the species head (traits no photo's organ can show: no "
                    "evidence)",
    "pooled_ungated": "per trait, the mean probability of all the photos, read once by the "
                      "species head (every trait counts)",
    "mean_gated": "the mean of the photos' species probabilities, each read by the species "
                  "head from its traits with those its organ cannot show as no evidence",
    "mean_ungated": "the mean of the photos' species probabilities (every trait counts)",
}
# (a, b): a - b, where both are reported.
DIFFERENCES = (("pooled_gated", "mean_ungated"), ("pooled_gated", "pooled_ungated"),
               ("pooled_gated", "mean_gated"), ("pooled_ungated", "mean_ungated"))
NUM_RESAMPLES = 1000
CONFIDENCE = 0.95


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
                 seed: int, min_photos: int | None = None
                 ) -> tuple[np.ndarray, np.ndarray, int]:
  """Queries of n photos each: `per_species` of every species among `species` [N] (its photos'
  labels) with at least max(n, min_photos) photos (`draw_query`, by a generator seeded by
  (seed, n, species), so a species' queries depend on its own photos alone; queries may repeat
  when it has few), in the order of the species. organs [N] or None (all photos one organ).
  -> (query photo ids int64 [Q, n], query species [Q], the number of species skipped for
  having fewer photos)."""
  species = np.asarray(species)
  organs = np.zeros(len(species), np.int64) if organs is None else np.asarray(organs)
  least = n if min_photos is None else max(n, min_photos)
  queries, labels, skipped = [], [], 0
  for label in np.unique(species):
    photos = np.flatnonzero(species == label)
    if len(photos) < least:
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
  photos that show it, NaN where none does; shown bool [Q, T]: whether any does). With every
  trait shown: the mean of the photos' probabilities (pooled_ungated)."""
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
  """The pooled combination: species logits [Q, S] of `species_head` (evidence [Q, T], shown
  [Q, T] -> logits) read once on each query's `trait_evidence` (photos' probabilities [N, T],
  shown bool [N, T], queries [Q, n] photo ids). Organ-gated with each photo's organ's traits as
  `shown`, ungated with all True."""
  evidence, any_shown = trait_evidence(probabilities, shown, queries)
  return np.asarray(species_head(evidence, any_shown))


def mean_probabilities(species_logits: np.ndarray, queries: np.ndarray) -> np.ndarray:
  """species_logits [N, S], queries [Q, n] -> the mean of the query photos' species softmax
  probabilities [Q, S]."""
  return calibration.softmax(np.asarray(species_logits, np.float64))[queries].mean(1)


def species_resamples(num_species: int, num_resamples: int, seed: int) -> np.ndarray:
  """int [num_resamples, num_species]: how many times each species is drawn in each bootstrap
  resample (num_species draws with replacement), by a generator seeded by `seed`."""
  rng = np.random.default_rng([seed, 0xB0075])
  if num_species == 0:
    return np.zeros((num_resamples, 0), np.int64)
  return rng.multinomial(num_species, np.full(num_species, 1 / num_species), num_resamples)


def _estimate(per_species: np.ndarray, resamples: np.ndarray, confidence: float,
              key: str) -> dict:
  """per_species [K] (each species' own score, its queries together), resamples [B, K] ->
  {key: the mean over species, interval: [low, high] of the bootstrap means}."""
  if not len(per_species):
    return {key: float("nan"), "interval": [float("nan"), float("nan")]}
  means = resamples @ per_species / len(per_species)
  tail = (1 - confidence) / 2
  low, high = np.quantile(means, [tail, 1 - tail])
  return {key: float(per_species.mean()), "interval": [float(low), float(high)]}


def multi_photo_report(species: np.ndarray, species_logits: np.ndarray, counts: Sequence[int],
                       per_species: int, seed: int, organs: np.ndarray | None = None,
                       trait_probabilities: np.ndarray | None = None,
                       shown: np.ndarray | None = None,
                       species_head: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
                       num_resamples: int = NUM_RESAMPLES, confidence: float = CONFIDENCE
                       ) -> dict:
  """Species top-1 of queries of n photos (`draw_queries`) for each n in `counts`, all on the
  species with at least max(counts) photos.

  species [N], species_logits [N, S]: the photos'; organs [N] or None (drawing only). With
  `species_head` (trait probabilities [Q, T], shown [Q, T] -> species logits [Q, S]) also the
  pooled combinations, from the photos' trait_probabilities [N, T]; with `shown` bool [N, T]
  too (the traits each photo's organ can show) also the gated ones (`COMBINATIONS`).

  -> {counts, species_rule, min_photos, num_species and species (those kept),
  num_species_in_split, num_species_left_out, queries_per_species, chance (1 / S),
  organ_gating (whether the gated combinations are there), combinations (name -> what it is),
  interval (confidence, num_resamples, resampled: "species"), by_count: {str(n): {num_queries,
  per combination {species_top1, interval}, differences: {"A_minus_B": {difference,
  interval}}}}}; None in place of numbers where no species is kept. The intervals are
  percentile bootstrap intervals over the kept species (`species_resamples`, seeded by `seed`,
  the same resamples for every n and combination).
  """
  species = np.asarray(species)
  counts = [int(n) for n in counts]
  least = max(counts)
  present, photos_of = np.unique(species, return_counts=True)
  kept = present[photos_of >= least]

  combinations = {}
  if species_head is not None:
    probabilities = np.asarray(trait_probabilities, np.float64)
    everything = np.ones(probabilities.shape, bool)
    combinations["pooled_ungated"] = lambda queries: trait_evidence_logits(
        probabilities, everything, queries, species_head)
    if shown is not None:
      shown = np.asarray(shown, bool)
      combinations["pooled_gated"] = lambda queries: trait_evidence_logits(
          probabilities, shown, queries, species_head)
      # Each photo's own species logits, its organ's traits alone read (only the kept
      # species' photos: the others are never in a query).
      photos = np.flatnonzero(np.isin(species, kept))
      gated_logits = np.zeros((len(species), np.shape(species_logits)[-1]))
      if len(photos):
        gated_logits[photos] = np.asarray(species_head(probabilities[photos], shown[photos]))
      combinations["mean_gated"] = lambda queries: mean_probabilities(gated_logits, queries)
  combinations["mean_ungated"] = lambda queries: mean_probabilities(species_logits, queries)
  names = [name for name in COMBINATIONS if name in combinations]
  differences = [(a, b) for a, b in DIFFERENCES if a in combinations and b in combinations]

  resamples = species_resamples(len(kept), num_resamples, seed)
  report = {"counts": counts, "species_rule": f"at least {least} photos", "min_photos": least,
            "num_species": len(kept), "species": [int(k) for k in kept],
            "num_species_in_split": len(present),
            "num_species_left_out": len(present) - len(kept),
            "queries_per_species": int(per_species),
            "chance": 1.0 / np.shape(species_logits)[-1],
            "organ_gating": "pooled_gated" in combinations,
            "combinations": {name: COMBINATIONS[name] for name in names},
            "interval": {"confidence": float(confidence), "num_resamples": int(num_resamples),
                         "resampled": "species"},
            "by_count": {}}
  for n in counts:
    queries, labels, _ = draw_queries(species, organs, n, per_species, seed, min_photos=least)
    which = np.searchsorted(kept, labels)  # Each query's species among those kept.
    per_species_top1 = {}
    for name in names:
      correct = (np.argmax(combinations[name](queries), -1) == labels if len(queries)
                 else np.zeros(0, bool))
      per_species_top1[name] = (np.bincount(which, correct.astype(np.float64), len(kept))
                                / np.maximum(np.bincount(which, minlength=len(kept)), 1))
    entry = {"num_queries": len(queries)}
    for name in names:
      entry[name] = _estimate(per_species_top1[name], resamples, confidence, "species_top1")
    entry["differences"] = {
        f"{a}_minus_{b}": _estimate(per_species_top1[a] - per_species_top1[b], resamples,
                                    confidence, "difference")
        for a, b in differences}
    report["by_count"][str(n)] = entry
  return classification.nans_to_none(report)
