"""The periodic actions of the training loop: each is called after every step with (step,
state, that step's measurements) and acts when it is due. The loop runs, in order: log the
measurements (stopping on a non-finite step), save a checkpoint, run the periodic evaluators,
profile; callers (and tests) append their own.
"""

from __future__ import annotations

import json
import signal
from typing import Callable

from absl import logging
from clu import metrics as clu_metrics
import jax

from traitjax import checkpoints as checkpoints_lib
from traitjax import optim
from traitjax import sharding
from traitjax import writers

Action = Callable[[int, optim.TrainState, dict], None]


class TrainingDiverged(RuntimeError):
  """The loss became NaN or Inf; the last good checkpoint is kept."""


class TrainingInterrupted(RuntimeError):
  """A signal stopped training at a step boundary, after a checkpoint of that step was saved.
  Commands exit with `exit_code`: 128 + the signal's number, as a shell reports a process a
  signal ended (130 for SIGINT, 143 for SIGTERM, 138 for SIGUSR1)."""

  def __init__(self, step: int, signal_number: int):
    name = signal.Signals(signal_number).name
    super().__init__(f"stopped at step {step} by {name}, checkpoint saved; rerun the same "
                     f"command to resume")
    self.step, self.exit_code = step, 128 + signal_number


def _due(step: int, every: int) -> bool:
  return bool(every) and step % every == 0


class LogMeasurements:
  """Every measurement averaged over the steps since the last line (`clu.metrics.Average`,
  accumulated on the device), as `train/<name>` in metrics.jsonl and TensorBoard, and a
  progress line. Due every `every` steps, at each multiple of `also_every` (the checkpoint
  period, so that no checkpoint is saved before its steps proved finite) and at the last step;
  raises TrainingDiverged when a step of the window was non-finite."""

  def __init__(self, writer: writers.MetricWriter, total_steps: int, first_step: int,
               every: int, also_every: int, checkpoint_directory: str):
    self.writer, self.total_steps = writer, total_steps
    self.every, self.also_every = every, also_every
    self.checkpoint_directory = checkpoint_directory
    self.progress = None
    self._start = self._add = None  # Compiled at the first step, for its measurements.
    self.window, self.window_start = None, first_step + 1

  def __call__(self, step, state, measurements):
    del state
    if self.progress is None:  # The first step compiled the train step: time from its end.
      self.progress = writers.Progress(self.total_steps, step)
      # One average per measurement the task returns, whatever they are.
      averages = clu_metrics.Collection.create(
          **{name: clu_metrics.Average.from_output(name) for name in measurements})
      # One compiled call a step: clu's updates run eagerly are ~20 dispatches a step, which
      # cost more than a step of a head trained on cached features.
      self._start = jax.jit(lambda output: averages.single_from_model_output(**output))
      self._add = jax.jit(
          lambda window, output: window.merge(averages.single_from_model_output(**output)))
    self.window = (self._start(measurements) if self.window is None
                   else self._add(self.window, measurements))
    if not (_due(step, self.every) or _due(step, self.also_every) or step == self.total_steps):
      return
    scalars = {f"train/{name}": float(value)
               for name, value in jax.device_get(self.window.compute()).items()}
    if scalars["train/nonfinite_steps"] > 0:
      raise TrainingDiverged(
          f"non-finite loss or train state between steps {self.window_start} and {step}: "
          f"{json.dumps(scalars)}; the last good checkpoint is kept in "
          f"{self.checkpoint_directory}")
    self.window, self.window_start = None, step + 1
    self.writer.write_scalars(step, scalars)
    self.progress.report(step, {name.split("/", 1)[1]: value for name, value in scalars.items()
                                if name not in ("train/nonfinite_steps",)})


class SaveCheckpoint:
  """The train state and the data iterator's position, every `every` steps and at the end."""

  def __init__(self, checkpoints: checkpoints_lib.Checkpoints, iterator, every: int,
               total_steps: int):
    self.checkpoints, self.iterator = checkpoints, iterator
    self.every, self.total_steps = every, total_steps

  def due(self, step: int) -> bool:
    return _due(step, self.every) or step == self.total_steps

  def save(self, step: int, state) -> None:
    self.checkpoints.save(step, state, self.iterator)

  def __call__(self, step, state, measurements):
    del measurements
    if self.due(step):
      self.save(step, state)


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
      reports = self.evaluate(due, state).reports
      self.writer.write_scalars(step, writers.flatten_scalars(reports))


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


class StopOnSignal:
  """While active (a context manager), SIGINT, SIGTERM and SIGUSR1 ask training to stop: at
  the end of the step under way a checkpoint of it is saved (unless the checkpoint action just
  did) and TrainingInterrupted is raised; the loop then waits for the save to finish.

  On several hosts the signal reaches each at its own moment (SLURM's --signal, a preemption
  notice), so every `AGREE_EVERY` steps the hosts agree on whether any of them received one
  (the largest signal number over hosts) and all stop at that step with the same checkpoint.
  Agreeing waits for the step to finish on every host, so it is not done after every step."""

  AGREE_EVERY = 10

  SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGUSR1)

  def __init__(self, checkpoint: SaveCheckpoint):
    self.checkpoint = checkpoint
    self.received, self._previous = None, {}

  def _handle(self, signal_number, frame):
    del frame
    if self.received is None:
      logging.warning("%s received: stopping at the next step boundary",
                      signal.Signals(signal_number).name)
    self.received = signal_number

  def __enter__(self):
    for number in self.SIGNALS:
      self._previous[number] = signal.signal(number, self._handle)
    return self

  def __exit__(self, *exc_info):
    for number, handler in self._previous.items():
      signal.signal(number, handler)
    self._previous = {}

  def __call__(self, step, state, measurements):
    del measurements
    if jax.process_count() > 1:
      if step % self.AGREE_EVERY:
        return
      self.received = sharding.max_over_processes(self.received or 0) or None
    if self.received is None:
      return
    if not self.checkpoint.due(step):  # Else the checkpoint action has just saved it.
      self.checkpoint.save(step, state)
    raise TrainingInterrupted(step, self.received)
