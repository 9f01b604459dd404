"""The periodic actions of the training loop: each is called after every step with (step,
state, that step's measurements) and acts when it is due. The loop runs, in order: log the
measurements (stopping on a non-finite step), save a checkpoint, run the periodic evaluators,
profile; callers (and tests) append their own.
"""

from __future__ import annotations

import json
from typing import Callable

from absl import logging
import jax
import numpy as np

from traitjax import checkpoints as checkpoints_lib
from traitjax import optim
from traitjax import writers

Action = Callable[[int, optim.TrainState, dict], None]


class TrainingDiverged(RuntimeError):
  """The loss became NaN or Inf; the last good checkpoint is kept."""


def _due(step: int, every: int) -> bool:
  return bool(every) and step % every == 0


class LogMeasurements:
  """Every measurement averaged over the steps since the last line, as `train/<name>` in
  metrics.jsonl and TensorBoard, and a progress line. Due every `every` steps, at each multiple
  of `also_every` (the checkpoint period, so that no checkpoint is saved before its steps
  proved finite) and at the last step; raises TrainingDiverged when a step of the window was
  non-finite."""

  def __init__(self, writer: writers.MetricWriter, total_steps: int, first_step: int,
               every: int, also_every: int, checkpoint_directory: str):
    self.writer, self.total_steps = writer, total_steps
    self.every, self.also_every = every, also_every
    self.checkpoint_directory = checkpoint_directory
    self.progress = writers.Progress(total_steps, first_step)
    self.window, self.window_start = [], first_step + 1

  def __call__(self, step, state, measurements):
    del state
    self.window.append(measurements)
    if not (_due(step, self.every) or _due(step, self.also_every) or step == self.total_steps):
      return
    window = jax.device_get(self.window)
    scalars = {f"train/{name}": float(np.mean([m[name] for m in window]))
               for name in window[0]}
    if scalars["train/nonfinite_steps"] > 0:
      raise TrainingDiverged(
          f"non-finite loss or train state between steps {self.window_start} and {step}: "
          f"{json.dumps(scalars)}; the last good checkpoint is kept in "
          f"{self.checkpoint_directory}")
    self.window, self.window_start = [], step + 1
    self.writer.write(step, scalars)
    self.progress.report(step, {name.split("/", 1)[1]: value for name, value in scalars.items()
                                if name not in ("train/nonfinite_steps",)})


class SaveCheckpoint:
  """The train state and the data iterator's position, every `every` steps and at the end."""

  def __init__(self, checkpoints: checkpoints_lib.Checkpoints, iterator, every: int,
               total_steps: int):
    self.checkpoints, self.iterator = checkpoints, iterator
    self.every, self.total_steps = every, total_steps

  def __call__(self, step, state, measurements):
    del measurements
    if _due(step, self.every) or step == self.total_steps:
      self.checkpoints.save(step, state, self.iterator)


class PeriodicEvaluation:
  """The evaluators with an `every`, each at its multiples before the last step (the final
  evaluation follows the loop), their scalars logged under their names."""

  def __init__(self, evaluators, evaluate: Callable, writer: writers.MetricWriter,
               total_steps: int):
    self.evaluators = [e for e in evaluators if e.every]
    self.evaluate, self.writer, self.total_steps = evaluate, writer, total_steps

  def __call__(self, step, state, measurements):
    del measurements
    due = [e for e in self.evaluators if _due(step, e.every) and step < self.total_steps]
    if due:
      _, reports = self.evaluate(due, state)
      self.writer.write(step, writers.flatten_scalars(reports))


class Profile:
  """A profiler trace (TensorBoard's profile plugin, Perfetto) of `num_steps` steps after step
  `start_step` into `directory`; `start_step` 0 = off."""

  def __init__(self, directory: str, start_step: int, num_steps: int):
    self.directory, self.start_step, self.num_steps = directory, start_step, num_steps
    self.tracing = False

  def __call__(self, step, state, measurements):
    del measurements
    if self.start_step and step == self.start_step:
      jax.profiler.start_trace(self.directory)
      self.tracing = True
    elif self.tracing and step >= self.start_step + self.num_steps:
      jax.block_until_ready(state)
      self.stop()

  def stop(self):
    if self.tracing:
      jax.profiler.stop_trace()
      self.tracing = False
      logging.info("profile written to %s", self.directory)
