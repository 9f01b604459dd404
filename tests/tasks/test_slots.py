"""The slot-attention task (traitjax.tasks.slots) through the shared trainer: the parts report,
the slot names and the mask figure; a truncated pretrained backbone."""

import json

import jax
import numpy as np
import pytest

from tests import conftest
from tests import run_main
from traitjax import tasks
from traitjax import train
from traitjax.data import pipeline
from traitjax.data import sources
from traitjax.explain import slots
from traitjax.models import weights


@pytest.mark.slow
def test_slots_smoke_run_reports_parts_and_slot_names_and_draws_the_masks(tmp_path):
  config = conftest.load_config_module("slots").get_config("smoke")
  config.data.image_size = 32
  workdir = tmp_path / "slots"
  report = train.train_and_evaluate(config, str(workdir))

  metrics = json.loads((workdir / "metrics.json").read_text())
  assert metrics == json.loads(json.dumps(report))
  # Every loss term of the task reaches metrics.jsonl and TensorBoard.
  logged = [r for r in run_main.read_jsonl(workdir / "metrics.jsonl") if "train/loss" in r]
  tags = {tag for _, tag in run_main.tensorboard_scalars(workdir / "tensorboard")}
  for term in ("species_loss", "trait_loss", "concentration", "orthogonality", "equivariance",
               "presence", "presence_per_photo", "species_accuracy"):
    assert logged and all(np.isfinite(r[f"train/{term}"]) for r in logged), term
    assert f"train/{term}" in tags, term
  assert metrics["num_examples"] == len(sources.make_source(config.data, "test"))
  assert 0 <= metrics["species_top1"] <= 1
  parts = metrics["parts"]
  assert parts["num_slots"] == 8 and parts["background_slot"]
  assert 0 <= parts["nmi"] <= 1 and -1 <= parts["ari"] <= 1
  assert 0 < parts["keypoint_error"] < 1
  assert parts["num_keypoints"] > metrics["num_examples"]  # Several visible parts per photo.
  # Ablations are chosen on val: its parts report is there, and val chose the slot names.
  assert 0 <= metrics["val"]["species_top1"] <= 1 and 0 <= metrics["val"]["parts"]["nmi"] <= 1
  names = metrics["slot_names"]
  assert names["truth"] == "traits_visible" and names["chosen_on"] == "val"
  assert [n["slot"] for n in names["slots"]] == list(range(8))
  trait_names = set(sources.make_source(config.data, "test").trait_table.traits)
  for name in names["slots"]:
    assert {t["trait"] for t in name["traits"]} <= trait_names
    assert name["candidate_new_trait"] == (not name["traits"])
  assert names["new_trait_candidates"] == [
      n["slot"] for n in names["slots"] if n["candidate_new_trait"]]

  figure = slots.slot_masks(str(workdir), num_photos=4)
  # Each photo twice (as it is, and coloured by slot), six photos to a row pair.
  assert len(figure.axes) == 2 * 6
  legend = [text.get_text() for text in figure.legends[0].get_texts()]
  assert len(legend) == 8 and legend[0].startswith("slot 0: ")
  figure.savefig(workdir / "slots.png")
  assert (workdir / "slots.png").stat().st_size > 0


@pytest.mark.slow
@pytest.mark.skipif(not conftest.CUB25.is_dir(), reason=f"no CUB data at {conftest.CUB25}")
def test_cub_slots_loads_imagenet_weights_into_the_truncated_backbone():
  config = conftest.load_config_module("cub_slots").get_config("smoke")
  config.data.root = str(conftest.CUB25)
  # No val split here: no evaluator reads one, and the names are chosen on test itself.
  assert "val" not in config.evals and not config.evals.slot_names.choose_split
  weights_path = conftest.REPO / config.model.pretrained
  if not weights_path.is_file():
    pytest.skip(f"no weights at {weights_path}")
  config.model.pretrained = str(weights_path)
  source = sources.make_source(config.data, "train")
  task = tasks.make_task(config, source)
  batch = pipeline.finish_batch({k: np.asarray(v)[None] for k, v in source[0].items()})
  backbone = task.init(jax.random.key(0), batch)["params"]["backbone"]
  # Stages 6 and 7 and the head are not built, and their weights are left out.
  assert sorted(backbone) == ["stage1", "stage2", "stage3", "stage4", "stage5", "stem"]
  stem = weights.load_safetensors(weights_path)["_conv_stem.weight"]  # OIHW
  np.testing.assert_array_equal(backbone["stem"]["conv"]["kernel"], stem.transpose(2, 3, 1, 0))
