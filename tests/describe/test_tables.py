"""Tests for descriptions -> trait tables (traitjax.describe.tables) and its command
(traitjax.describe), end to end on the files of a small synthetic flora
(traitjax.flora_files)."""

import json
import subprocess
import sys

import numpy as np
import pytest

from tests import conftest
from traitjax.data import schema
from traitjax.data import synthetic_flora
from traitjax.describe import tables
from traitjax.language import descriptions

MINILM = conftest.MINILM


@pytest.fixture(scope="module")
def flora_dir(tmp_path_factory):
  out = tmp_path_factory.mktemp("flora")
  synthetic_flora.write_flora_files(
      synthetic_flora.Flora(synthetic_flora.Config(num_species=6, seed=3)), out)
  return out


@pytest.mark.slow
def test_flora_files_writes_the_flora_its_flags_name(flora_dir, tmp_path):
  subprocess.run([sys.executable, "-m", "traitjax.flora_files", f"--out={tmp_path}",
                  "--num_species=6", "--seed=3"], check=True, cwd=conftest.REPO, timeout=60)
  for name in (synthetic_flora.DESCRIPTIONS_FILE, synthetic_flora.TRAITS_FILE,
               synthetic_flora.TABLE_FILE):
    assert (flora_dir / name).read_bytes() == (tmp_path / name).read_bytes(), name


@pytest.mark.slow
def test_describe_end_to_end(flora_dir, tmp_path):
  if not MINILM.is_dir():
    pytest.skip(f"all-MiniLM-L6-v2 not found at {MINILM}")
  out = tmp_path / "parsed.csv"
  report = tables.run(str(flora_dir / "descriptions.json"), str(flora_dir / "traits.txt"),
                      str(out), reference_path=str(flora_dir / "table.csv"),
                      encoder_folder=MINILM, show_progress=False)
  table = schema.TraitTable.from_csv(out)
  assert table.traits == synthetic_flora.TRAIT_NAMES and table.num_species == 6
  known = table.values[~np.isnan(table.values)]
  assert ((known >= 0) & (known <= 1)).all()
  assert report["overall"]["f1"] > 0.7
  assert set(report["groups"]) == {g for g, _, _ in synthetic_flora.TRAIT_GROUPS}
  with open(tmp_path / "parsed.metrics.json") as f:
    assert json.load(f)["overall"] == report["overall"]


def test_metrics_path():
  assert tables.metrics_path("a/table.csv") == "a/table.metrics.json"
  assert tables.metrics_path("a/table") == "a/table.metrics.json"


@pytest.mark.parametrize("content, message", [
    ("{not json", "not valid JSON"),
    ("[1, 2]", "expected a non-empty JSON object"),
    ('{"a": 3}', "description of 'a' must be a string or a list of strings"),
])
def test_bad_descriptions_are_refused(flora_dir, tmp_path, content, message):
  path = tmp_path / "descriptions.json"
  path.write_text(content)
  with pytest.raises(ValueError, match=message):
    tables.run(str(path), str(flora_dir / "traits.txt"), str(tmp_path / "out.csv"))
  with pytest.raises(FileNotFoundError, match="descriptions file not found"):
    tables.run(str(tmp_path / "missing.json"), str(flora_dir / "traits.txt"),
               str(tmp_path / "out.csv"))


def test_mismatched_reference_is_refused_before_parsing(flora_dir, tmp_path):
  # A reference may hold species that were not described (left out), not lack described ones.
  reference = schema.TraitTable.from_csv(flora_dir / "table.csv")
  renamed = schema.TraitTable(reference.values, species=("someone else",)
                              + reference.species[1:], traits=reference.traits)
  renamed.to_csv(tmp_path / "reference.csv")
  with pytest.raises(ValueError, match="do not match: 1 parsed species not in the reference "
                                       rf"\(e.g. \[{reference.species[0]!r}\]\)"):
    tables.run(str(flora_dir / "descriptions.json"), str(flora_dir / "traits.txt"),
               str(tmp_path / "out.csv"), reference_path=str(tmp_path / "reference.csv"),
               encoder_folder=tmp_path / "no encoder here")
  assert not (tmp_path / "out.csv").exists()


@pytest.mark.slow
def test_command_line_errors_name_the_problem(flora_dir, tmp_path):
  bad = tmp_path / "bad.json"
  bad.write_text("{not json")
  result = subprocess.run(
      [sys.executable, "-m", "traitjax.describe", f"--descriptions={bad}",
       f"--traits={flora_dir / 'traits.txt'}", f"--out={tmp_path / 'out.csv'}"],
      cwd=conftest.REPO, capture_output=True, text=True, timeout=120)
  assert result.returncode == 2
  assert f"traitjax: {bad}: not valid JSON" in result.stderr


def test_describe_real_text_against_a_cub_root(tmp_path):
  """Two cub25 species described in a folder of text files, scored against the CUB root with
  per-string labels (the three attributes the rules do not read keep their prior: no
  encoder)."""
  root = conftest.CUB25
  if not root.is_dir():
    pytest.skip("cub25 not found")
  folder = tmp_path / "texts"
  folder.mkdir()
  (folder / "Black-footed Albatross.txt").write_text(
      "A large, dark seabird with a pale face. The heavy bill is dark and hooked, and the "
      "legs and feet are black.")
  (folder / "Red-winged Blackbird.txt").write_text(
      "The male is glossy black with red shoulder patches bordered in yellow. Females are "
      "streaked brown.")
  labels = tmp_path / "labels.json"
  labels.write_text(json.dumps({"Black-footed Albatross": [1], "Red-winged Blackbird": [1]}))
  report = tables.run(str(folder), str(root / "attributes.txt"), str(tmp_path / "out.csv"),
                      reference_path=str(root), encoder_folder=tmp_path / "no encoder",
                      show_progress=False, prior_path=str(root), without=("encoder",),
                      sentence_labels_path=str(labels), exclude_species=("same_names",))
  assert report["overall"]["cells"] == 2 * 312 and report["prior"] == "25 known species"
  assert report["prior_excluded"] == {"Black-footed Albatross": ["001.Black_footed_Albatross"],
                                      "Red-winged Blackbird": ["010.Red_winged_Blackbird"]}
  assert report["overall"]["species_auc"] > 0.8
  assert report["appearance"]["recall"] == 1.0
  table = schema.TraitTable.from_csv(tmp_path / "out.csv")
  row = table.species.index("Red-winged Blackbird")
  assert (table.values[row, table.traits.index("has_wing_color::red")]
          > table.values[row, table.traits.index("has_wing_color::blue")])


PRIOR = schema.TraitTable(np.zeros((3, 1), np.float32),
                          species=("017.Cardinal", "018.Spotted_Catbird", "019.Gray_Catbird"),
                          traits=("has_crown_color::red",))


def test_prior_exclusions_place_every_described_species_as_told():
  """"Northern Cardinal" is "017.Cardinal" only when the caller says so; same names place
  the others, held-out rows leave every prior, and a species placed nowhere stops it."""
  described = ("Northern Cardinal", "Gray Catbird", "Blue Jay")
  assert tables.prior_exclusions(
      PRIOR, described, ["Northern Cardinal=017.Cardinal", "Blue Jay=none", "same_names"]) == {
          "Northern Cardinal": (0,), "Gray Catbird": (2,), "Blue Jay": ()}
  assert tables.prior_exclusions(
      PRIOR, described, ["none", "Northern Cardinal=017.Cardinal", "Gray Catbird=019.Gray_Catbird",
                         "018.Spotted_Catbird"]) == {
          "Northern Cardinal": (0, 1), "Gray Catbird": (1, 2), "Blue Jay": (1,)}
  with pytest.raises(ValueError, match=r"same_names: 'Northern Cardinal' is named like no row"):
    tables.prior_exclusions(PRIOR, described, ["same_names"])
  with pytest.raises(ValueError, match=r"none: 'Gray Catbird' is named like the prior row "
                                       r"'019.Gray_Catbird'"):
    tables.prior_exclusions(PRIOR, described, ["none"])
  with pytest.raises(ValueError, match=r"2 described species are not placed, e.g. "
                                       r"\['Gray Catbird', 'Blue Jay'\]"):
    tables.prior_exclusions(PRIOR, described, ["Northern Cardinal=017.Cardinal"])


@pytest.mark.parametrize("items, message", [
    (["Northern Cardinal=Cardinalis cardinalis", "none"],
     r"'Cardinalis cardinalis' \('Northern Cardinal=Cardinalis cardinalis'\) is not a row of "
     r"the prior table \(3 of them"),
    (["Cardinalis cardinalis", "none"], r"'Cardinalis cardinalis' .* is not a row of the prior"),
    (["Blue Jay=017.Cardinal", "none"], r"'Blue Jay' .* is not a described species"),
    (["Northern Cardinal=017.Cardinal", "Northern Cardinal=none", "none"],
     r"'Northern Cardinal' is placed both in a prior row and in none"),
    (["same_names", "none"], r"same_names and none contradict"),
])
def test_an_exclusion_naming_no_prior_row_is_refused_in_one_line(items, message):
  with pytest.raises(ValueError, match=message) as raised:
    tables.prior_exclusions(PRIOR, ("Northern Cardinal", "Gray Catbird"), items)
  assert "\n" not in str(raised.value)


def test_a_prior_table_needs_the_described_species_placed(tmp_path):
  """With a prior table the command must be told which rows the described species are; an
  excluded row must be one of the prior's; without a prior, rows cannot be named."""
  texts = tmp_path / "texts.json"
  texts.write_text(json.dumps({"Northern Cardinal": "Red all over."}))
  prior = tmp_path / "prior.csv"
  PRIOR.to_csv(prior)
  traits = tmp_path / "traits.txt"
  traits.write_text("1 has_crown_color::red\n")
  run = lambda **kwargs: tables.run(str(texts), str(traits), str(tmp_path / "out.csv"),
                                    show_progress=False, **kwargs)
  with pytest.raises(ValueError, match=r"prior.csv: the prior table \(3 known species\) may "
                                       r"hold the described species .* --exclude_species"):
    run(prior_path=str(prior))
  with pytest.raises(ValueError, match=r"'Red cardinal' \('Northern Cardinal=Red cardinal'\) is "
                                       r"not a row of the prior table"):
    run(prior_path=str(prior), exclude_species=("Northern Cardinal=Red cardinal",))
  with pytest.raises(ValueError, match="names prior rows, but no prior table is used"):
    run(prior_path=tables.NO_PRIOR, exclude_species=("Northern Cardinal=017.Cardinal",))
  assert not (tmp_path / "out.csv").exists()
  run(prior_path=str(prior), exclude_species=("Northern Cardinal=017.Cardinal",))
  run(prior_path=tables.NO_PRIOR, exclude_species=("none",))


def test_several_sources_are_joined_per_species(tmp_path):
  (tmp_path / "a.json").write_text(json.dumps({"x": "Red crown.", "y": ["Blue wings."]}))
  folder = tmp_path / "more"
  folder.mkdir()
  (folder / "x.txt").write_text("Black bill.")
  merged = descriptions.read_descriptions(f"{tmp_path / 'a.json'},{folder}")
  assert merged == {"x": ["Red crown.", "Black bill."], "y": ["Blue wings."]}
  (tmp_path / "empty").mkdir()
  with pytest.raises(ValueError, match="no .txt descriptions"):
    descriptions.read_descriptions(str(tmp_path / "empty"))


@pytest.mark.slow
def test_without_the_rules_the_encoder_reads_every_trait(tmp_path):
  """Every EuroSAT characteristic is read by the rules; left without them, the encoder reads
  them all (it is not skipped as when the rules cover the vocabulary)."""
  if not MINILM.is_dir():
    pytest.skip(f"all-MiniLM-L6-v2 not found at {MINILM}")
  data = conftest.REPO / "data"
  report = tables.run(str(data / "descriptions" / "eurosat.json"),
                      str(data / "traits" / "eurosat.txt"), str(tmp_path / "encoder.csv"),
                      reference_path=str(data / "tables" / "eurosat_hand.csv"),
                      encoder_folder=MINILM, without=("rules",), show_progress=False)
  assert report["overall"]["species_auc"] > 0.6  # The prior alone ranks nothing: 0.5.


def test_a_field_guides_entries_are_read_as_descriptions(tmp_path):
  path = tmp_path / "species.json"
  path.write_text(json.dumps({
      "Acer rubrum": {"popularName": "Red Maple", "description": "Leaves opposite.",
                      "growth": "Deciduous tree.", "bloom": "Early spring."},
      "Pinus strobus": {"description": "Needles in bundles of five."}}))
  assert descriptions.read_descriptions(str(path)) == {
      "Acer rubrum": ["Leaves opposite. Deciduous tree."],
      "Pinus strobus": ["Needles in bundles of five."]}
  path.write_text(json.dumps({"Acer rubrum": {"popularName": "Red Maple"}}))
  with pytest.raises(ValueError, match="none of the fields description, growth"):
    descriptions.read_descriptions(str(path))


def test_the_provenance_names_the_sentence_and_words_behind_each_cell(tmp_path, capsys):
  """A support and a denial, each traced to its sentence and words; the console line lists
  the traits read with their scores."""
  (tmp_path / "traits.txt").write_text("1 has_wing_color::red\n2 has_wing_color::black\n"
                                       "3 has_breast_color::yellow\n"
                                       "4 has_breast_pattern::striped\n")
  (tmp_path / "bird.json").write_text(json.dumps(
      {"Test Bird": ["It has black wings.", "It lacks streaks on the breast."]}))
  tables.run(str(tmp_path / "bird.json"), str(tmp_path / "traits.txt"),
             str(tmp_path / "bird.csv"), prior_path=tables.NO_PRIOR, show_progress=False,
             provenance_path=str(tmp_path / "read.json"))
  read = json.loads((tmp_path / "read.json").read_text())["Test Bird"]
  assert set(read) == {"has_wing_color::black", "has_breast_pattern::striped"}
  black = read["has_wing_color::black"]
  assert black["score"] == 1.0 and black["read"] == [
      {"sentence": "It has black wings", "words": "black wing", "amount": 1.0, "denies": False}]
  striped = read["has_breast_pattern::striped"]
  assert striped["score"] < 0.2
  assert [(item["sentence"], item["words"], item["denies"]) for item in striped["read"]] == [
      ("It lacks streaks on the breast", "not striped breast", True)]
  assert ("Test Bird: 2 traits read; most supported: has_wing_color::black 1.00; denied: "
          "has_breast_pattern::striped") in capsys.readouterr().out
