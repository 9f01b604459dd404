"""A workdir keeps its run: another config is refused (or its run moved aside, never deleted),
evaluation writes beside training, and only `RESUMABLE` keys may change on resume."""

import hashlib
import json
import pathlib
import threading

import grain
import jax.numpy as jnp
import pytest

from tests import conftest
from traitjax import checkpoints
from traitjax import train


def _smoke_config(name="default"):
  config = conftest.load_config_module(name).get_config("smoke")
  config.data.image_size = 32
  return config


def _digest(folder: pathlib.Path) -> dict[str, str]:
  """sha256 of every file under `folder`, by relative path."""
  return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
          for p in sorted(folder.rglob("*")) if p.is_file()}


def test_config_differences_leave_out_resumable_keys():
  saved = {"train": {"steps": 6, "log_every": 2}, "model": {"mode": "joint"}, "evals": {"a": 1},
           "data": {"species": [1, 2]}}
  config = {"train": {"steps": 60, "log_every": 5}, "model": {"mode": "blackbox"},
            "evals": {"b": 2}, "data": {"species": [1, 2]}, "seed": 1}
  assert checkpoints.config_differences(saved, config) == ["model.mode", "seed"]
  assert checkpoints.config_differences(saved, saved) == []


@pytest.mark.slow
def test_another_config_in_a_trained_workdir_is_refused_and_force_new_run_moves_it_aside(
    tmp_path):
  """The black box in the joint CBM's workdir stops at start naming the keys, leaving every
  checkpoint byte as it was; a longer run of the same config resumes; --force_new_run moves
  the old run to a dated folder beside it and trains afresh."""
  config = _smoke_config()
  workdir = tmp_path / "run"
  first = train.train_and_evaluate(config, str(workdir))
  before = _digest(workdir)

  blackbox = _smoke_config("blackbox")
  with pytest.raises(checkpoints.WorkdirInUse, match=r"differs in model\.mode.*--force_new_run"):
    train.train_and_evaluate(blackbox, str(workdir))
  assert _digest(workdir) == before
  assert not list(tmp_path.glob("run.*"))

  report = train.train_and_evaluate(blackbox, str(workdir), force_new_run=True)
  (aside,) = tmp_path.glob("run.*")
  assert _digest(aside) == before
  assert json.loads((aside / "metrics.json").read_text())["species_top1"] == first["species_top1"]
  assert json.loads((workdir / "metrics.json").read_text()) == json.loads(json.dumps(report))
  assert checkpoints.saved_config(str(workdir)).model.mode == "blackbox"


@pytest.mark.slow
def test_evaluation_writes_beside_training_and_leaves_its_results(tmp_path):
  config = _smoke_config("trait_to_species")
  workdir = tmp_path / "run"
  train.train_and_evaluate(config, str(workdir))
  trained = (workdir / "metrics.json").read_text()
  assert "train_seconds" in json.loads(trained)
  config.evals = {"zeroshot": {"type": "zeroshot", "split": "zeroshot", "section": ""}}
  evaluated = train.evaluate_checkpoint(config, str(workdir), name="unseen")
  assert (workdir / "metrics.json").read_text() == trained
  saved = json.loads((workdir / "eval" / "unseen" / "metrics.json").read_text())
  assert saved == json.loads(json.dumps(evaluated)) and saved["num_unseen_species"] > 0


@pytest.mark.slow
def test_a_run_past_the_asked_length_is_refused(tmp_path):
  config = _smoke_config()
  config.train.steps = 3
  train.train_and_evaluate(config, str(tmp_path))
  config.train.steps = 2
  with pytest.raises(ValueError, match=r"trained to step 3, past train.steps=2"):
    train.train_and_evaluate(config, str(tmp_path))


def test_a_checkpoint_reads_the_data_position_on_the_thread_that_trains(tmp_path):
  # orbax writes an asynchronous checkpoint's items in a background thread, and grain's
  # iterators are not thread-safe: a state read there races the next steps' reads (with input
  # workers it left shared memory behind at exit).
  config = _smoke_config()
  assert config.train.async_checkpoints
  state = {"w": jnp.zeros(2)}
  numbers = grain.MapDataset.range(1000).to_iter_dataset()
  iterator = iter(numbers)
  assert [next(iterator) for _ in range(3)] == [0, 1, 2]
  readers, read_state = [], iterator.get_state

  def get_state():
    readers.append(threading.current_thread())
    return read_state()

  iterator.get_state = get_state
  saving = checkpoints.Checkpoints(str(tmp_path), config)
  saving.save(3, state, iterator)
  assert [next(iterator) for _ in range(200)][-1] == 202
  saving.close()
  assert readers == [threading.current_thread()]
  resumed = iter(numbers)
  restoring = checkpoints.Checkpoints(str(tmp_path), config)
  assert restoring.restore_latest(state, resumed) is not None
  restoring.close()
  assert next(resumed) == 3
