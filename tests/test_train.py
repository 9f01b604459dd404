"""The trainer end to end: reports, logs, checkpoints, exact resumption and divergence."""

import dataclasses
import json
import logging
import os
import pathlib
import signal
import subprocess
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from tests import conftest
from tests import run_main
from traitjax import config_lib
from traitjax import periodic_actions
from traitjax import tasks
from traitjax import train
from traitjax.data import cub
from traitjax.data import schema
from traitjax.data import sources
from traitjax.tasks import concepts

pytestmark = pytest.mark.slow  # Each trains smoke runs of several steps.

REPORT_KEYS = {"species_top1", "species_top5", "trait_auc_table", "trait_auc_visible",
               "by_frequency_bin", "by_degradation", "num_examples", "num_skipped"}
# A failed orbax restore leaves tensorstore callbacks aimed at its closed event loop.
QUIET_FAILED_RESTORE = pytest.mark.filterwarnings(
    "ignore::pytest.PytestUnraisableExceptionWarning")


def _smoke_config(name="default"):
  config = conftest.load_config_module(name).get_config("smoke")
  config.data.image_size = 32
  return config


def _all_finite(tree):
  return all(np.isfinite(np.asarray(leaf)).all() for leaf in jax.tree.leaves(tree)
             if np.issubdtype(np.asarray(leaf).dtype, np.inexact))


def _checkpoint_steps(workdir):
  return sorted(int(p) for p in os.listdir(os.path.join(workdir, "checkpoints")) if p.isdigit())


def _corrupt_arrays(checkpoint):
  """Truncates the array data files (OCDBT `d/` chunks) of a saved train state."""
  files = [p for p in pathlib.Path(checkpoint, "state").rglob("*")
           if p.is_file() and p.parent.name == "d"]
  assert files, f"no array data files under {checkpoint}/state"
  for path in files:
    path.write_bytes(path.read_bytes()[:10])


def test_smoke_run_writes_report_jsonl_tensorboard_and_checkpoints(tmp_path):
  """train_and_evaluate on the smoke config returns and writes metrics.json with every report
  key (one pass over the whole test split), logs the train windows to metrics.jsonl and the same
  numbers to TensorBoard event files without importing TensorFlow, and keeps checkpoints 3 and
  6 of the joint model (species head on the traits)."""
  config = _smoke_config()
  workdir = tmp_path / "smoke"
  report = train.train_and_evaluate(config, str(workdir))

  metrics = json.loads((workdir / "metrics.json").read_text())
  assert REPORT_KEYS <= set(metrics)
  assert metrics == json.loads(json.dumps(report))
  assert metrics["num_examples"] == len(sources.make_source(config.data, "test")) > 0
  assert metrics["num_skipped"] == 0
  assert 0 <= metrics["species_top1"] <= metrics["species_top5"] <= 1
  assert 0 < metrics["trait_auc_table"] < 1 and 0 < metrics["trait_auc_visible"] < 1
  assert set(metrics["by_frequency_bin"]) <= {"head", "mid", "tail"}
  assert set(metrics["by_degradation"]) <= set(schema.DEGRADATIONS)

  records = run_main.read_jsonl(workdir / "metrics.jsonl")
  train_records = [r for r in records if "train/loss" in r]
  # log_every 2, checkpoint_every 3 and the last step.
  assert [r["step"] for r in train_records] == [2, 3, 4, 6]
  for record in train_records:
    assert np.isfinite(record["train/loss"]) and record["train/loss"] > 0
    assert record["train/nonfinite_steps"] == 0
  assert records[-1]["step"] == 6
  assert records[-1]["test/species_top1"] == metrics["species_top1"]
  assert records[-1]["test/num_examples"] == metrics["num_examples"]

  tensorboard = run_main.tensorboard_scalars(workdir / "tensorboard")
  logged = {(r["step"], k): v for r in records for k, v in r.items() if k != "step"}
  assert set(tensorboard) == set(logged)
  for key, value in logged.items():
    assert tensorboard[key] == pytest.approx(value, rel=1e-6), key
  assert "tensorflow" not in sys.modules

  assert _checkpoint_steps(workdir) == [3, 6]
  state = run_main.restore_state(workdir, 6)
  assert int(state["step"]) == 6
  num_traits = len(sources.make_source(config.data, "train").trait_table.traits)
  assert state["params"]["species_head"]["kernel"].shape[0] == num_traits


def test_blackbox_smoke_config_runs(tmp_path):
  """configs/blackbox.py:smoke trains and evaluates; its species head reads the backbone
  features (as wide as the trait probe's input), not the traits."""
  config = _smoke_config("blackbox")
  workdir = tmp_path / "blackbox"
  train.train_and_evaluate(config, str(workdir))
  metrics = json.loads((workdir / "metrics.json").read_text())
  assert REPORT_KEYS <= set(metrics)
  assert metrics["num_examples"] == len(sources.make_source(config.data, "test"))
  params = run_main.restore_state(workdir, config.train.steps)["params"]
  features = params["trait_head"]["kernel"].shape[0]
  num_traits = params["trait_head"]["kernel"].shape[1]
  assert params["species_head"]["kernel"].shape[0] == features != num_traits


def test_trait_to_species_smoke_config_reports_zero_shot_and_evaluates_again(tmp_path):
  """configs/trait_to_species.py:smoke trains the table head through the shared trainer;
  metrics.json gets the seen+unseen evaluation with its zeroshot section, and --mode=eval of
  the checkpoint reproduces the report."""
  config = _smoke_config("trait_to_species")
  workdir = tmp_path / "taxonomist"
  report = train.train_and_evaluate(config, str(workdir))
  joined = report["test+zeroshot"]
  assert REPORT_KEYS <= set(report) and REPORT_KEYS <= set(joined)
  flora_config = sources.make_source(config.data, "zeroshot")
  unseen = int((~flora_config.seen_species).sum())
  assert joined["zeroshot"]["num_unseen_species"] == unseen > 0
  assert set(joined["zeroshot"]) == {
      "unseen_top1", "seen_accuracy", "unseen_accuracy", "harmonic_mean", "ausuc",
      "best_harmonic_mean", "per_photo", "num_unseen_species", "num_unseen_photos",
      "num_seen_species", "num_seen_photos", "few_shot"}
  few_shot = joined["zeroshot"]["few_shot"]
  assert set(few_shot) == {"1_shot"}  # 3 photos per unseen species: 5 shots leave none to score.
  # Every photo but the shots is scored, the seen ones before and after the refinement.
  assert few_shot["1_shot"]["num_scored"] == joined["num_examples"] - unseen
  assert {"seen_accuracy", "harmonic_mean"} <= set(few_shot["1_shot"]["zeroshot"])
  assert joined["num_examples"] == report["num_examples"] + len(flora_config)
  params = run_main.restore_state(workdir, config.train.steps)["params"]
  assert set(params["species_head"]) == {"sensitivity", "false_alarm", "empty_cell",
                                         "log_temperature"}
  # The table head's own loss term is logged beside the others.
  logged = [r for r in run_main.read_jsonl(workdir / "metrics.jsonl") if "train/loss" in r]
  assert logged and all(np.isfinite(r["train/reliability_loss"]) for r in logged)
  evaluated = train.evaluate_checkpoint(config, str(workdir))
  assert evaluated["test+zeroshot"]["zeroshot"] == joined["zeroshot"]
  assert evaluated["species_top1"] == report["species_top1"]


@QUIET_FAILED_RESTORE
def test_corrupt_newest_checkpoint_falls_back_to_the_one_before(tmp_path, caplog):
  """With checkpoint 6 unreadable, a longer rerun logs the fallback, moves 6 aside to
  checkpoints/unreadable_6, resumes from 3 (its first step, 4, has the loss step 4 had in the
  first run) and ends with a readable checkpoint 9."""
  caplog.set_level(logging.INFO)
  config = _smoke_config()
  workdir = tmp_path / "run"
  train.train_and_evaluate(config, str(workdir))
  assert _checkpoint_steps(workdir) == [3, 6]
  first = run_main.read_jsonl(workdir / "metrics.jsonl")
  _corrupt_arrays(workdir / "checkpoints" / "6")

  config.train.steps = 9
  caplog.clear()
  train.train_and_evaluate(config, str(workdir))
  messages = [r.getMessage() for r in caplog.records]
  assert any(m.startswith("checkpoint 6 is unreadable") for m in messages)
  assert any(m.startswith("resumed from checkpoint 3 ") for m in messages)
  assert (workdir / "checkpoints" / "unreadable_6" / "state").is_dir()
  assert _checkpoint_steps(workdir) == [6, 9]

  # The log is cut back to step 3, where the run resumed: no step appears twice.
  records = run_main.read_jsonl(workdir / "metrics.jsonl")
  assert records[:2] == first[:2] and [r["step"] for r in records[:2]] == [2, 3]
  second_train = [r for r in records[2:] if "train/loss" in r]
  assert [r["step"] for r in second_train] == [4, 6, 8, 9]
  first_step4 = next(r for r in first if r["step"] == 4 and "train/loss" in r)
  # The same batch and parameters (the learning rate follows the longer schedule).
  differing = {k for k in first_step4 if second_train[0][k] != first_step4[k]}
  assert differing == {"train/learning_rate"}

  state = run_main.restore_state(workdir, 9)
  assert int(state["step"]) == 9 and _all_finite(state)
  assert json.loads((workdir / "metrics.json").read_text())["num_examples"] > 0


@QUIET_FAILED_RESTORE
def test_unreadable_only_checkpoint_restarts_from_scratch_on_fresh_data(tmp_path, caplog):
  """When no checkpoint is readable the run starts over from step 1 and sees the batches a
  fresh run sees (the unreadable checkpoint's data position is not kept)."""
  caplog.set_level(logging.WARNING)
  config = _smoke_config()
  config.train.steps = 3
  config.train.log_every = 1
  workdir = tmp_path / "run"
  train.train_and_evaluate(config, str(workdir))
  first = [r for r in run_main.read_jsonl(workdir / "metrics.jsonl") if "train/loss" in r]
  _corrupt_arrays(workdir / "checkpoints" / "3")
  train.train_and_evaluate(config, str(workdir))
  assert any(r.getMessage().startswith("checkpoint 3 is unreadable") for r in caplog.records)
  records = [r for r in run_main.read_jsonl(workdir / "metrics.jsonl") if "train/loss" in r]
  assert records == first  # The first run's log is cut back to step 0 and logged anew.
  assert (workdir / "checkpoints" / "unreadable_3").is_dir()


def test_huge_learning_rate_stops_before_saving_a_nonfinite_state(tmp_path):
  """A learning rate of 1e30 without effective clipping blows up within a few steps: the run
  raises TrainingDiverged naming the step, and every checkpoint left (one per step) restores to
  a finite train state; nothing of the diverged step is logged."""
  config = _smoke_config()
  config.optim.learning_rate = 1e30
  config.optim.grad_clip_norm = 1e30
  config.train.steps = 8
  config.train.log_every = 1
  config.train.checkpoint_every = 1
  config.train.max_checkpoints_to_keep = 10
  workdir = tmp_path / "run"
  with pytest.raises(periodic_actions.TrainingDiverged) as raised:
    train.train_and_evaluate(config, str(workdir))
  message = str(raised.value)
  bad_step = int(message.split("between steps ")[1].split(" and ")[0])
  assert f"between steps {bad_step} and {bad_step}:" in message
  assert 1 < bad_step < 8
  assert str(workdir / "checkpoints") in message

  assert _checkpoint_steps(workdir) == list(range(1, bad_step))
  for step in range(1, bad_step):
    state = run_main.restore_state(workdir, step)
    assert int(state["step"]) == step and _all_finite(state), step
  records = run_main.read_jsonl(workdir / "metrics.jsonl")
  assert [r["step"] for r in records] == list(range(1, bad_step))
  assert not (workdir / "metrics.json").exists()


@dataclasses.dataclass(frozen=True)
class _NanLossFromStep5(concepts.ConceptsTask):
  """The CBM task whose loss turns NaN from step 5 on (its gradients stay finite); it counts
  its steps in a model-state collection, as any task may keep state."""

  def init(self, rng, batch):
    return {**super().init(rng, batch), "counter": {"steps": jnp.zeros((), jnp.int32)}}

  def loss(self, params, model_state, batch, rng):
    counter = model_state["counter"]["steps"] + 1
    cbm_state = {k: v for k, v in model_state.items() if k != "counter"}
    total, (new_state, measurements) = super().loss(params, cbm_state, batch, rng)
    new_state = {**new_state, "counter": {"steps": counter}}
    return jnp.where(counter >= 5, jnp.nan, total), (new_state, measurements)


def test_nan_loss_stops_at_the_next_log_and_keeps_the_last_checkpoint(tmp_path, monkeypatch):
  """A loss that turns NaN from step 5 on (gradients stay finite) is caught at the next log
  point (step 6, also a checkpoint step): TrainingDiverged names steps 5 and 6, checkpoint 6 is
  never written, and checkpoint 3 restores to finite parameters."""
  monkeypatch.setitem(tasks.TASKS, "nan_from_step_5", _NanLossFromStep5)
  config = _smoke_config()
  config.task = "nan_from_step_5"
  config.train.steps = 9
  workdir = tmp_path / "run"
  with pytest.raises(periodic_actions.TrainingDiverged, match="between steps 5 and 6:"):
    train.train_and_evaluate(config, str(workdir))
  assert _checkpoint_steps(workdir) == [3]
  state = run_main.restore_state(workdir, 3)
  assert _all_finite(state["params"])
  assert [r["step"] for r in run_main.read_jsonl(workdir / "metrics.jsonl")] == [2, 3, 4]


def test_resume_after_sigkill_is_exact(tmp_path_factory, tmp_path):
  """`python -m traitjax.main` killed with SIGKILL at step 8 (checkpoint 6 complete, 9 not
  begun) and restarted with the same command ends bit-identical to an uninterrupted run: the
  same train state in checkpoint 12, the same data-iterator state, and the same logged losses
  for every step, including the steps redone after the resume."""
  env = run_main.environment(run_main.compilation_cache_dir(tmp_path_factory))
  run_main.assert_sigkill_resumes_exactly(tmp_path, env)


def test_intervention_with_every_trait_corrected_reaches_the_trait_truth_accuracy(tmp_path):
  """Smoke CBM with intervention: metrics.json has species top-1 per k; k = 0 is the plain
  top-1, and correcting every trait gives the species head the visible truth."""
  config = _smoke_config()
  config.evals.intervention.ks = (0, 2, 1000)
  report = train.train_and_evaluate(config, str(tmp_path / "cbm"))
  curve = report["intervention"]
  assert curve["k"] == [0, 2, 1000]
  assert curve["species_top1"][0] == report["species_top1"]
  assert all(0 <= v <= 1 for v in curve["species_top1"])
  blackbox = _smoke_config()
  blackbox.model.mode = "blackbox"  # Its species head reads no traits: skipped, with a warning.
  assert "intervention" not in train.train_and_evaluate(blackbox, str(tmp_path / "blackbox"))


CUB_ROOT = conftest.CUB25


@pytest.mark.skipif(not CUB_ROOT.is_dir(), reason=f"CUB data not found at {CUB_ROOT}")
def test_cub_smoke_trains_the_cosine_head_and_names_species_of_another_root(tmp_path):
  """configs/cub.py:smoke with the centred-cosine species head (pretrained frozen backbone,
  intervention against the species rows) trains; configs/cub_open_world.py:smoke then evaluates
  its checkpoint on its test photos, the photos of its held-out species and those of two
  species of a root the test writes, all named among every row (one of them replaced from a
  CSV); a config whose model does not match leaves the checkpoints in place."""
  from tests.data import test_cub  # pylint: disable=g-import-not-at-top
  config = conftest.load_config_module("cub").get_config("smoke")
  config.data.root = str(CUB_ROOT)
  config.model.species_head = "cosine"
  workdir = tmp_path / "cub"
  report = train.train_and_evaluate(config, str(workdir))
  assert REPORT_KEYS <= set(report) and report["num_examples"] > 0
  assert report["intervention"]["k"] == list(config.evals.intervention.ks)
  occlusion = report["occlusion"]  # Eight photos' cited traits, each hidden at its part.
  assert occlusion["num_photos"] == 8 and occlusion["side"] == 0.25
  assert occlusion["num_tests"] == sum(kind["num_tests"] for kind in
                                       occlusion["by_kind"].values())
  if occlusion["num_tests"]:
    low, high = occlusion["trait_drop_difference_interval"]
    assert -1 <= low <= occlusion["trait_drop_difference"] <= high <= 1
  world = conftest.load_config_module("cub_open_world").get_config("smoke")
  world.data.root = str(CUB_ROOT)
  world.data.new_root = str(test_cub.copy_species(CUB_ROOT, tmp_path / "new", {7, 8}))
  added = sources.make_source(world.data, "zeroshot")
  table = added.trait_table
  assert table.species[3:] == ("004.Groove_billed_Ani", "007.Parakeet_Auklet",
                               "008.Rhinoceros_Auklet")
  assert list(added.seen_species) == [True] * 3 + [False] * 3
  assert set(added.labels) == {3, 4, 5}  # The held-out species and the two added ones.
  replaced = schema.TraitTable(np.full((1, table.num_traits), 0.5, np.float32),
                               species=("Rhinoceros Auklet",), traits=table.traits)
  replaced.to_csv(tmp_path / "rows.csv")
  world.model.species_rows = str(tmp_path / "rows.csv")
  evaluated = train.evaluate_checkpoint(world, str(workdir))
  assert evaluated["zeroshot"]["zeroshot"]["num_unseen_species"] == 3
  assert 0 <= evaluated["zeroshot"]["zeroshot"]["unseen_top1"] <= 1
  scored = evaluated["open_world"]
  assert scored["num_unseen_photos"] == len(added) and scored["num_unseen_species"] == 3
  assert scored["num_seen_photos"] == evaluated["num_examples"]
  assert 0 <= scored["harmonic"] <= 1 and scored["fitted"]["num_fit"] > 0
  # Real bird photos explained: text, JSON and chart say one thing of every trait.
  from tests.explain import consistency  # pylint: disable=g-import-not-at-top
  from traitjax.explain import photos  # pylint: disable=g-import-not-at-top
  index = photos.explain(str(workdir), str(tmp_path / "explained"), split="test", num=3,
                         top_k=3, num_prototypes=1)
  for photo in index["photos"]:
    record = json.loads((tmp_path / "explained" / f"{photo['name']}.json").read_text())
    assert consistency.disagreements(record) == [], photo["name"]
  mismatched = conftest.load_config_module("cub_open_world").get_config("smoke")
  mismatched.data.root = str(CUB_ROOT)
  mismatched.model.species_head = "linear"
  with pytest.raises(FileNotFoundError, match="could be read with this config"):
    train.evaluate_checkpoint(mismatched, str(workdir))
  assert _checkpoint_steps(workdir) == [2, 4]


def test_actions_see_every_step_and_evaluators_with_a_period_run_during_training(tmp_path):
  """An action passed to train_and_evaluate is called after every step, after the loop's own
  (a step the log action is due at is already logged); an evaluator with `every` logs its scalars under
  its name at its multiples before the end, stays out of metrics.json's other sections, and is
  evaluated once more at the end; the profiler traces the steps it is asked for."""
  config = _smoke_config()
  config.evals.val = config_lib.eval_config("classification", "val", every=2)
  config.train.profile_start_step = 2
  config.train.profile_num_steps = 2
  workdir = tmp_path / "run"
  seen = []

  def record(step, state, measurements):
    logged = run_main.read_jsonl(workdir / "metrics.jsonl")
    seen.append((step, int(state.step), sorted(measurements), logged[-1]["step"] if logged else 0))

  report = train.train_and_evaluate(config, str(workdir), actions=[record])
  assert [s[0] for s in seen] == [s[1] for s in seen] == [1, 2, 3, 4, 5, 6]
  assert seen[0][2] == ["grad_norm", "learning_rate", "loss", "nonfinite_steps",
                        "species_accuracy", "species_loss", "trait_loss"]
  assert [s[3] for s in seen] == [0, 2, 3, 4, 4, 6]  # log_every 2, checkpoint_every 3.
  records = run_main.read_jsonl(workdir / "metrics.jsonl")
  val_steps = [r["step"] for r in records if "val/species_top1" in r]
  assert val_steps == [2, 4, 6]  # Every 2 steps, and the final evaluation.
  assert report["val"]["num_examples"] == len(sources.make_source(config.data, "val"))
  assert report["val"]["species_top1"] is not None and "intervention" not in report["val"]
  assert list((workdir / "profile").rglob("*.xplane.pb"))


@pytest.mark.skipif(not CUB_ROOT.is_dir(), reason=f"CUB data not found at {CUB_ROOT}")
def test_every_broken_file_is_counted_once_in_its_split(tmp_path):
  """A CUB root of two species with 2 broken training photos, 2 broken val photos and 1 broken
  test photo: training meets the broken ones in several epochs and counts each once, the val
  pass (the trust fit's) and the test pass count theirs, and the run trains on the rest."""
  from tests.data import test_cub  # pylint: disable=g-import-not-at-top
  root = test_cub._copy_layout(CUB_ROOT, tmp_path / "cub", num_images=120)
  config = conftest.load_config_module("cub").get_config("smoke")
  dataset = cub.CubDataset(root, species=(1, 2), val_fraction=config.data.val_fraction)
  broken = [*dataset.split_indices("train")[[0, 5]], *dataset.split_indices("val")[[1, 2]],
            dataset.split_indices("test")[3]]
  for example in broken:
    test_cub._replace(dataset, example, lambda path: path.write_text("not a JPEG"))
  del config.data["heldout_species"]  # Positions in the smoke config; none held out here.
  config.data.update(root=str(root), species="0:2", heldout_species=(), image_size=32)
  config.model.update(backbone="resnet_small", pretrained="")
  config.train.steps = 20  # Over 2 epochs of the ~60 training photos.
  del config.evals["intervention"]
  report = train.train_and_evaluate(config, str(tmp_path / "run"))
  assert report["num_skipped_by_split"] == {"test": 1, "train": 2, "val": 2}
  assert report["num_skipped"] == 1  # The test split's, beside its num_examples.
  assert report["num_examples"] == len(dataset.split_indices("test")) - 1


def test_sigint_stops_at_a_step_with_a_checkpoint_and_the_rerun_is_identical(
    tmp_path_factory, tmp_path):
  """SIGINT at a random step of `python -m traitjax.main`: one line on stderr besides the log
  ("stopped at step N ..."), exit status 130, a checkpoint of step N with no temporary folder
  left; the same command then finishes with the train state, metrics.jsonl (each step once)
  and metrics.json of an uninterrupted run."""
  env = run_main.environment(run_main.compilation_cache_dir(tmp_path_factory))
  flags = ("--config.train.steps=40", "--config.train.checkpoint_every=5",
           "--config.train.log_every=1")
  uninterrupted, interrupted = tmp_path / "a", tmp_path / "b"
  run_main.run(run_main.command(uninterrupted, *flags), env)
  stop_after = int(np.random.default_rng().integers(2, 11))
  proc = subprocess.Popen(run_main.command(interrupted, *flags, verbose=False), env=env,
                          cwd=run_main.REPO,
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
  try:
    deadline = time.monotonic() + 120
    log = interrupted / "metrics.jsonl"
    while not (log.is_file() and any(r["step"] >= stop_after for r in run_main.read_jsonl(log))):
      assert proc.poll() is None, f"run exited with {proc.returncode} before step {stop_after}"
      assert time.monotonic() < deadline, f"run did not reach step {stop_after}"
      time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
  finally:
    if proc.poll() is None:
      proc.kill()
      proc.wait()
  assert proc.returncode == 130, stderr[-3000:]
  said = [line for line in stderr.splitlines() if not run_main.is_log_line(line)]
  assert len(said) == 1 and said[0].startswith("traitjax: stopped at step "), said
  stopped = int(said[0].split("stopped at step ")[1].split()[0])
  assert stopped < 40 and stopped in _checkpoint_steps(interrupted)
  assert not list((interrupted / "checkpoints").glob("*tmp*"))

  run_main.run(run_main.command(interrupted, *flags), env)
  a_state = run_main.restore_state(uninterrupted, 40)
  b_state = run_main.restore_state(interrupted, 40)
  for (path, a), b in zip(jax.tree_util.tree_leaves_with_path(a_state),
                          jax.tree.leaves(b_state)):
    assert np.array_equal(np.asarray(a), np.asarray(b)), jax.tree_util.keystr(path)
  a_records = run_main.read_jsonl(uninterrupted / "metrics.jsonl")
  b_records = run_main.read_jsonl(interrupted / "metrics.jsonl")
  assert b_records == a_records
  a_metrics = json.loads((uninterrupted / "metrics.json").read_text())
  b_metrics = json.loads((interrupted / "metrics.json").read_text())
  for metrics in (a_metrics, b_metrics):
    metrics.pop("train_seconds")
  assert a_metrics == b_metrics


def test_the_parameter_table_totals_integers_when_the_first_parameter_is_a_scalar():
  table = train._parameter_table({"scale": jnp.zeros(()), "dense": {"kernel": jnp.ones((3, 4))}})
  assert table.splitlines()[-1] == "total: 13 parameters, 52 bytes"
