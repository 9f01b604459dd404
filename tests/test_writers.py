"""Metrics out (traitjax.writers): the same legal names in metrics.jsonl and TensorBoard, and
the progress line."""

import json
import logging
import time

from tests import run_main
from traitjax import writers


def test_scalars_get_legal_names_in_both_logs_without_a_tensorboard_warning(tmp_path, caplog):
  """A split joined by "+" is no legal TensorBoard tag: it is written with "_" instead, in the
  event file and metrics.jsonl alike; legal names are left as they are."""
  writer = writers.MetricWriter(str(tmp_path))
  with caplog.at_level(logging.DEBUG):
    writer.write_scalars(3, {"test/species_top1": 0.5, "test+zeroshot/species_top1": 0.25,
                     "test+zeroshot/zeroshot/harmonic_mean": 0.125})
  writer.close()
  names = ["test/species_top1", "test_zeroshot/species_top1",
           "test_zeroshot/zeroshot/harmonic_mean"]
  (record,) = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert list(record) == ["step", *names]
  assert run_main.tensorboard_scalars(tmp_path / "tensorboard") == {
      (3, "test/species_top1"): 0.5, (3, "test_zeroshot/species_top1"): 0.25,
      (3, "test_zeroshot/zeroshot/harmonic_mean"): 0.125}
  assert not [r for r in caplog.records if "illegal" in r.getMessage()]
  assert writers.legal_tag("/a b+c/d.e-f_g") == "a_b_c/d.e-f_g"


def test_progress_times_steps_from_the_end_of_the_first_one():
  """The first step compiles: the line at the step timing starts from gives no rate, and the
  next line's rate counts only the steps since, not the compile time before them."""
  progress = writers.Progress(total_steps=100, first_step=10)
  time.sleep(0.05)
  assert "ETA after the next step" in progress.report(10, {"loss": 1.0})
  line = progress.report(20, {"loss": 0.5})
  rate = float(line.split("), ")[1].split(" steps/s")[0])
  assert rate > 100  # 10 steps in well under 0.05 s: the sleep before step 10 is not counted.
