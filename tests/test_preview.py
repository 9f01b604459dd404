"""The preview CLI writes its figures and a summary whose numbers match the data."""

import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from traitjax.data import sources

from tests import conftest

pytestmark = pytest.mark.slow  # Each runs the preview command.

REPO = conftest.REPO
CUB = conftest.CUB25


def _preview(tmp_path, *args):
  out = tmp_path / "preview"
  subprocess.run(
      [sys.executable, "-m", "traitjax.preview", f"--out={out}", "--summary_examples=24",
       "--dpi=40", *args], cwd=REPO, check=True, capture_output=True, timeout=300)
  return out, json.loads((out / "summary.json").read_text())


def test_synthetic_preview(tmp_path):
  out, summary = _preview(tmp_path, "--config=configs/default.py:smoke")
  config = conftest.load_config_module("default").get_config("smoke")
  train = sources.make_source(config.data, "train")
  assert summary["examples_per_split"] == {
      s: len(sources.make_source(config.data, s)) for s in ("train", "val", "test", "zeroshot")}
  counts = train.species_train_counts[train.seen_species]
  assert summary["train_images_per_seen_species"]["max_over_min"] == pytest.approx(
      counts.max() / counts.min())
  assert summary["num_traits"] == 42 and summary["sample"]["num_examples"] == 24
  assert sum(summary["sample"]["degradations"].values()) == 24
  assert set(summary["trait_prevalence_visible"]) == set(train.trait_table.traits)
  grid = np.asarray(Image.open(out / "examples_train.png"))
  assert grid.ndim == 3 and grid.shape[0] > 100 and grid.std() > 10
  assert (out / "summary.png").stat().st_size > 5000
  assert (out / "trait_table.csv").read_text().startswith("species,leaf_shape::ovate")


def test_cub_preview(tmp_path):
  if not CUB.is_dir():
    pytest.skip(f"{CUB} is absent")
  out, summary = _preview(tmp_path, "--config=configs/cub.py:smoke", f"--config.data.root={CUB}")
  assert summary["num_traits"] == 312 and summary["num_species"] == 4
  assert summary["num_seen_species"] == 3
  assert "trait_prevalence_visible" not in summary  # CUB has no per-photo truth here.
  assert set(summary["examples_per_split"]) == {"train", "val", "test", "zeroshot"}
  assert (out / "examples_train.png").exists()
