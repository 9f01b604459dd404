"""The explanations evaluator on constructed photos (maps that point at the keypoints, a table
head whose cited traits decide) and end to end on the default smoke run."""

import json
import types

import ml_collections
import numpy as np
import pytest

from tests import conftest
from traitjax import evaluators
from traitjax import train
from traitjax.data import flora_render
from traitjax.data import schema
from traitjax.evaluators import base
from traitjax.explanations import contributions
from traitjax.explanations import records
from traitjax.metrics import calibration
from traitjax.models import species

TRAITS = ("petal_colour::red", "petal_colour::yellow", "leaf_shape::round", "leaf_shape::linear",
          "stem_texture::hairy", "fruit::berry")
ROWS = np.array([[1, 0, 1, 0, 1, 0],    # A
                 [1, 0, 0, 1, 1, 0],    # B
                 [0, 1, 1, 0, 0, 1]],   # C
                np.float32)
TABLE_HEAD = {"sensitivity": np.full(6, 2.2), "false_alarm": np.full(6, -2.2),
              "empty_cell": np.zeros(6), "log_temperature": np.array(0.0)}
# flower, leaf, stem, fruit, base (hidden), on a 4 x 4 grid of cells 0.25 wide.
KEYPOINTS = np.array([[0.15, 0.1, 1], [0.85, 0.6, 1], [0.4, 0.9, 1], [0.9, 0.15, 1],
                      [0.5, 0.5, 0]], np.float32)
TRAIT_CELL = {0: (0, 0), 1: (0, 0), 2: (2, 3), 3: (2, 3), 4: (3, 1), 5: (0, 3)}  # (row, column)


def _task(reads_traits=True):
  head = species.TraitToSpecies()
  return types.SimpleNamespace(
      species_reads_traits=reads_traits, species_table=ROWS,
      model=types.SimpleNamespace(species_head="table"),
      species_logits_from_traits=lambda params, p: head.apply(
          {"params": params["species_head"]}, p, ROWS))


def _predictions(reads_traits=True):
  """Each species' row seen confidently (0.95 / 0.1) twice; maps that peak on each trait's part."""
  detected = np.repeat(np.where(ROWS > 0.5, 0.95, 0.1), 2, axis=0)
  maps = np.zeros((len(detected), 4, 4, len(TRAITS)), np.float32)
  for trait, (row, column) in TRAIT_CELL.items():
    maps[:, row, column, trait] = 1.0
  logits = np.asarray(_task(reads_traits).species_logits_from_traits(
      {"species_head": TABLE_HEAD}, detected.astype(np.float32)))
  return {"species_logits": logits, "trait_logits": np.log(detected / (1 - detected)),
          "trait_maps": maps, schema.PARTS: np.broadcast_to(KEYPOINTS, (len(detected), 5, 3)),
          schema.SPECIES: np.repeat(np.arange(3), 2)}


def _evaluate(reads_traits=True, **fields):
  (evaluator,) = evaluators.from_config(ml_collections.ConfigDict(
      {"explanations": {"type": "explanations", **fields}}))
  source = types.SimpleNamespace(
      trait_table=schema.TraitTable(ROWS, species=("A", "B", "C"), traits=TRAITS),
      part_names=flora_render.PART_NAMES)
  return evaluator(_predictions(reads_traits), base.Context(
      task=_task(reads_traits), params={"species_head": TABLE_HEAD}, source=source))


def test_maps_that_peak_on_the_parts_win_the_pointing_game_and_the_centre_does_not():
  report = _evaluate()
  assert report["pointing_game"] == 1.0
  assert report["pointing_game_centre"] == 0.0  # No keypoint within 0.18 of the centre.
  assert 0.0 <= report["pointing_game_random"] < 0.5
  assert report["radius"] == pytest.approx(np.sqrt(2) / 8)  # Half a cell's diagonal.
  # Only cited traits the photo shows are pointed at; each photo cites 3.
  assert 0 < report["num_pointed"] <= 3 * 6 and report["mean_num_cited"] == 3
  assert _evaluate(radius=0.01)["pointing_game"] == 0.0  # No keypoint at a cell centre.
  json.dumps(report, allow_nan=False)


def test_removing_the_cited_traits_lowers_the_prediction_more_than_random_ones():
  report = _evaluate(num_cited=2)
  assert report["deletion_k"] == [0, 1, 2] and report["traits_used_by_decision"]
  cited, random = report["deletion_curve_cited"], report["deletion_curve_random"]
  assert cited[0] == pytest.approx(random[0])
  assert cited[2] < cited[0]
  assert report["deletion_area_cited"] < report["deletion_area_random"] <= 1.0


def test_the_deletion_curve_is_the_head_on_the_traits_left():
  """At k = 0 the probability of each photo's top species; at k = 2 the table head's on the
  photo with both cited traits unknown (NaN)."""
  report = _evaluate(num_cited=2)
  predictions = _predictions()
  p = calibration.sigmoid(predictions["trait_logits"])
  top = np.argmax(predictions["species_logits"], -1)
  task, params = _task(), {"species_head": TABLE_HEAD}
  cited = records.cited_traits(p, ROWS[top], contributions.contributions_to(
      task, params, p, top, ROWS), 2)
  assert (cited >= 0).all()
  removed = p.copy()
  removed[np.arange(6)[:, None], cited] = np.nan
  after = calibration.softmax(np.asarray(task.species_logits_from_traits(
      params, removed.astype(np.float32))))
  assert report["deletion_curve_cited"][0] == pytest.approx(np.mean(
      calibration.softmax(predictions["species_logits"]).max(-1)))
  assert report["deletion_curve_cited"][2] == pytest.approx(np.mean(after[np.arange(6), top]))


def test_a_reader_of_the_cited_traits_agrees_with_the_model():
  report = _evaluate()
  assert report["simulatability"] == 1.0 and report["simulatability_all_traits"] == 1.0
  # The simulated user, shown the cited and the separating traits of the two species the page
  # names first, picks the model's; every answer is right, and a confident one is accepted.
  user = report["simulated_user"]
  assert user["picks_model_species"] == 1.0 and user["mean_traits_shown"] >= 3
  assert (user["num_right"], user["num_wrong"]) == (6, 0)
  assert user["accepts"]["with_decision"] is None  # No trust in this context.
  assert user["accepts"]["with_probability"]["wrong"] is None
  assert 0 <= user["accepts"]["with_probability"]["right"] <= 1


def test_the_black_box_is_pointed_and_simulated_but_not_deleted():
  report = _evaluate(reads_traits=False)
  assert report["traits_used_by_decision"] is False
  assert report["deletion_area_cited"] is None and report["deletion_curve_random"] is None
  assert report["pointing_game"] == 1.0


@pytest.mark.parametrize("field, value", [("num_cited", 0), ("radius", -0.1), ("min_odds", 0.5)])
def test_bad_fields_are_refused_naming_them(field, value):
  with pytest.raises(ValueError, match=rf"config.evals.explanations.{field} must be"):
    evaluators.from_config(ml_collections.ConfigDict(
        {"explanations": {"type": "explanations", field: value}}))


@pytest.mark.slow
def test_default_smoke_run_reports_explanations(tmp_path):
  """configs/default.py:smoke trains and writes the explanations section to metrics.json; the
  test pass asks the task for its maps and gathers the keypoints."""
  config = conftest.load_config_module("default").get_config("smoke")
  config.data.image_size = 32
  config.evals = ml_collections.ConfigDict({"explanations": config.evals.explanations})
  train.train_and_evaluate(config, str(tmp_path))
  report = json.loads((tmp_path / "metrics.json").read_text())["explanations"]
  assert report["num_examples"] == 48 and report["traits_used_by_decision"]  # 16 seen x 3.
  assert report["radius"] == pytest.approx(np.sqrt(2) / 4)  # 2 x 2 maps at 32 px.
  for key in ("pointing_game", "pointing_game_centre", "pointing_game_random",
              "simulatability"):
    assert report[key] is None or 0 <= report[key] <= 1, key
  assert report["deletion_area_cited"] >= 0 and report["deletion_area_random"] >= 0
  assert len(report["deletion_curve_cited"]) == report["num_cited"] + 1
