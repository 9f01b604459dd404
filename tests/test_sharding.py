"""Data parallelism: more devices, and more processes, compute what one device computes."""

import json
import os
import shutil

import numpy as np
import portpicker
import pytest

from tests import run_main

# SGD: an update is proportional to its gradient, so float summation-order differences between
# device layouts stay at their own size (Adam's first steps divide by |gradient| and can magnify
# the noise of near-zero gradients).
SGD_FLAGS = ("--config.optim.name=sgd", "--config.train.steps=3", "--config.train.log_every=1",
             "--config.input.batch_size=8", "--config.input.num_workers=0")


def _params(prefix, process=0):
  with np.load(f"{prefix}_process{process}.npz") as params:
    return dict(params)


def _max_abs_diff(a, b):
  assert a.keys() == b.keys()
  return max(float(np.max(np.abs(a[k] - b[k]))) for k in a)


def _metrics(workdir, name="metrics.json"):
  """metrics.json (or another report under `workdir`) flattened to {"by_degradation/none": ...,
  "intervention/k/0": ...}, without what only training reports (its wall-clock time and the
  broken training files)."""
  metrics = json.loads((workdir / name).read_text())
  metrics.pop("train_seconds", None)
  metrics.get("num_skipped_by_split", {}).pop("train", None)
  return _flatten(metrics)


def _assert_same_metrics(actual: dict, expected: dict) -> None:
  """The same keys; numbers within 1e-6 relative, anything else (None, names) equal. What
  ranks near-tied values is left out of the numbers: conformal sets (APS sorts each photo's
  species by probability), selective prediction (photos ranked by scores of trust, one of them
  a regression fitted on them) and explanations (traits ranked by contribution); after 3
  steps these are near ties that rounding (1e-7) orders differently."""
  assert actual.keys() == expected.keys()
  for key, value in expected.items():
    if key.startswith(("conformal/", "selective/", "explanations/")):
      continue
    if isinstance(value, (int, float)) and not isinstance(value, bool):
      assert actual[key] == pytest.approx(value, rel=1e-6, nan_ok=True), key
    else:
      assert actual[key] == value, key


def _flatten(tree, prefix=""):
  """Nested dicts and lists of numbers as {"a/b/0": number}."""
  items = tree.items() if isinstance(tree, dict) else enumerate(tree)
  flat = {}
  for key, value in items:
    if isinstance(value, (dict, list)):
      flat.update(_flatten(value, f"{prefix}{key}/"))
    else:
      flat[f"{prefix}{key}"] = value
  return flat


@pytest.mark.slow
def test_four_devices_train_like_one(tmp_path_factory, tmp_path):
  """Three SGD steps with the global batch of 8 split over 4 CPU devices end within 1e-5 of the
  same steps on 1 device (parameters and logged losses), and both runs trained (the loss
  changed from step to step)."""
  cache = run_main.compilation_cache_dir(tmp_path_factory)
  params, records = {}, {}
  for devices in (1, 4):
    workdir = tmp_path / f"devices{devices}"
    log = run_main.run(run_main.command(
        workdir, *SGD_FLAGS, "--config.train.checkpoint_every=3",
        f"--dump_params={tmp_path}/params{devices}", hooks=True),
        run_main.environment(cache, devices)).stderr
    assert f"process 0 of 1, {devices} local of {devices} devices (cpu)" in log
    params[devices] = _params(tmp_path / f"params{devices}")
    records[devices] = [r for r in run_main.read_jsonl(workdir / "metrics.jsonl")
                        if "train/loss" in r]
  assert len(params[1]) > 10
  assert _max_abs_diff(params[1], params[4]) <= 1e-5
  losses = {d: np.array([r["train/loss"] for r in records[d]]) for d in records}
  assert len(losses[1]) == len(losses[4]) == 3
  np.testing.assert_allclose(losses[4], losses[1], rtol=1e-5)
  assert len(set(losses[1].tolist())) == 3


@pytest.mark.slow
def test_two_processes_train_and_evaluate_like_one(tmp_path_factory, tmp_path):
  """Two processes joined by jax.distributed on localhost (1 CPU device each, each reading its
  own rows of every global batch) against one process with 2 devices reading everything: both
  hosts hold the same parameters, equal to the single process's within 1e-5; the logs and
  metrics.json (one writer) are the same; and evaluating a checkpoint with --mode=eval on two
  processes (each an exact share of the test split) reproduces the single process's metrics."""
  cache = run_main.compilation_cache_dir(tmp_path_factory)
  flags = ("--config.train.steps=3", "--config.train.log_every=1",
           "--config.input.num_workers=0")
  two, one = tmp_path / "two", tmp_path / "one"
  port = portpicker.pick_unused_port()
  distributed = [f"--coordinator=localhost:{port}", "--num_processes=2"]
  logs = run_main.run_together(
      [run_main.command(two, *flags, *distributed, f"--process_id={i}",
                        f"--dump_params={tmp_path}/two", hooks=True) for i in range(2)],
      [run_main.environment(cache, 1)] * 2)
  for i, log in enumerate(logs):
    assert f"process {i} of 2, 1 local of 2 devices (cpu)" in log
  run_main.run(run_main.command(one, *flags, f"--dump_params={tmp_path}/one", hooks=True),
               run_main.environment(cache, 2))

  host0, host1 = _params(tmp_path / "two", 0), _params(tmp_path / "two", 1)
  assert _max_abs_diff(host0, host1) == 0
  assert _max_abs_diff(host0, _params(tmp_path / "one")) <= 1e-5

  two_records = run_main.read_jsonl(two / "metrics.jsonl")
  one_records = run_main.read_jsonl(one / "metrics.jsonl")
  assert [r["step"] for r in two_records] == [1, 2, 3, 3]
  for a, b in zip(two_records[:3], one_records[:3]):
    assert a.keys() == b.keys()
    np.testing.assert_allclose([a[k] for k in a], [b[k] for k in a], rtol=1e-5)
  _assert_same_metrics(_metrics(two), _metrics(one))
  assert _metrics(one)["num_examples"] == 48

  # The same checkpoint evaluated by two processes and by one.
  evaluated = tmp_path / "evaluated"
  shutil.copytree(one / "checkpoints", evaluated / "checkpoints")
  port = portpicker.pick_unused_port()
  run_main.run_together(
      [run_main.command(evaluated, *flags, "--mode=eval", f"--coordinator=localhost:{port}",
                        "--num_processes=2", f"--process_id={i}") for i in range(2)],
      [run_main.environment(cache, 1)] * 2)
  evaluation = "eval/default-smoke/metrics.json"  # Named after the config and its variant.
  _assert_same_metrics(_metrics(evaluated, evaluation), _metrics(one))
  assert sorted(os.listdir(evaluated / "checkpoints")) == ["3"]  # Nothing set aside.
