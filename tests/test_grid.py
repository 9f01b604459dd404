"""Tests for traitjax.grid: the grid, per-point configs, resumption and reuse by config
fingerprint, the summary and plot."""

import json
import os

import numpy as np
import ml_collections
import pytest

from tests import conftest
from traitjax import config_lib
from traitjax import grid
from traitjax import losses
from traitjax import train


def test_noise_sweep_points_set_tied_fields_together_and_name_valid_losses():
  config = conftest.load_config_module("noise_sweep").get_config()
  points = grid.points(config.sweep)
  assert len(points) == 4 * 4
  names = set()
  for point in points:
    point_config = grid.point_config(config, point)
    flips = point["data.false_positive,data.false_negative"]
    assert point_config.data.false_positive == point_config.data.false_negative == flips
    assert point_config.data.missing == 0.2
    assert "sweep" not in point_config
    losses.trait_loss(point_config.model.trait_loss, groups=np.zeros(3, int))  # A known loss.
    names.add(grid.point_name(point))
  assert len(names) == len(points)
  assert "false_positive=0.1,name=gce" in names
  assert config.data.false_positive == 0.0  # The base config is left as it was.


def test_the_seeds_variant_repeats_cells_of_the_full_sweep_with_other_seeds_only():
  # Its runs join the full sweep's seed-0 runs of the same cells: a cell outside the full sweep,
  # another config, or seed 0 again would make those means wrong.
  module = conftest.load_config_module("noise_sweep")
  full, seeds = module.get_config(), module.get_config("seeds")
  cells = {json.dumps(grid.point_config(full, point).to_dict(), sort_keys=True)
           for point in grid.points(full.sweep)}
  repeats = grid.points(seeds.sweep)
  assert len(repeats) == 4
  for point in repeats:
    assert point[grid.SEED] != full.seed
    point_config = grid.point_config(seeds, point)
    point_config.seed = full.seed
    assert json.dumps(point_config.to_dict(), sort_keys=True) in cells


def test_an_unknown_axis_field_is_an_error():
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  with pytest.raises(KeyError, match="data.flips"):
    grid.point_config(config, {"data.flips": 0.1})


def _fake_trainer(calls: list):
  """A stand-in for train.train_and_evaluate that appends (point folder, force_new_run) to
  `calls` and writes a report made from the point's config."""

  def fake_train(point_config, workdir, force_new_run=False):
    calls.append((os.path.basename(workdir), force_new_run))
    report = {"trait_auc_visible": 1 - point_config.data.false_positive,
              "trait_auc_table": 0.5, "species_top1": len(point_config.model.trait_loss.name)}
    os.makedirs(workdir, exist_ok=True)
    with open(os.path.join(workdir, "metrics.json"), "w") as f:
      json.dump(report, f)
    return report

  return fake_train


SMOKE_POINTS = ["false_positive=0.0,name=bce", "false_positive=0.0,name=group_noise",
                "false_positive=0.3,name=bce", "false_positive=0.3,name=group_noise"]


def test_run_trains_each_point_once_and_writes_the_section_and_plot(tmp_path, monkeypatch):
  """A point finished with the same config is not trained again (a stopped sweep resumes); the
  section lists every point's metrics in grid order; other sections of metrics.json survive."""
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  calls = []
  monkeypatch.setattr(train, "train_and_evaluate", _fake_trainer(calls))
  (tmp_path / "metrics.json").write_text(json.dumps({"other": 1}))
  point = {"data.false_positive,data.false_negative": 0.0, "model.trait_loss.name": "group_noise"}
  done = tmp_path / grid.point_name(point)
  done.mkdir()
  (done / "metrics.json").write_text(json.dumps(
      {"trait_auc_visible": 0.25, "trait_auc_table": 0.5, "species_top1": 0.0}))
  (done / "sweep_point.json").write_text(json.dumps(
      {"fingerprint": config_lib.fingerprint(grid.point_config(config, point))}))
  section = grid.run(config, str(tmp_path))
  fresh = [name for name in SMOKE_POINTS if name != done.name]
  assert calls == [(name, False) for name in fresh]
  assert section["reused"] == [done.name] and section["computed"] == fresh
  assert [r["trait_auc_visible"] for r in section["results"]] == [1.0, 0.25, 0.7, 0.7]
  summary = json.loads((tmp_path / "metrics.json").read_text())
  assert summary["other"] == 1 and summary["noise_sweep"] == section
  assert section["mean"]["trait_auc_visible"] == pytest.approx((1.0 + 0.25 + 0.7 + 0.7) / 4)
  # Student's t over the 4 points: mean 0.6625, standard error 0.1546, t(0.975, 3) = 3.182.
  low, high = section["interval_95"]["trait_auc_visible"]
  assert (low, high) == (pytest.approx(0.6625 - 0.4921, abs=1e-3),
                         pytest.approx(0.6625 + 0.4921, abs=1e-3))
  assert (tmp_path / "noise_sweep.png").stat().st_size > 10_000
  for name in SMOKE_POINTS:
    saved = json.loads((tmp_path / name / "sweep_point.json").read_text())
    assert len(saved["fingerprint"]) == 16


def test_a_rerun_reuses_unchanged_points_and_recomputes_changed_ones(tmp_path, monkeypatch):
  """The same config again trains nothing; `train.steps` changed trains every point afresh
  (force_new_run) instead of reporting the old numbers."""
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  calls = []
  monkeypatch.setattr(train, "train_and_evaluate", _fake_trainer(calls))
  first = grid.run(config, str(tmp_path))
  assert calls == [(name, False) for name in SMOKE_POINTS]
  assert first["computed"] == SMOKE_POINTS and first["reused"] == []
  calls.clear()
  again = grid.run(conftest.load_config_module("noise_sweep").get_config("smoke"), str(tmp_path))
  assert calls == []
  assert again["reused"] == SMOKE_POINTS and again["computed"] == []
  assert again["results"] == first["results"]
  config.train.steps += 1
  changed = grid.run(config, str(tmp_path))
  assert calls == [(name, True) for name in SMOKE_POINTS]
  assert changed["computed"] == SMOKE_POINTS and changed["reused"] == []
  summary = json.loads((tmp_path / "metrics.json").read_text())
  assert summary["noise_sweep"]["computed"] == SMOKE_POINTS
  calls.clear()
  assert grid.run(config, str(tmp_path))["reused"] == SMOKE_POINTS and calls == []


def test_points_of_an_old_sweep_are_recomputed_and_a_stopped_point_resumes(tmp_path,
                                                                           monkeypatch):
  """A point folder with metrics.json but no sweep_point.json (a sweep from before
  fingerprints) is trained afresh; one whose run stopped before metrics.json, with its config
  unchanged, is trained without force_new_run so it resumes from its checkpoints."""
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  config.sweep.axes = (("data.false_positive,data.false_negative", (0.0, 0.3)),)
  old, stopped = "false_positive=0.0", "false_positive=0.3"
  (tmp_path / old).mkdir()
  (tmp_path / old / "metrics.json").write_text(json.dumps(
      {"trait_auc_visible": 0.25, "trait_auc_table": 0.5, "species_top1": 0.0}))
  (tmp_path / stopped).mkdir()
  (tmp_path / stopped / "sweep_point.json").write_text(json.dumps({"fingerprint": (
      config_lib.fingerprint(grid.point_config(config, {config.sweep.axes[0][0]: 0.3})))}))
  calls = []
  monkeypatch.setattr(train, "train_and_evaluate", _fake_trainer(calls))
  section = grid.run(config, str(tmp_path))
  assert calls == [(old, True), (stopped, False)]
  assert section["computed"] == [old, stopped] and section["reused"] == []
  assert [r["trait_auc_visible"] for r in section["results"]] == [1.0, 0.7]


def test_fingerprint_follows_the_values_not_the_key_order():
  def build():
    return conftest.load_config_module("noise_sweep").get_config("smoke")

  assert config_lib.fingerprint(build()) == config_lib.fingerprint(build())
  assert len(config_lib.fingerprint(build())) == 16
  changed = build()
  changed.train.steps += 1
  assert config_lib.fingerprint(changed) != config_lib.fingerprint(build())
  nested = build()
  nested.model.trait_loss.q = 0.5
  assert config_lib.fingerprint(nested) != config_lib.fingerprint(build())
  one = ml_collections.ConfigDict({"a": 1, "b": {"c": (1, 2), "d": "x"}})
  other = ml_collections.ConfigDict({"b": {"d": "x", "c": (1, 2)}, "a": 1})
  assert config_lib.fingerprint(one) == config_lib.fingerprint(other)
  other.b.c = (2, 1)
  assert config_lib.fingerprint(one) != config_lib.fingerprint(other)


def test_nested_metrics_and_tuple_values(tmp_path, monkeypatch):
  """A metric "a.b" reads a nested report key; axis values that are tuples (held-out species)
  plot as one tick each."""
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  config.sweep.axes = (("data.zeroshot_fraction", (0.1, 0.2)),)
  config.sweep.metrics = ("zeroshot.unseen_top1",)

  def fake_train(point_config, workdir, force_new_run=False):
    del workdir, force_new_run
    return {"zeroshot": {"unseen_top1": point_config.data.zeroshot_fraction * 2}}

  monkeypatch.setattr(train, "train_and_evaluate", fake_train)
  section = grid.run(config, str(tmp_path))
  assert [r["zeroshot.unseen_top1"] for r in section["results"]] == [0.2, 0.4]
  figure = grid.plot({"axes": ["data.heldout_species"], "results": [
      {"point": {"data.heldout_species": (1, 2)}, "m": 0.5},
      {"point": {"data.heldout_species": (3, 4)}, "m": 0.7}]}, ["m"])
  assert [t.get_text() for t in figure.axes[0].get_xticklabels()] == ["(1, 2)", "(3, 4)"]
  config.sweep.metrics = ("zeroshot.seen_top1",)
  with pytest.raises(KeyError, match="zeroshot.seen_top1"):
    grid.run(config, str(tmp_path / "other"))


@pytest.mark.slow
@pytest.mark.skipif(not conftest.CUB25.is_dir(), reason=f"CUB data not found at {conftest.CUB25}")
def test_cub_zeroshot_splits_smoke_trains_each_split_through_the_shared_trainer(tmp_path):
  config = conftest.load_config_module("cub_zeroshot_splits").get_config("smoke")
  assert dict(config.sweep.axes)["data.heldout_species"] == ("2:3", "3:4")
  config.sweep.axes = (("data.heldout_species", ("3:4",)),)  # One point: the loop is tested above.
  config.data.root = str(conftest.CUB25)
  section = grid.run(config, str(tmp_path))
  assert [r["point"]["data.heldout_species"] for r in section["results"]] == ["3:4"]
  for result in section["results"]:
    assert 0 <= result["zeroshot.zeroshot.unseen_top1"] <= 1  # Among one unseen species: 1.
    assert 0 <= result["zeroshot.zeroshot.harmonic_mean"] <= 1  # Seen test photos scored too.
  assert section["mean"]["zeroshot.zeroshot.unseen_top1"] == 1.0
  full = conftest.load_config_module("cub_zeroshot_splits").get_config()
  for heldout in dict(full.sweep.axes)["data.heldout_species"]:
    assert len(set(heldout)) == 5 and set(heldout) <= set(range(1, 26))


@pytest.mark.slow
def test_noise_sweep_smoke_trains_every_point_through_the_shared_trainer(tmp_path):
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  config.data.image_size = 32
  section = grid.run(config, str(tmp_path))
  assert len(section["results"]) == 4
  for result in section["results"]:
    assert 0 <= result["trait_auc_visible"] <= 1
    point_dir = tmp_path / grid.point_name(result["point"])
    saved = json.loads((point_dir / "metrics.json").read_text())
    assert saved["trait_auc_visible"] == result["trait_auc_visible"]
    assert (point_dir / "checkpoints").is_dir()


def test_a_long_point_name_is_cut_and_hashed_into_a_folder_any_file_system_takes(tmp_path):
  species = tuple(f"Quercus species_{i}" for i in range(20))
  name = grid.point_name({"data.heldout_species": species})
  other = grid.point_name({"data.heldout_species": species[:-1] + ("Acer rubrum",)})
  assert len(name) == len(other) == grid.MAX_NAME and name != other
  assert name.startswith("heldout_species=") and name == grid.point_name(
      {"data.heldout_species": species})
  (tmp_path / name).mkdir()  # Under the 255-byte limit of common file systems.
  assert grid.point_name({"data.seed": 3}) == "seed=3"


def test_a_seed_axis_reports_each_point_over_its_seeds_with_a_95_percent_interval(
    tmp_path, monkeypatch):
  """Three seeds of two points: each point's mean over its seeds, and mean +- t(0.975, 2)
  standard errors (4.303 x 0.1 / sqrt(3) for 0.5, 0.6, 0.7); the seed reaches config.seed."""
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  config.sweep.axes = (("data.zeroshot_fraction", (0.1, 0.2)), ("seed", (0, 1, 2)))
  config.sweep.metrics = ("m",)

  def fake_train(point_config, workdir, force_new_run=False):
    del workdir, force_new_run
    return {"m": point_config.data.zeroshot_fraction + 0.4 + 0.1 * point_config.seed}

  monkeypatch.setattr(train, "train_and_evaluate", fake_train)
  section = grid.run(config, str(tmp_path))
  assert len(section["results"]) == 6 and section["axes"][1] == "seed"
  first, second = section["over_seeds"]
  assert first["point"] == {"data.zeroshot_fraction": 0.1} and first["seeds"] == [0, 1, 2]
  assert first["m"]["values"] == pytest.approx([0.5, 0.6, 0.7])
  assert first["m"]["mean"] == pytest.approx(0.6)
  assert first["m"]["interval_95"] == pytest.approx([0.6 - 0.248414, 0.6 + 0.248414], abs=1e-5)
  assert second["m"]["mean"] == pytest.approx(0.7)
  assert os.path.isdir(tmp_path / "zeroshot_fraction=0.2,seed=2")
