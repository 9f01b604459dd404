"""Runs evaluators on a train state: one prediction pass per split they read (the task's
predictions gathered with the batch fields), the trust their fit needs, and each report in its
section of the result (the layout of metrics.json).

The trust evaluators (calibration, selective, conformal) share one `traitjax.trust.Trust`
per evaluation: fitted on `config.trust.fit_split` when first asked for, unless the caller
passes one (e.g. the workdir's saved trust.json).
"""

from __future__ import annotations

import collections
import dataclasses
import functools

import jax
import ml_collections
import numpy as np

from traitjax import sharding
from traitjax import trust as trust_lib
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base

# Batch fields gathered next to the predictions (images are not).
GATHERED_FIELDS = (schema.SPECIES, schema.TRAITS, schema.TRAITS_VISIBLE, schema.DEGRADATION,
                   schema.VALID, schema.INDEX)
# Batch fields gathered too where the data has them (e.g. each photo's organ).
OPTIONAL_FIELDS = (schema.ORGAN,)


def fit_trust(config: ml_collections.ConfigDict, predictions_of, table) -> trust_lib.Trust:
  """The trust fitted on the predictions of `config.trust.fit_split` (`trust.fit`)."""
  split = config.trust.fit_split
  predictions = predictions_of(split)
  if len(predictions[schema.SPECIES]) == 0:
    raise ValueError(f"config.trust.fit_split: split {split!r} has no examples to fit on")
  return trust_lib.fit(predictions, table, config.trust.target_accuracy, config.trust.alpha)


def predict_source(predict, state, source: pipeline.Source, batch_size: int, mesh,
                   shard: pipeline.HostShard, num_workers: int = 0,
                   batch_fields: tuple[str, ...] = (), cache=None) -> dict:
  """One exactly-once pass over `source`: the predictions of `predict` (the task's, jitted;
  with the evidence maps if it was asked for them), `GATHERED_FIELDS`, those of
  `OPTIONAL_FIELDS` its batches carry and `batch_fields` of every readable example (padding and
  unreadable files removed), with num_examples and num_skipped. With a
  `feature_cache.FeatureCache`, the photos' feature maps are read from it."""
  read = cache.wrap(source, shard=shard) if cache is not None else source
  dataset = pipeline.eval_dataset(read, batch_size, shard=shard, num_workers=num_workers)
  fields = GATHERED_FIELDS + tuple(f for f in batch_fields if f not in GATHERED_FIELDS)
  gathered = collections.defaultdict(list)
  iterator = iter(dataset)
  for local in iterator:
    batch = sharding.global_batch(local, mesh)
    outputs = predict(state.params, state.model_state, batch)
    present = fields + tuple(f for f in OPTIONAL_FIELDS if f in batch and f not in fields)
    host = sharding.to_host({**outputs, **{k: batch[k] for k in present}})
    for key, value in host.items():
      gathered[key].append(value)
  iterator.close()
  arrays = {k: np.concatenate(v) for k, v in gathered.items()}
  valid = arrays[schema.VALID]
  num_examples = int(valid.sum())
  num_skipped = int(np.sum((arrays[schema.INDEX] >= 0) & ~valid))
  if num_examples != len(source) - num_skipped:
    raise AssertionError(f"eval saw {num_examples} (and skipped {num_skipped}) of "
                         f"{len(source)} examples of {source!r}")
  predictions = {k: v[valid] for k, v in arrays.items()}
  return {**predictions, "num_examples": num_examples, "num_skipped": num_skipped}


def predict_split(predict, state, data_config, split: str, batch_size: int, mesh,
                  shard: pipeline.HostShard, num_workers: int = 0,
                  batch_fields: tuple[str, ...] = (), cache=None):
  """`predict_source` over the config's `split`, and the split's source."""
  source = sources.make_source(data_config, split)
  return predict_source(predict, state, source, batch_size, mesh, shard, num_workers,
                        batch_fields, cache), source


@dataclasses.dataclass(frozen=True)
class Evaluation:
  """What `evaluate` gives: the nested report (each evaluator's in its section; the layout of
  metrics.json), each evaluator's own report by name, and the trust the evaluation used
  (None when it needed none)."""

  report: dict
  reports: dict[str, dict]
  trust: trust_lib.Trust | None


def evaluate(evaluators: list[base.Evaluator], task, state, config: ml_collections.ConfigDict,
             mesh, shard: pipeline.HostShard, trust: trust_lib.Trust | None = None,
             fit_trust_anyway: bool = False, cache=None) -> Evaluation:
  """Runs `evaluators` on `state`, one prediction pass per split (with the evidence maps and
  extra batch fields that the split's evaluators read), and one per source an evaluator builds
  itself (e.g. degraded photos). The trust evaluators read `trust`, else one fitted on
  `config.trust.fit_split`; with `fit_trust_anyway` that fit happens even when no evaluator
  asks for it (so training can save it). The report counts the unreadable photos of each split
  it read (`num_skipped_by_split`). Every pass reads the photos' feature maps from
  `cache` (a `feature_cache.FeatureCache`) when given; evaluators see the sources of photos."""
  passes = {}
  trusts = [] if trust is None else [trust]
  compiled = {}

  def predict(with_maps: bool = False):
    """The task's predict, compiled once per evaluation (a new jax.jit of the bound method
    would compile again)."""
    if with_maps not in compiled:
      compiled[with_maps] = jax.jit(functools.partial(task.predict, with_maps=True)
                                    if with_maps else task.predict)
    return compiled[with_maps]

  def predictions_and_source(split):
    if split not in passes:
      readers = [e for e in evaluators if e.split == split]
      passes[split] = predict_split(
          predict(any(e.needs_trait_maps for e in readers)), state, config.data, split,
          config.input.batch_size, mesh, shard, config.input.num_workers,
          batch_fields=tuple(sorted({f for e in readers for f in e.batch_fields})), cache=cache)
    return passes[split]

  def predictions_of(split):
    return predictions_and_source(split)[0]

  def predict_any_source(source):
    return predict_source(predict(), state, source, config.input.batch_size, mesh, shard,
                          config.input.num_workers, cache=cache)

  def shared_trust():
    if not trusts:
      source = predictions_and_source(config.trust.fit_split)[1]
      trusts.append(fit_trust(config, predictions_of, base.species_table(task, source)))
    return trusts[0]

  reports = {}
  for evaluator in sorted(evaluators, key=lambda e: e.split):  # One split's evaluators together.
    predictions, source = predictions_and_source(evaluator.split)
    context = base.Context(task=task, params=state.params, source=source,
                           predictions_of=predictions_of, predict_source=predict_any_source,
                           trust=shared_trust)
    reports[evaluator.name] = evaluator(predictions, context)
  if (fit_trust_anyway and config.get("trust")
      and config.trust.fit_split in sources.splits(config.data)):
    shared_trust()
  nested = {}
  for evaluator in evaluators:
    report = reports[evaluator.name]
    if report is None:
      continue
    node = nested
    for key in evaluator.path:
      node = node.setdefault(key, {})
    node.update(report)
  # Every split read, val included: a broken photo there would otherwise only be a warning.
  nested["num_skipped_by_split"] = {split: int(predictions["num_skipped"])
                                    for split, (predictions, _) in sorted(passes.items())}
  return Evaluation(nested, {name: report for name, report in reports.items()
                             if report is not None}, trusts[0] if trusts else None)
