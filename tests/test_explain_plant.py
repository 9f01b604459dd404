"""`python -m traitjax.explain --plant` end to end on a smoke Leafsnap-guide workdir (a small
fake guide, trained once per module): the combined species are the multi_photo combination of
the same photos, every trait names organs that can show it, text, JSON roles, chart colours and
gallery agreeing on every trait, the evidence behind the trust, the files, and the one-line
errors."""

import json
import subprocess
import sys

import jax
import matplotlib.colors
import numpy as np
from PIL import Image
import pytest

from tests import run_main
from tests.data import test_leafsnap_guide
from tests.explain import consistency
from traitjax import checkpoints
from traitjax import trust
from traitjax.data import organs as plant_organs
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.evaluators import base
from traitjax.explain import photos
from traitjax.explain import figures
from traitjax.explain import plants
from traitjax.explanations import trust_evidence
from traitjax.explanations import wording
from traitjax.metrics import multi_photo

pytestmark = pytest.mark.slow  # Its workdir trains in `python -m traitjax.main`.
TOP_K = 3


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
  return run_main.compilation_cache_dir(tmp_path_factory)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory, cache):
  """configs/leafsnap_guide.py:smoke on three species, five photos of each of three organs (the
  small ResNet, no pretrained weights)."""
  top = tmp_path_factory.mktemp("plant")
  photos = [(species, organ, n) for species in test_leafsnap_guide.SPECIES
            for organ in test_leafsnap_guide.ORGAN_NAMES[species]
            for n in range(1, test_leafsnap_guide.PER_ORGAN + 1)]
  root = test_leafsnap_guide._write_guide(top / "guide", photos)
  table = test_leafsnap_guide._table(top / "table.csv")
  workdir = top / "workdir"
  run_main.run(run_main.command(
      workdir, f"--config.data.root={root}", f"--config.data.table={table}",
      "--config.model.backbone=resnet_small", "--config.model.pretrained=",
      config="configs/leafsnap_guide.py:smoke"), run_main.environment(cache), timeout=300)
  return workdir


@pytest.fixture(scope="module")
def split_out(workdir, tmp_path_factory):
  out = tmp_path_factory.mktemp("plants")
  index = plants.explain_plants(str(workdir), str(out), split="test", num=3,
                                photos_per_plant=3, top_k=TOP_K)
  return out, index


def test_the_combined_species_are_the_multi_photo_combination_of_the_same_photos(workdir,
                                                                               split_out):
  out, index = split_out
  assert len(index["plants"]) == 3 and not index["errors"]
  config = checkpoints.saved_config(str(workdir))
  task, state, source = checkpoints.restore_for_eval(config, str(workdir), "test")
  organs = base.organs_of(source)
  trusted = trust.Trust.load(workdir / trust.FILE_NAME)
  row_of = {source.image_path(i): i for i in range(len(source))}
  for entry in index["plants"]:
    record = json.loads((out / f"{entry['name']}.json").read_text())
    rows = [row_of[photo["photo"]] for photo in record["photos"]]
    # One species, organs all different (each test species has one photo of three organs).
    assert len({int(source.labels[r]) for r in rows}) == 1
    assert source.trait_table.species[source.labels[rows[0]]] == record["true_species"]
    assert len({photo["organ"] for photo in record["photos"]}) == 3
    assert [photo["organ"] for photo in record["photos"]] == [
        plant_organs.PHOTO_ORGANS[source.organs[r]] for r in rows]
    batch = pipeline.finish_batch({k: np.stack([source[r][k] for r in rows])
                                   for k in source[0]})
    trait_logits = jax.device_get(task.predict(state.params, state.model_state,
                                               batch))["trait_logits"]
    evidence, shown = multi_photo.trait_evidence(1 / (1 + np.exp(-trait_logits)),
                                                 organs.shown(source.organs[rows]),
                                                 np.arange(len(rows))[None])
    logits = np.asarray(task.species_logits_from_traits(state.params, evidence, shown=shown))
    expected = trusted.species_probabilities(logits)[0]
    order = np.argsort(-expected)[:TOP_K]
    assert [s["name"] for s in record["species"]] == [source.trait_table.species[k]
                                                       for k in order]
    np.testing.assert_allclose([s["probability"] for s in record["species"]],
                               expected[order], rtol=1e-4, atol=1e-6)
    assert entry["species"] == record["species"][0]


def test_every_trait_cited_or_judged_names_organs_that_can_show_it(split_out):
  out, index = split_out
  traits = list(test_leafsnap_guide.TRAITS)
  mask = plant_organs.organ_trait_mask(traits, test_leafsnap_guide.ORGAN_MAP)
  can_show = lambda organ, name: mask[plant_organs.PHOTO_ORGANS.index(organ), traits.index(name)]
  for entry in index["plants"]:
    record = json.loads((out / f"{entry['name']}.json").read_text())
    organs = {photo["organ"] for photo in record["photos"]}
    assert set(record["cited_from"]) == set(record["cited"])
    for name, cited_organs in record["cited_from"].items():
      assert cited_organs and set(cited_organs) <= organs
      assert all(can_show(organ, name) for organ in cited_organs)
    for trait in record["traits"]:
      assert all(can_show(s["organ"], trait["name"]) for s in trait["shown_by"])
      # A trait no photo can show has no probability (no evidence).
      assert (trait["probability"] is None) == (not trait["shown_by"])
    first = record["explained_species"][0]
    for item in first["supports"] + first["counts_against"]:
      assert item["shown_by"] and all(can_show(s["organ"], item["name"])
                                      for s in item["shown_by"])
    for photo in record["photos"]:
      assert photo["alone"]["name"] in test_leafsnap_guide.SPECIES
      assert 0 <= photo["alone"]["probability"] <= 1


def test_the_text_the_roles_the_chart_and_the_gallery_agree_on_every_plant(workdir, split_out):
  """Every plant's record: the rationale, the JSON roles, the traits' bars (drawn as the plant
  figure draws them) and the page name every trait in one role; and the record carries the
  evidence behind the trust that calibrates it, without a per-photo unlike score."""
  out, index = split_out
  page = (out / "index.html").read_text()
  fitted = trust.Trust.load(workdir / trust.FILE_NAME)
  found = []
  for entry in index["plants"]:
    record = json.loads((out / f"{entry['name']}.json").read_text())
    images = [np.zeros((8, 8, 3), np.uint8)] * len(record["photos"])
    parts = plants.plant_figure_parts(images, record)
    drawn = figures.plant_figure(*parts).axes[-1]  # The traits' panel.
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in drawn.patches]
    found += [f"{entry['name']}: {d}" for d in consistency.disagreements(record, colours, page)]
    evidence = record["trust_evidence"]
    assert entry["trust_evidence"] == evidence and "unlike_fit" not in evidence
    assert (evidence["fit_split"], evidence["num_fit"]) == ("val", fitted.num_fit)
    if fitted.num_fit < trust_evidence.SMALL_FIT:
      assert evidence["warnings"][0] in record["rationale"]
  assert found == []


def test_each_plant_gets_its_json_and_figure_and_the_index_its_gallery(split_out):
  out, index = split_out
  assert json.loads((out / "index.json").read_text()) == index
  page = (out / "index.html").read_text()
  for entry in index["plants"]:
    assert set(json.loads((out / f"{entry['name']}.json").read_text())) >= {
        "species", "traits", "explained_species", "cited", "cited_from", "photos",
        "rationale", "description"}
    with Image.open(out / f"{entry['name']}.png") as figure:
      assert figure.width >= 900
    assert f'id="{entry["name"]}"' in page


def test_files_of_one_plant_from_the_command_line_and_its_one_line_errors(workdir, cache,
                                                                         tmp_path):
  source = sources.make_source(checkpoints.saved_config(str(workdir)).data, "test")
  paths = []
  for index in (0, 1):
    paths.append(tmp_path / f"photo{index}.png")
    Image.fromarray(source[index][schema.IMAGE]).save(paths[-1])
  organs = [plant_organs.PHOTO_ORGANS[source.organs[index]] for index in (0, 1)]
  out = tmp_path / "out"
  command = [sys.executable, "-m", "traitjax.explain", f"--workdir={workdir}", f"--out={out}",
             "--plant", f"--images={paths[0]},{paths[1]}"]
  result = run_main.run(command + [f"--organs={','.join(organs)}"],
                        run_main.environment(cache))
  assert f"explained 1 plants: {out}/index.html" in result.stdout
  record = json.loads((out / "plant.json").read_text())
  assert [(p["photo"], p["organ"]) for p in record["photos"]] == list(
      zip(map(str, paths), organs))
  assert (out / "plant.png").stat().st_size > 0 and (out / "index.html").exists()
  failed = subprocess.run(command + ["--organs=leaf,root"], env=run_main.environment(cache),
                          cwd=run_main.REPO, capture_output=True, text=True, timeout=300)
  assert failed.returncode != 0
  assert failed.stderr.strip().splitlines()[-1] == (
      "traitjax: --organs: unknown organ 'root'; known: leaf, needle, petiole, flower, fruit, "
      "seed, cone, bark, twig")


def test_organs_that_do_not_match_the_photos_and_a_dataset_without_organs(workdir, tmp_path,
                                                                         monkeypatch):
  photo = tmp_path / "a.png"
  Image.new("RGB", (20, 20)).save(photo)
  with pytest.raises(ValueError, match=r"^--organs: 1 organs for 2 photos; give one organ per "):
    plants.explain_plants(str(workdir), str(tmp_path / "out"), [str(photo), str(photo)],
                          ["leaf"])
  # As a flora or CUB workdir's source: no organs.
  monkeypatch.setattr(base, "organs_of", lambda source: None)
  with pytest.raises(ValueError, match=f"^{plants.NO_ORGANS}"):
    plants.explain_plants(str(workdir), str(tmp_path / "out"), split="test")


def test_a_single_photo_is_described_by_what_its_organ_can_show(workdir, tmp_path):
  """`explain` on single photos of a split: each description states only groups the photo's
  organ can show (a bark photo says nothing of leaves, flowers or fruit)."""
  index = photos.explain(str(workdir), str(tmp_path), split="test", num=9, top_k=2,
                         num_prototypes=1)
  source = sources.make_source(checkpoints.saved_config(str(workdir)).data, "test")
  organs = base.organs_of(source)
  for photo in index["photos"]:
    record = json.loads((tmp_path / f"{photo['name']}.json").read_text())
    example = source[int(photo["name"].rsplit("_", 1)[-1])]  # Named split_<index>.
    probabilities = np.array([t["probability"] for t in record["traits"]])
    shown = organs.shown([example[schema.ORGAN]])[0]
    assert record["description"] == wording.description_sentence(
        np.where(shown, probabilities, np.nan), source.trait_table.traits)
    if plant_organs.PHOTO_ORGANS[example[schema.ORGAN]] == "bark":
      assert not any(word in record["description"] for word in ("leaves", "flower", "fruit"))
