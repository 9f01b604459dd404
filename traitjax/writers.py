"""Metrics out: TensorBoard event files (tensorboardX, no TensorFlow), a JSONL log, and a
progress line with steps/s and ETA. Only process 0 writes."""

from __future__ import annotations

import datetime
import json
import logging as std_logging
import os
import time

from absl import logging
import jax
import tensorboardX


class _QuietCheckpointer(std_logging.Filter):
  """Keeps orbax's per-save INFO chatter out of the log; its warnings and errors stay."""

  def filter(self, record: std_logging.LogRecord) -> bool:
    return record.levelno >= std_logging.WARNING or "/orbax/" not in record.pathname


def quiet_checkpoint_logs() -> None:
  """Filters orbax's INFO lines out of the absl log (entry points call this once)."""
  logging.get_absl_handler().addFilter(_QuietCheckpointer())


class MetricWriter:
  """Scalars to `workdir/tensorboard` event files and `workdir/metrics.jsonl`."""

  def __init__(self, workdir: str):
    self.enabled = jax.process_index() == 0
    if self.enabled:
      self._tensorboard = tensorboardX.SummaryWriter(os.path.join(workdir, "tensorboard"))
      self._jsonl = open(os.path.join(workdir, "metrics.jsonl"), "a")

  def write(self, step: int, scalars: dict[str, float]) -> None:
    if not self.enabled:
      return
    for name, value in scalars.items():
      self._tensorboard.add_scalar(name, value, step)
    self._jsonl.write(json.dumps({"step": step, **scalars}) + "\n")
    self._jsonl.flush()
    self._tensorboard.flush()

  def close(self) -> None:
    if self.enabled:
      self._tensorboard.close()
      self._jsonl.close()


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


class Progress:
  """Logs `step k/n (p%), x steps/s, ETA h:mm:ss` plus the given scalars."""

  def __init__(self, total_steps: int, first_step: int):
    self.total_steps = total_steps
    self._last_step = first_step
    self._last_time = time.perf_counter()

  def report(self, step: int, scalars: dict[str, float]) -> str:
    now = time.perf_counter()
    rate = (step - self._last_step) / max(now - self._last_time, 1e-9)
    self._last_step, self._last_time = step, now
    eta = datetime.timedelta(seconds=round((self.total_steps - step) / max(rate, 1e-9)))
    values = ", ".join(f"{k}={v:.4g}" for k, v in scalars.items())
    line = (f"step {step}/{self.total_steps} ({100 * step / self.total_steps:.0f}%), "
            f"{rate:.2f} steps/s, ETA {eta}, {values}")
    logging.info(line)
    return line
