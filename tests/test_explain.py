"""`python -m traitjax.explain` end to end on smoke workdirs (32 px synthetic flora, trained once
per module): the records' keys and numbers, text, JSON roles, chart colours and gallery agreeing
on every trait of every record, the evidence behind the trust, a folder holding a broken photo,
species added from their rows, the black box's traits marked as not used, and the gallery
rendered by headless Chromium."""

import json
import re
import shutil
import subprocess
import sys

import jax
import matplotlib.colors
import numpy as np
from PIL import Image
import pytest

from tests import run_main
from tests.explain import consistency
from traitjax import checkpoints
from traitjax import trust
from traitjax.data import pipeline
from traitjax.data import schema
from traitjax.data import sources
from traitjax.explain import figures
from traitjax.explain import photos
from traitjax.explanations import phrasing
from traitjax.explanations import roles
from traitjax.explanations import trust_evidence
from traitjax.explanations import wording

# The keys scripts read.
KEYS = {"species", "decision", "reason", "prediction_set", "traits", "rationale",
        "trust_evidence", "chart"}
TOP_K = 3
NUM_PHOTOS = 4
pytestmark = pytest.mark.slow  # Its workdirs train in `python -m traitjax.main`.
CHROMIUM = next((shutil.which(name) for name in ("chromium", "chromium-browser")
                 if shutil.which(name)), None)


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
  return run_main.compilation_cache_dir(tmp_path_factory)


def _train(tmp_path_factory, cache, name, *flags, config="configs/default.py:smoke"):
  workdir = tmp_path_factory.mktemp(name) / "workdir"
  run_main.run(run_main.command(workdir, *flags, config=config), run_main.environment(cache),
               timeout=300)
  return workdir


@pytest.fixture(scope="module")
def cosine_workdir(tmp_path_factory, cache):
  """A joint CBM whose species head reads the table rows (centred cosine)."""
  return _train(tmp_path_factory, cache, "cosine", "--config.model.species_head=cosine")


@pytest.fixture(scope="module")
def blackbox_workdir(tmp_path_factory, cache):
  return _train(tmp_path_factory, cache, "blackbox", config="configs/blackbox.py:smoke")


@pytest.fixture(scope="module")
def split_out(cosine_workdir, tmp_path_factory):
  """The explanations of 4 test photos of the cosine workdir."""
  out = tmp_path_factory.mktemp("split_out")
  photos.explain(str(cosine_workdir), str(out), split="test", num=NUM_PHOTOS, top_k=TOP_K)
  return out


def _records(out) -> dict[str, dict]:
  index = json.loads((out / "index.json").read_text())
  return {photo["name"]: json.loads((out / f"{photo['name']}.json").read_text())
          for photo in index["photos"]}


def test_split_photos_get_records_with_the_documented_keys_and_numbers(cosine_workdir,
                                                                        split_out):
  records = _records(split_out)
  assert len(records) == NUM_PHOTOS
  table = sources.make_source(checkpoints.saved_config(str(cosine_workdir)).data,
                              "test").trait_table
  for name, record in records.items():
    assert KEYS <= set(record)
    probabilities = [s["probability"] for s in record["species"]]
    assert len(probabilities) == TOP_K
    assert probabilities == sorted(probabilities, reverse=True)
    assert 0 < sum(probabilities) <= 1 + 1e-9
    assert [t["name"] for t in record["traits"]] == list(table.traits)
    assert all(0 <= t["probability"] <= 1 for t in record["traits"])
    assert record["decision"] in ("identify", "abstain")
    assert (record["reason"] == "") == (record["decision"] == "identify")
    assert set(record["prediction_set"]) <= set(table.species)
    first = record["explained_species"][0]
    assert first["name"] == record["species"][0]["name"]
    assert all(item["contribution"] is not None for item in first["supports"])
    for evidence in record["evidence"]:  # Where it shows the traits the answer rests on.
      assert evidence["name"] in set(record["cited"]) | {i["name"] for i in first["supports"]}
      assert all(0 <= c <= 1 for c in evidence["peak"])
    for prototype in record["prototypes"]:
      assert prototype["species"] == record["species"][0]["name"]
      assert set(prototype["shared_traits"]) <= set(table.traits)
    with Image.open(split_out / f"{name}.png") as figure:
      assert figure.width > 400
    _assert_rationale_names_only_listed_traits(record)


def _assert_rationale_names_only_listed_traits(record):
  """Every trait phrase in the rationale belongs to a trait the record cites or lists for or
  against the top species or the runner-up: taking those phrases out leaves no trait phrase."""
  first = record["explained_species"][0]
  named = set(record["cited"]) | {item["name"] for key in ("supports", "counts_against",
                                                          "not_used") for item in first[key]} | {
      item["name"] for item in record["runner_up"]}
  phrase = {t["name"]: t["phrase"] for t in record["traits"]}
  rest = record["rationale"]
  for name in sorted(named, key=lambda n: -len(phrase[n])):
    rest = rest.replace(phrase[name], "")
  assert not [p for p in phrase.values() if p in rest], record["rationale"]


def test_the_text_the_roles_the_chart_and_the_gallery_agree_on_every_trait(split_out):
  """Every record: each trait the rationale names for or against the top species has that role
  in the JSON (`roles.role` of its contribution), its bar that role's colour in the chart the
  figure draws, and its name that colour on the page; 0 disagreements in all."""
  page = (split_out / "index.html").read_text()
  found, named = [], 0
  for name, record in _records(split_out).items():
    bars, title = figures.record_bars(record)
    assert figures.chart_record(bars, title) == record["chart"], name
    drawn = figures.photo_figure(np.zeros((8, 8, 3), np.uint8), "", [], bars, title, [])
    colours = [matplotlib.colors.to_hex(p.get_facecolor()) for p in drawn.axes[1].patches]
    found += [f"{name}: {d}" for d in consistency.disagreements(record, colours, page)]
    named += sum(len(part.names) for part in wording.rationale_parts(record))
    first = record["explained_species"][0]
    assert first["display_name"] == phrasing.display_name(first["name"])
    assert "Supports it: " in record["rationale"] or "no trait the photo" in record["rationale"]
  assert named > 0
  assert found == []


def test_every_decision_carries_the_evidence_behind_its_trust(cosine_workdir, split_out):
  """The fit's size from trust.json, the measures from metrics.json; the smoke fit (32 val
  photos) is warned of in the JSON, the rationale, the index and the page."""
  fitted = trust.Trust.load(cosine_workdir / trust.FILE_NAME)
  metrics = json.loads((cosine_workdir / "metrics.json").read_text())
  index = json.loads((split_out / "index.json").read_text())
  page = (split_out / "index.html").read_text()
  assert fitted.num_fit < trust_evidence.SMALL_FIT
  for entry in index["photos"]:
    record = json.loads((split_out / f"{entry['name']}.json").read_text())
    evidence = record["trust_evidence"]
    assert entry["trust_evidence"] == evidence
    assert {k: evidence[k] for k in ("fit_split", "num_fit", "evaluated_on", "test_accuracy",
                                     "ece", "conformal_coverage", "threshold_reached",
                                     "sets_narrowed")} == {
        "fit_split": "val", "num_fit": fitted.num_fit, "evaluated_on": "test",
        "test_accuracy": metrics["species_top1"], "ece": metrics["calibration"]["ece_after"],
        "conformal_coverage": metrics["conformal"]["coverage"],
        "threshold_reached": bool(np.isfinite(fitted.threshold)),
        "sets_narrowed": bool(np.isfinite(fitted.conformal_threshold))}
    assert 0 <= evidence["unlike_fit"] <= 1
    small = next(w for w in evidence["warnings"] if "fitted on only" in w)
    assert small in record["rationale"] and small in page
    assert record["prediction_set_display_names"] == [
        phrasing.display_name(n) for n in record["prediction_set"]]
  assert page.count('class="trust"') == len(index["photos"])


def test_a_broken_photo_in_a_folder_gets_its_entry_and_the_others_their_outputs(
    cosine_workdir, cache, tmp_path):
  folder = tmp_path / "photos"
  folder.mkdir()
  source = sources.make_source(checkpoints.saved_config(str(cosine_workdir)).data, "test")
  for index in (0, 5):
    Image.fromarray(source[index][schema.IMAGE]).resize((90, 60)).save(
        folder / f"flower {index}.png")
  (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 truncated")
  out = tmp_path / "out"
  result = run_main.run([sys.executable, "-m", "traitjax.explain",
                         f"--workdir={cosine_workdir}", f"--out={out}", f"--images={folder}"],
                        run_main.environment(cache))
  assert f"explained 2 photos, 1 could not be read: {out}/index.html" in result.stdout
  assert "broken.jpg" in result.stderr  # The warning.
  index = json.loads((out / "index.json").read_text())
  assert [p["name"] for p in index["photos"]] == ["flower_0", "flower_5"]
  assert [(e["name"], e["photo"]) for e in index["errors"]] == [
      ("broken", str(folder / "broken.jpg"))]
  broken = json.loads((out / "broken.json").read_text())
  assert "cannot decode image" in broken["error"] and not (out / "broken.png").exists()
  for name in ("flower_0", "flower_5"):
    assert KEYS <= set(json.loads((out / f"{name}.json").read_text()))
    assert (out / f"{name}.png").stat().st_size > 0


def test_a_folder_without_a_readable_photo_stops_with_one_line_and_writes_nothing(
    cosine_workdir, cache, tmp_path):
  folder = tmp_path / "photos"
  folder.mkdir()
  (folder / "notes.jpg").write_text("field notes, not a photo")
  out = tmp_path / "out"
  result = subprocess.run([sys.executable, "-m", "traitjax.explain",
                          f"--workdir={cosine_workdir}", f"--out={out}", f"--images={folder}"],
                         env=run_main.environment(cache), cwd=run_main.REPO,
                         capture_output=True, text=True, timeout=300)
  assert result.returncode == 2, result.stderr
  assert ("traitjax: none of the 1 photos could be read (the first: cannot decode image "
          f"{folder / 'notes.jpg'}: not an image file PIL can read)") in result.stderr
  assert not out.exists()


@pytest.fixture(scope="module")
def added_out(cosine_workdir, tmp_path_factory):
  """The explanations of 4 test photos with one species added from a row: exactly what the
  model detects in the first photo (cosine 1, the most any row can reach)."""
  config = checkpoints.saved_config(str(cosine_workdir))
  task, state, source = checkpoints.restore_for_eval(config, str(cosine_workdir), "test")
  batch = pipeline.finish_batch({k: v[None] for k, v in source[0].items()})
  trait_logits = jax.device_get(task.predict(state.params, state.model_state, batch))[
      "trait_logits"]
  out = tmp_path_factory.mktemp("added")
  rows = out.parent / f"{out.name}_rows.csv"
  schema.TraitTable(1 / (1 + np.exp(-trait_logits)), species=("Novel species",),
                    traits=source.trait_table.traits).to_csv(rows)
  photos.explain(str(cosine_workdir), str(out), split="test", num=NUM_PHOTOS,
                 species_rows=str(rows), top_k=TOP_K)
  return out


def test_a_species_known_only_from_its_row_becomes_a_candidate(added_out):
  """The added species becomes the first photo's top species, with no retraining."""
  out = added_out
  index = json.loads((out / "index.json").read_text())
  again = json.loads((out / "test_00000.json").read_text())
  assert again["species"][0]["name"] == "Novel species"
  assert again["prototypes"] == []  # No training photo of it.
  assert len(index["photos"]) == NUM_PHOTOS
  # Marked as added wherever it is shown; every trained species is not.
  for record in _records(out).values():
    for entry in record["species"] + record["explained_species"]:
      assert entry["added_from_description"] == (entry["name"] == "Novel species")
  assert index["photos"][0]["species"]["added_from_description"] is True
  page = (out / "index.html").read_text()
  assert page.count(f"Novel species ({wording.ADDED_SPECIES_NOTE})") >= 1


def test_the_black_box_marks_its_traits_as_not_used_and_refuses_species_rows(
    blackbox_workdir, tmp_path):
  photos.explain(str(blackbox_workdir), str(tmp_path / "out"), split="test", num=2,
                 top_k=TOP_K)
  for record in _records(tmp_path / "out").values():
    assert KEYS <= set(record)
    assert record["traits_used_by_decision"] is False
    first = record["explained_species"][0]
    assert not first["supports"] and not first["counts_against"]
    assert all(item["contribution"] is None and item["role"] == roles.NOT_USED
               for item in first["not_used"])
    assert "does not read these traits" in record["rationale"]
    assert consistency.disagreements(record) == []
  rows = tmp_path / "rows.csv"
  table = sources.make_source(checkpoints.saved_config(str(blackbox_workdir)).data,
                              "test").trait_table
  table.rows([0]).to_csv(rows)
  with pytest.raises(ValueError, match="reads no table rows"):
    photos.explain(str(blackbox_workdir), str(tmp_path / "refused"), split="test", num=1,
                   species_rows=str(rows))


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt-get install chromium)")
def test_a_screenshot_of_the_gallery_shows_trust_evidence_readable_names_and_added_species(
    added_out, tmp_path):
  """The gallery as a browser draws it (a screenshot kept beside it): an added species marked
  as such, a declined photo with its reason, every verdict with the fit it rests on, and
  species by readable names, never by folder ids."""
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  index = json.loads((added_out / "index.json").read_text())
  decisions = {photo["decision"] for photo in index["photos"]}
  with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    try:
      page = browser.new_page(viewport={"width": 1200, "height": 900})
      page.route("**/*", lambda route: route.abort()
                 if not route.request.url.startswith(("file:", "data:")) else route.continue_())
      page.goto((added_out / "index.html").as_uri())
      page.screenshot(path=str(tmp_path / "gallery.png"), full_page=True)
      text = page.inner_text("body")
    finally:
      browser.close()
  assert (tmp_path / "gallery.png").stat().st_size > 10_000
  assert f"Novel species ({wording.ADDED_SPECIES_NOTE})" in text
  assert text.count("Trust fitted on") >= len(index["photos"])
  assert "abstain" in decisions and "Not identified:" in text
  assert not re.search(r"\b\d{3}\.[A-Z]", text)  # No "001.Black_footed_Albatross".


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium binary (apt-get install chromium)")
def test_headless_chromium_renders_every_photo_of_the_gallery(split_out):
  """index.html opened offline: one photo and one figure per explained photo, every image
  decoded (naturalWidth > 0)."""
  from playwright.sync_api import sync_playwright  # pylint: disable=g-import-not-at-top
  with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    try:
      page = browser.new_page()
      page.route("**/*", lambda route: route.abort()
                 if not route.request.url.startswith(("file:", "data:")) else route.continue_())
      page.goto((split_out / "index.html").as_uri())
      widths = page.evaluate(
          "Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
      sections = page.evaluate("document.querySelectorAll('div.photo').length")
    finally:
      browser.close()
  assert sections == NUM_PHOTOS
  assert len(widths) == 2 * NUM_PHOTOS
  assert all(width > 0 for width in widths)


def test_a_workdir_without_trust_json_has_trust_fitted_on_its_fit_split(cosine_workdir,
                                                                         tmp_path):
  """Trust is fitted on config.trust.fit_split (val) for the explanation; the workdir is left
  as it was, bar the prototype cache."""
  workdir = tmp_path / "workdir"
  shutil.copytree(cosine_workdir, workdir)
  (workdir / "trust.json").unlink()
  photos.explain(str(workdir), str(tmp_path / "out"), split="test", num=2, top_k=TOP_K)
  for record in _records(tmp_path / "out").values():
    assert record["decision"] in ("identify", "abstain")
    assert isinstance(record["prediction_set"], list)
  assert not (workdir / "trust.json").exists()


def test_versus_says_why_the_top_species_rather_than_one_the_user_names(cosine_workdir,
                                                                        split_out, tmp_path):
  """--versus: each record's `versus` holds the traits that most favour its top species over
  the one named (by a name as a person writes it), the text says so in a sentence of its own
  that agrees with the JSON, and an unknown name is one line naming species there are."""
  first = next(iter(_records(split_out).values()))
  other = first["species"][-1]  # The last of its top species: never its top one.
  out = tmp_path / "versus"
  photos.explain(str(cosine_workdir), str(out), split="test", num=NUM_PHOTOS, top_k=TOP_K,
                 versus=other["display_name"])
  records = _records(out)
  for record in records.values():
    versus = record["versus"]
    assert versus["name"] == other["name"]
    assert consistency.disagreements(record) == []
    if versus["name"] == record["species"][0]["name"]:
      assert versus["traits"] == []
      continue
    assert versus["traits"] and all(item["role"] == roles.SUPPORTS and item["separation"] > 0
                                    for item in versus["traits"])
    separations = [item["separation"] for item in versus["traits"]]
    assert separations == sorted(separations, reverse=True)
    assert f"Rather than {wording.display_name(versus)}" in record["rationale"]
  assert records[first["name"]]["versus"]["traits"]
  with pytest.raises(ValueError, match=r"--versus: no species 'Dodo' among the \d+ of the table"):
    photos.explain(str(cosine_workdir), str(tmp_path / "dodo"), split="test", num=1,
                   versus="Dodo")
