"""Evaluators chosen by config: each entry of `config.evals` names a `type` and its fields, e.g.

  config.evals.test = dict(type="classification", split="test", section="")
  config.evals.intervention = dict(type="intervention", split="test", ks=(0, 4, 16))
  config.evals.zeroshot = dict(type="zeroshot", split="test+zeroshot")
  config.evals.calibration = dict(type="calibration", split="test", fit_split="val")

`from_config` checks every entry before training starts (an unknown type or a field its type
does not take stops the run in one line). `evaluate` makes one pass over each split the
evaluators read, gathers the task's predictions with the batch fields, and puts each report in
its section of the result (the layout of metrics.json). A new evaluator is a
`base.Evaluator` subclass in this package, registered in `EVALUATORS`.
"""

from __future__ import annotations

import collections
import dataclasses

from absl import logging
import jax
import ml_collections
import numpy as np

from traitjax import sharding
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.evaluators import calibration
from traitjax.evaluators import classification
from traitjax.evaluators import conformal
from traitjax.evaluators import degradation
from traitjax.evaluators import intervention
from traitjax.evaluators import parts
from traitjax.evaluators import selective
from traitjax.evaluators import zeroshot

EVALUATORS = {
    "classification": classification.Classification,
    "intervention": intervention.Intervention,
    "zeroshot": zeroshot.ZeroShot,
    "few_shot": zeroshot.FewShot,
    "parts": parts.Parts,
    "slot_names": parts.SlotNames,
    "calibration": calibration.Calibration,
    "selective": selective.Selective,
    "conformal": conformal.Conformal,
    "degradation": degradation.Degradation,
}

# Batch fields gathered next to the predictions (images are not).
GATHERED_FIELDS = (schema.SPECIES, schema.TRAITS, schema.TRAITS_VISIBLE, schema.DEGRADATION,
                   schema.VALID, schema.INDEX)


def from_config(evals: ml_collections.ConfigDict) -> list[base.Evaluator]:
  """The evaluators of `config.evals` (in name order, as ConfigDict keeps keys). Raises ValueError naming the entry for an
  unknown type, a field its type does not take, or a bad value."""
  result = []
  for name, fields in evals.items():
    fields = dict(fields)
    kind = fields.pop("type", None)
    if kind not in EVALUATORS:
      raise ValueError(f"config.evals.{name}: unknown type {kind!r}; known: "
                       f"{', '.join(sorted(EVALUATORS))}")
    evaluator_class = EVALUATORS[kind]
    known = {field.name for field in dataclasses.fields(evaluator_class)} - {"name"}
    unknown = sorted(set(fields) - known)
    if unknown:
      raise ValueError(f"config.evals.{name}: type {kind} takes no field {', '.join(unknown)}; "
                       f"its fields: {', '.join(sorted(known))}")
    fields = {k: tuple(v) if isinstance(v, list) else v for k, v in fields.items()}
    result.append(evaluator_class(name=name, **fields))
  return result


def applicable(evaluators: list[base.Evaluator], task) -> list[base.Evaluator]:
  """The evaluators `task` can serve; each one left out is named in a warning (e.g. test-time
  intervention on a black box, whose species head reads no traits)."""
  kept = []
  for evaluator in evaluators:
    reason = evaluator.unavailable(task)
    if reason:
      logging.warning("evaluator %s (%s) skipped: %s", evaluator.name,
                      type(evaluator).__name__, reason)
    else:
      kept.append(evaluator)
  return kept


def predict_source(predict, state, source: pipeline.Source, batch_size: int, mesh,
                   shard: pipeline.HostShard, num_workers: int = 0) -> dict:
  """One exactly-once pass over `source`: the predictions of `predict` (the task's, jitted) and
  `GATHERED_FIELDS` of every readable example (padding and unreadable files removed), with
  num_examples and num_skipped."""
  dataset = pipeline.eval_dataset(source, batch_size, shard=shard, num_workers=num_workers)
  gathered = collections.defaultdict(list)
  iterator = iter(dataset)
  for local in iterator:
    batch = sharding.global_batch(local, mesh)
    outputs = predict(state.params, state.model_state, batch)
    host = sharding.to_host({**outputs, **{k: batch[k] for k in GATHERED_FIELDS}})
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
                  shard: pipeline.HostShard, num_workers: int = 0):
  """`predict_source` over the config's `split`, and the split's source."""
  source = sources.make_source(data_config, split)
  return predict_source(predict, state, source, batch_size, mesh, shard, num_workers), source


def evaluate(evaluators: list[base.Evaluator], task, state, config: ml_collections.ConfigDict,
             mesh, shard: pipeline.HostShard) -> tuple[dict, dict[str, dict]]:
  """Runs `evaluators` on `state`, one prediction pass per split (and one per source an
  evaluator builds itself, e.g. degraded photos). Returns the nested report (each evaluator's in
  its section) and each evaluator's own report by name."""
  passes = {}
  # Compiled once for every pass (a new jax.jit of the bound method would compile again).
  predict = jax.jit(task.predict)

  def predictions_and_source(split):
    if split not in passes:
      passes[split] = predict_split(predict, state, config.data, split,
                                    config.input.batch_size, mesh, shard,
                                    config.input.num_workers)
    return passes[split]

  def predict_any_source(source):
    return predict_source(predict, state, source, config.input.batch_size, mesh, shard,
                          config.input.num_workers)

  reports = {}
  for evaluator in sorted(evaluators, key=lambda e: e.split):  # One split's evaluators together.
    predictions, source = predictions_and_source(evaluator.split)
    context = base.Context(task=task, params=state.params, source=source,
                           predictions_of=lambda split: predictions_and_source(split)[0],
                           predict_source=predict_any_source)
    reports[evaluator.name] = evaluator(predictions, context)
  nested = {}
  for evaluator in evaluators:
    report = reports[evaluator.name]
    if report is None:
      continue
    node = nested
    for key in evaluator.path:
      node = node.setdefault(key, {})
    node.update(report)
  return nested, {name: report for name, report in reports.items() if report is not None}
