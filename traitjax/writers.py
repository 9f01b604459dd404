"""Metrics out: TensorBoard event files (tensorboardX, no TensorFlow), a JSONL log, and a
progress line with steps/s and ETA. Only process 0 writes.

`MetricWriter` has the interface of `clu.metric_writers.MetricWriter` (`write_scalars`,
`flush`, `close`) but is not one: importing `clu.metric_writers` (and `clu.periodic_actions`,
which uses it) imports TensorFlow, which traitjax does not depend on.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import time

from absl import logging
import jax
import tensorboardX


_ILLEGAL_TAG_CHARACTERS = re.compile(r"[^A-Za-z0-9_./-]")


def legal_tag(name: str) -> str:
  """`name` as a TensorBoard summary tag: each character outside [A-Za-z0-9_./-] replaced by
  '_' and leading slashes dropped ("test+zeroshot/species_top1" -> "test_zeroshot/species_top1";
  "test/species_top1" stays), as TensorBoard would rename it, with a warning, otherwise."""
  return _ILLEGAL_TAG_CHARACTERS.sub("_", name).lstrip("/")


class MetricWriter:
  """Scalars to `workdir/tensorboard` event files and `workdir/metrics.jsonl`, under the same
  names in both (`legal_tag` of each). A run resumed at `resume_step` first cuts metrics.jsonl
  back to the records up to that step (and a line a crash left half written), so no step
  appears twice."""

  def __init__(self, workdir: str, resume_step: int = 0):
    self.enabled = jax.process_index() == 0
    if self.enabled:
      path = os.path.join(workdir, "metrics.jsonl")
      _cut_back(path, resume_step)
      self._tensorboard = tensorboardX.SummaryWriter(os.path.join(workdir, "tensorboard"))
      self._jsonl = open(path, "a")

  def write_scalars(self, step: int, scalars: dict[str, float]) -> None:
    """Writes the scalars of `step` to both, flushed (a crash loses nothing written)."""
    if not self.enabled:
      return
    scalars = {legal_tag(name): value for name, value in scalars.items()}
    for name, value in scalars.items():
      self._tensorboard.add_scalar(name, value, step)
    self._jsonl.write(json.dumps({"step": step, **scalars}) + "\n")
    self.flush()

  def flush(self) -> None:
    if self.enabled:
      self._jsonl.flush()
      self._tensorboard.flush()

  def close(self) -> None:
    if self.enabled:
      self._tensorboard.close()
      self._jsonl.close()


def _cut_back(path: str, last_step: int) -> None:
  """Keeps the records of the JSONL log at `path` with step <= `last_step`."""
  if not os.path.isfile(path):
    return
  kept = []
  with open(path) as f:
    for line in f:
      try:
        record = json.loads(line)
      except json.JSONDecodeError:
        continue  # Half written by a run that was killed.
      if record.get("step", 0) <= last_step:
        kept.append(line if line.endswith("\n") else line + "\n")
  with open(path, "w") as f:
    f.writelines(kept)


def flatten_scalars(report: dict, prefix: str = "") -> dict[str, float]:
  """The numbers of a nested report as {"key/subkey/...": value} (lists and text left out)."""
  flat = {}
  for key, value in report.items():
    name = f"{prefix}/{key}" if prefix else key
    if isinstance(value, dict):
      flat.update(flatten_scalars(value, name))
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
      flat[name] = float(value)
  return flat


def summary(report: dict) -> str:
  """The top-level numbers of a report in one line ("species_top1=0.8125, num_examples=48"); the
  nested sections are left to the file."""
  numbers = [f"{key}={value:.4g}" for key, value in report.items()
             if isinstance(value, (int, float)) and not isinstance(value, bool)]
  sections = [key for key, value in report.items() if isinstance(value, dict)]
  return ", ".join(numbers) + (f" (and {', '.join(sections)})" if sections else "")


class Progress:
  """Logs `step k/n (p%), x steps/s, ETA h:mm:ss` plus the given scalars (`unit` names what
  is counted in place of steps: `photo k/n (p%), x photos/s, ...`)."""

  def __init__(self, total_steps: int, first_step: int, unit: str = "step"):
    self.total_steps = total_steps
    self.unit = unit
    self._last_step = first_step
    self._last_time = time.perf_counter()

  def report(self, step: int, scalars: dict[str, float]) -> str:
    now = time.perf_counter()
    if step > self._last_step:
      rate = (step - self._last_step) / max(now - self._last_time, 1e-9)
      eta = datetime.timedelta(seconds=round((self.total_steps - step) / max(rate, 1e-9)))
      speed = f"{rate:.2f} {self.unit}s/s, ETA {eta}"
    else:  # No step timed yet (the first one compiles).
      speed = "ETA after the next step"
    self._last_step, self._last_time = step, now
    values = "".join(f", {k}={v:.4g}" for k, v in scalars.items())
    share = 100 * step / self.total_steps
    line = f"{self.unit} {step}/{self.total_steps} ({share:.0f}%), {speed}{values}"
    logging.info(line)
    return line
