"""The feature cache (traitjax.feature_cache): entries equal to the backbone's output and keyed by
the photo and the backbone, a changed photo recomputed, a cut-short entry recomputed with one
warning, a corrupt one and a full disk each one line, two processes filling one cache alike, the
cache refused in one line where the backbone's output changes, and cached training that gives
the uncached metrics and resumes exactly."""

import errno
import json
import logging
import os
import sys

import numpy as np
from PIL import Image
import pytest

from tests import conftest
from tests import run_main
from tests import test_eurosat_configs
from traitjax import feature_cache
from traitjax import optim
from traitjax import sharding
from traitjax import tasks
from traitjax import train
from traitjax.data import degrade
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources


def _config(tree, cache, **fields):
  """configs/eurosat.py:smoke on `tree` with a small ResNet frozen whole, batch norm included,
  at 32 px, its cache in `cache`."""
  config = test_eurosat_configs._smoke("eurosat", tree)  # pylint: disable=protected-access
  config.data.image_size = 32
  config.optim.frozen = ("backbone",)
  config.optim.lr_multipliers = ()
  config.model.frozen_batch_norm = True
  config.input.feature_cache = str(cache)
  for field, value in fields.items():
    section, key = field.split("__")
    config[section][key] = value
  return config


@pytest.fixture
def tree(tmp_path):
  """Three EuroSAT classes of four tiles, written for each test (tests change photos)."""
  return test_eurosat_configs._write_tree(  # pylint: disable=protected-access
      tmp_path / "eurosat", test_eurosat_configs.CLASSES[:3], 4)


def _open(config, workdir="/unused/workdir"):
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  state, _ = optim.initial_state(task, source, config, sharding.make_mesh())
  return feature_cache.open_for_run(config, workdir, task, state, source), task, state, source


def _entries(cache):
  return sorted(os.path.join(folder, name) for folder, _, names in os.walk(cache)
                for name in names)


def test_entries_are_the_backbones_feature_maps_and_a_changed_photo_is_computed_again(
    tree, tmp_path, caplog):
  caplog.set_level(logging.INFO)
  config = _config(tree, tmp_path / "cache")
  cache, task, state, source = _open(config)
  cached = cache.wrap(source)
  assert len(_entries(tmp_path / "cache")) == len(source) == 6  # Of 12: 4 val, 2 test.
  batch = pipeline.finish_batch({k: np.stack([source[i][k] for i in range(len(source))])
                                 for k in source[0]})
  expected = task.model.backbone.apply(
      {"params": state.params["backbone"],
       "batch_stats": state.model_state["batch_stats"]["backbone"]},
      batch[schema.IMAGE], train=False)["feature_map"]
  read = np.stack([cached[i][schema.FEATURE_MAP] for i in range(len(source))])
  np.testing.assert_allclose(read, expected, rtol=1e-5, atol=1e-5)
  example = cached[3]
  assert schema.IMAGE not in example and example[schema.VALID]
  assert example[schema.SPECIES] == source.labels[3] and example[schema.INDEX] == 3

  caplog.clear()
  cache.wrap(source)  # Warm: nothing to compute.
  assert not [r for r in caplog.records if "computing" in r.getMessage()]
  photo = source.image_path(2)
  Image.new("RGB", (64, 64), (250, 10, 10)).save(photo)
  changed = cache.wrap(sources.make_source(config.data, "train"))
  assert [r.getMessage().split(" of ")[0] for r in caplog.records
          if "computing" in r.getMessage()] == ["feature cache: computing 1 views"]
  assert len(_entries(tmp_path / "cache")) == 7  # The old entry is never read again.
  assert not np.allclose(changed[2][schema.FEATURE_MAP], read[2])
  np.testing.assert_array_equal(changed[1][schema.FEATURE_MAP], read[1])


def test_views_degraded_photos_and_user_files_have_entries_of_their_own(tree, tmp_path):
  config = _config(tree, tmp_path / "cache", input__cached_views=2)
  cache, _, _, source = _open(config)
  views = cache.wrap(source, views=2)
  assert len(_entries(tmp_path / "cache")) == 2 * len(source)
  drawn = {tuple(views.view(0, np.random.default_rng(seed))[schema.FEATURE_MAP].ravel()[:4])
           for seed in range(12)}
  assert len(drawn) == 2  # One of the two kept views at each draw.
  blurred = degrade.DegradedSource(source, "blur", 0.5)
  cache.wrap(blurred)
  assert len(_entries(tmp_path / "cache")) == 3 * len(source)
  files = [source.image_path(0), source.image_path(5)]
  from traitjax.data import photo_files  # pylint: disable=g-import-not-at-top
  maps = cache.feature_maps(photo_files.PhotoFiles(files, source), [0, 1])
  assert len(maps) == 2 and maps[0].shape == views[0][schema.FEATURE_MAP].shape


def test_an_entry_cut_short_is_computed_again_with_one_warning_and_a_corrupt_one_is_one_line(
    tree, tmp_path, caplog):
  config = _config(tree, tmp_path / "cache")
  cache, _, _, source = _open(config)
  cached = cache.wrap(source)
  first = cached[0][schema.FEATURE_MAP]
  path = feature_cache.entry_path(cache.directory, source, 0, feature_cache.PLAIN)
  with open(path, "r+b") as f:
    f.truncate(os.path.getsize(path) // 2)
  caplog.set_level(logging.WARNING)
  cached = cache.wrap(source)
  warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
  assert len(warnings) == 1 and "cut short" in warnings[0] and path in warnings[0]
  np.testing.assert_array_equal(cached[0][schema.FEATURE_MAP], first)
  with open(path, "r+b") as f:  # Same size, not an entry.
    f.write(b"\0" * 64)
  with pytest.raises(ValueError, match=r"^feature cache entry .* is unreadable .*; delete it"):
    cached[0]


def test_a_full_disk_is_one_line_and_leaves_no_file_half_written(tree, tmp_path, monkeypatch):
  config = _config(tree, tmp_path / "cache")
  cache, _, _, source = _open(config)

  def full(*args):
    raise OSError(errno.ENOSPC, "No space left on device")

  monkeypatch.setattr(os, "replace", full)
  with pytest.raises(OSError, match="feature cache: no space left on the disk of") as raised:
    cache.wrap(source)
  assert "\n" not in str(raised.value)
  assert _entries(tmp_path / "cache") == []


def test_the_cache_is_refused_in_one_line_where_the_backbone_output_changes(tree, tmp_path,
                                                                           caplog):
  caplog.set_level(logging.INFO)
  trains = _config(tree, tmp_path / "cache", optim__frozen=("backbone/stage1",))
  assert _open(trains)[0] is None
  normalises = _config(tree, tmp_path / "cache", model__frozen_batch_norm=False)
  assert _open(normalises)[0] is None
  flora = conftest.load_config_module("default").get_config("smoke")
  flora.optim.frozen, flora.model.frozen_batch_norm = ("backbone",), True
  assert _open(flora)[0] is None
  reasons = [r.getMessage() for r in caplog.records if "feature cache" in r.getMessage()]
  assert reasons == [
      "feature cache not used: the backbone trains (30 of its 36 parameters, e.g. "
      "backbone['stage2']['block1']['conv1']['bn']['bias']; optim.frozen=('backbone',) "
      "freezes it)",
      "feature cache not used: the backbone's batch norm updates in training "
      "(model.frozen_batch_norm=False)",
      "feature cache not used: the data names no photo file to key the cache by (e.g. the "
      "synthetic flora)"]
  assert not os.path.exists(tmp_path / "cache")
  off = _config(tree, "")
  assert _open(off)[0] is None and feature_cache.folder(off, "w") == ""
  assert feature_cache.folder(_config(tree, "fc"), "runs/w") == os.path.abspath("runs/fc")


_FILL = """
import sys
from tests import test_feature_cache
config = test_feature_cache._config(sys.argv[1], sys.argv[2])
cache, _, _, source = test_feature_cache._open(config)
cache.wrap(source, views=3)
"""


@pytest.mark.slow
def test_two_processes_filling_one_cache_write_the_entries_one_would(tree, tmp_path):
  env = {**os.environ, "PYTHONPATH": str(conftest.REPO), "JAX_PLATFORMS": "cpu"}
  run_main.run_together(
      [[sys.executable, "-c", _FILL, str(tree), str(tmp_path / "shared")]] * 2, [env] * 2)
  config = _config(tree, tmp_path / "alone")
  cache, _, _, source = _open(config)
  cache.wrap(source, views=3)
  shared = _entries(tmp_path / "shared")
  alone = _entries(tmp_path / "alone")
  assert len(shared) == len(alone) == 3 * len(source)
  assert [os.path.relpath(p, tmp_path / "shared") for p in shared] == [
      os.path.relpath(p, tmp_path / "alone") for p in alone]
  for a, b in zip(shared, alone):
    entry_a, entry_b = feature_cache.read_entry(a), feature_cache.read_entry(b)
    for name in entry_a:
      np.testing.assert_array_equal(entry_a[name], entry_b[name])


@pytest.mark.slow
def test_without_augmentation_cached_training_gives_the_uncached_metrics(tree, tmp_path):
  reports = {}
  for name, cache in (("cached", tmp_path / "cache"), ("uncached", "")):
    config = _config(tree, cache, input__augmentation=False)
    reports[name] = train.train_and_evaluate(config, str(tmp_path / name))
  assert len(_entries(tmp_path / "cache")) > 0
  for report in reports.values():
    report.pop("train_seconds")
  cached, uncached = (json.loads(json.dumps(reports[n], default=float))
                      for n in ("cached", "uncached"))
  assert cached.keys() == uncached.keys()
  flat = lambda r: {k: v for k, v in _flatten(r).items() if isinstance(v, float)}
  for key, value in flat(uncached).items():
    assert flat(cached)[key] == pytest.approx(value, rel=1e-4, abs=1e-5, nan_ok=True), key


def _flatten(report, prefix=""):
  flat = {}
  for key, value in report.items():
    if isinstance(value, dict):
      flat.update(_flatten(value, f"{prefix}{key}."))
    elif isinstance(value, list):
      flat.update({f"{prefix}{key}[{i}]": v for i, v in enumerate(value)
                   if not isinstance(v, (dict, list))})
    else:
      flat[f"{prefix}{key}"] = value
  return flat


@pytest.mark.slow
@pytest.mark.skipif(not conftest.CUB25.is_dir(), reason=f"CUB data not found at {conftest.CUB25}")
def test_resume_after_sigkill_is_exact_with_the_cache_on(tmp_path_factory, tmp_path):
  """configs/cub.py:smoke (a frozen pretrained backbone) reading its views from a cache."""
  env = run_main.environment(run_main.compilation_cache_dir(tmp_path_factory))
  run_main.assert_sigkill_resumes_exactly(
      tmp_path, env, f"--config.data.root={conftest.CUB25}",
      f"--config.input.feature_cache={tmp_path / 'cache'}", config="configs/cub.py:smoke")
  assert _entries(tmp_path / "cache")
