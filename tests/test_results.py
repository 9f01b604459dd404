"""The docs tables rendered from stored results (traitjax.results): the committed pages match
their results, a hand-edited number fails the check naming its table and the rewrite restores
it, a changed result reaches every table that reads it, bad markers and missing files stop in one
line, and `--store` picks a run's numbers."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from tests import conftest
from tests import run_main
from traitjax import cli
from traitjax import grid
from traitjax.results import pages
from traitjax.results import stored
from traitjax.results import tables

_CUB_ROW = "| `configs/cub.py` (one run, 600 steps) | 679 s |"


def _copy_docs(tmp_path) -> str:
  """README.md, docs/ (without its figures) and results/ of the checkout under tmp_path."""
  shutil.copy(conftest.REPO / "README.md", tmp_path)
  shutil.copytree(conftest.REPO / "docs", tmp_path / "docs", ignore=shutil.ignore_patterns("*.png"))
  shutil.copytree(conftest.REPO / "results", tmp_path / "results")
  return str(tmp_path)


def test_the_docs_tables_match_their_stored_results():
  """Fails when a marked table of README.md or docs/*.md no longer reads as its results render:
  `python -m traitjax.results` rewrites it (or the result file is stale)."""
  assert pages.check(str(conftest.REPO)) == f"{len(tables.TABLES)} tables match"
  # Every registered table is on a page, so none is kept without being checked.
  assert {marked.name for marked in pages.collect(str(conftest.REPO))} == set(tables.TABLES)


def test_a_hand_edited_number_fails_the_check_naming_its_table_and_the_rewrite_restores_it(
    tmp_path):
  root = _copy_docs(tmp_path)
  page = tmp_path / "docs" / "training.md"
  committed = page.read_text()
  assert committed.count(_CUB_ROW) == 1
  page.write_text(committed.replace(_CUB_ROW, _CUB_ROW.replace("679 s", "680 s")))
  line = next(i for i, text in enumerate(committed.split("\n"), 1) if text.startswith(_CUB_ROW))
  with pytest.raises(pages.Drift) as drift:
    pages.check(root)
  assert cli.error_message(drift.value) == (
      f"docs/training.md:{line}: table feature_cache differs from what its results render "
      "(python -m traitjax.results rewrites it)")
  assert cli.exit_status(drift.value) == 1
  assert pages.rewrite(root) == (
      f"rewrote 1 of {len(tables.TABLES)} tables: docs/training.md feature_cache")
  assert page.read_text() == committed
  assert pages.check(root) == f"{len(tables.TABLES)} tables match"


def test_a_changed_result_reaches_every_table_that_reads_it(tmp_path):
  root = _copy_docs(tmp_path)
  path = tmp_path / "results" / "blackbox_flora.json"
  result = json.loads(path.read_text())
  result["metrics"]["species_top1"] = 0.5
  path.write_text(stored.dumps(result))
  # README.md comes first, and its headline table reads the black box too.
  with pytest.raises(pages.Drift, match=r"^README\.md:\d+: table readme_headlines "):
    pages.check(root)
  assert pages.rewrite(root) == (
      f"rewrote 4 of {len(tables.TABLES)} tables: README.md readme_headlines, docs/discovery.md "
      "slots_flora, docs/reasoning.md flora_species_heads, docs/training.md flora_models")
  headline = [line for line in (tmp_path / "README.md").read_text().split("\n")
              if line.startswith("| concept bottleneck on synthetic flora")]
  assert len(headline) == 1 and "black box: 50.0% [47.6, 52.4]" in headline[0], headline
  for name in ("discovery", "reasoning", "training"):
    black_box = [line for line in (tmp_path / "docs" / f"{name}.md").read_text().split("\n")
                 if line.startswith("| black box (`configs/blackbox.py`")]
    # The one-run top-1 with its Wilson interval over the 1,600 test photos.
    assert len(black_box) == 1 and black_box[0].split(" | ")[1] == "50.0% [47.6, 52.4]", black_box


def test_an_unknown_table_a_missing_result_or_an_open_marker_is_one_line_with_status_2(tmp_path):
  root = _copy_docs(tmp_path)
  extra = tmp_path / "docs" / "extra.md"
  extra.write_text("# Extra\n\n<!-- results: no_such_table -->\n| a |\n|---|\n<!-- /results -->\n")
  training = (tmp_path / "docs" / "training.md").read_text()
  for run in (pages.check, pages.rewrite):
    with pytest.raises(ValueError) as unknown:
      run(root)
    assert cli.error_message(unknown.value).startswith(
        "docs/extra.md:3: table 'no_such_table' has no renderer in traitjax/results/tables.py "
        f"(known: {', '.join(sorted(tables.TABLES))})")
    assert cli.exit_status(unknown.value) == 2
  assert (tmp_path / "docs" / "training.md").read_text() == training  # Nothing written.

  extra.write_text("# Extra\n\n<!-- results: flora_models -->\n| a |\n")
  with pytest.raises(ValueError, match=r"^docs/extra\.md:3: a table without <!-- /results -->$"):
    pages.check(root)
  extra.unlink()

  os.remove(tmp_path / "results" / "blackbox_flora.json")
  with pytest.raises(FileNotFoundError) as missing:
    pages.check(root)
  message = cli.error_message(missing.value)
  assert message.startswith("README.md:")
  assert message.endswith(": table readme_headlines: result file not found: "
                          "results/blackbox_flora.json")
  assert cli.exit_status(missing.value) == 2


def _git(tmp_path, *args: str) -> str:
  return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path,
                        capture_output=True, text=True, check=True).stdout.strip()


def test_store_writes_the_dotted_keys_of_a_metrics_json_with_the_commit(tmp_path):
  _git(tmp_path, "init", "-q")
  (tmp_path / ".gitignore").write_text("/w/\n/results/\n")
  _git(tmp_path, "add", ".gitignore")
  _git(tmp_path, "commit", "-q", "-m", "a checkout")
  source = tmp_path / "w" / "metrics.json"
  source.parent.mkdir()
  source.write_text(json.dumps({
      "species_top1": 0.25, "by_frequency_bin": {"head": 0.9, "tail": 0.1},
      "selective": {"accuracy_at_coverage": {"0.8": 0.7}},
      "runs": [{"mode": "uncached", "seconds": 10.5}], "intervention": {"k": [0, 1]},
      "not_stored": {"big": list(range(100))}}))
  command = "python -m traitjax.main --config=configs/default.py --workdir=W"
  keys = ["species_top1", "by_frequency_bin.tail", "selective.accuracy_at_coverage.0.8",
          "runs.0.seconds", "intervention.k"]
  path = stored.store(str(tmp_path), "flora", str(source), keys, command, seeds=[0, 1, 2],
                      photos={"test": 1600})
  assert path == str(tmp_path / "results" / "flora.json")
  assert json.loads((tmp_path / "results" / "flora.json").read_text()) == {
      "command": command, "commit": _git(tmp_path, "rev-parse", "HEAD"), "dirty": False,
      "seeds": [0, 1, 2], "photos": {"test": 1600},
      "metrics": {"species_top1": 0.25, "by_frequency_bin.tail": 0.1,
                  "selective.accuracy_at_coverage.0.8": 0.7, "runs.0.seconds": 10.5,
                  "intervention.k": [0, 1]}}

  (tmp_path / ".gitignore").write_text("/w/\n")  # A change to the checkout.
  stored.store(str(tmp_path), "flora", str(source), ["species_top1"], command)
  again = stored.load(str(tmp_path), "flora")
  assert (again["dirty"], again["seeds"], "photos" in again) == (True, [], False)
  assert again["metrics"] == {"species_top1": 0.25}

  with pytest.raises(KeyError) as missing:
    stored.store(str(tmp_path), "other", str(source), ["species_top1", "by_frequency_bin.mid"],
                 command)
  assert cli.error_message(missing.value) == f"{source} has no 'by_frequency_bin.mid'"
  assert not (tmp_path / "results" / "other.json").exists()


def test_store_keeps_each_sweep_point_s_own_numbers_in_its_order(tmp_path):
  _git(tmp_path, "init", "-q")
  (tmp_path / ".gitignore").write_text("/w/\n/results/\n")
  _git(tmp_path, "add", ".gitignore")
  _git(tmp_path, "commit", "-q", "-m", "a checkout")
  points = [{"data.heldout_species": (7, 8)}, {"data.heldout_species": (1, 2)}]
  sweep = tmp_path / "w"
  for n, point in enumerate(points):
    (sweep / grid.point_name(point)).mkdir(parents=True)
    (sweep / grid.point_name(point) / "metrics.json").write_text(json.dumps(
        {"num_examples": 500 + n, "zeroshot": {"trait_auc_table": 0.8 + n / 10}}))
    # What `--mode=eval --name=other_rows` writes in the point's workdir.
    (sweep / grid.point_name(point) / "eval" / "other_rows").mkdir(parents=True)
    (sweep / grid.point_name(point) / "eval" / "other_rows" / "metrics.json").write_text(
        json.dumps({"zeroshot": {"unseen_top1": 0.5 - n / 10}}))
  (sweep / "metrics.json").write_text(json.dumps(
      {"s": {"results": [{"point": point, "m": n} for n, point in enumerate(points)]}}))
  evaluated = "eval/other_rows/metrics.json:zeroshot.unseen_top1"
  stored.store(str(tmp_path), "sweep", str(sweep / "metrics.json"), ["s.results"], "c",
               per_point=["zeroshot.trait_auc_table", evaluated],
               per_point_photos={"test": "num_examples"})
  result = stored.load(str(tmp_path), "sweep")
  assert result["metrics"]["per point: zeroshot.trait_auc_table"] == [0.8, 0.9]
  assert result["metrics"][f"per point: {evaluated}"] == [0.5, 0.4]
  assert result["photos"] == {"test, per point": [500, 501]}
  with pytest.raises(ValueError, match="--per_point reads a sweep's points"):
    stored.store(str(tmp_path), "other", str(sweep / "metrics.json"), ["s.results.0.m"], "c",
                 per_point=["num_examples"])
  (sweep / grid.point_name(points[1]) / "metrics.json").unlink()
  with pytest.raises(FileNotFoundError, match="no metrics.json of sweep point"):
    stored.store(str(tmp_path), "other", str(sweep / "metrics.json"), ["s.results"], "c",
                 per_point=["num_examples"])
  with pytest.raises(FileNotFoundError, match="no eval/none/metrics.json of sweep point"):
    stored.store(str(tmp_path), "other", str(sweep / "metrics.json"), ["s.results"], "c",
                 per_point=["eval/none/metrics.json:zeroshot.unseen_top1"])
  assert not (tmp_path / "results" / "other.json").exists()


def test_a_mean_over_seeds_renders_with_its_interval_and_count():
  """`grid.mean_and_interval` on the stored seeds of the cached-views result gives the numbers
  docs/training.md shows for it, with the count."""
  views = stored.load(str(conftest.REPO), "cached_views_cub")["metrics"]
  assert tables.mean_cell(views["sweeps.on_the_fly.species_top1.values"]) == (
      "89.93% [89.49, 90.37] (n = 3)")
  assert tables.mean_cell(views["sweeps.plain.trait_auc_table.values"], 4, as_percent=False) == (
      "0.9593 [0.9545, 0.9640] (n = 3)")
  assert tables.mean_cell([0.5], 1) == "50.0% (n = 1)"


@pytest.mark.slow  # A subprocess: the command as a person runs it.
def test_the_check_command_exits_1_with_one_line_at_a_drifted_table(tmp_path):
  root = _copy_docs(tmp_path)
  page = tmp_path / "docs" / "training.md"
  page.write_text(page.read_text().replace(_CUB_ROW, _CUB_ROW.replace("679 s", "680 s")))
  env = {**os.environ, "PYTHONPATH": str(conftest.REPO)}
  result = subprocess.run([sys.executable, "-m", "traitjax.results", "--check", f"--root={root}"],
                          cwd=conftest.REPO, env=env, capture_output=True, text=True, timeout=120)
  assert result.returncode == 1, result.stderr
  lines = [line for line in result.stderr.splitlines() if not run_main.is_log_line(line)]
  assert len(lines) == 1 and lines[0].startswith("traitjax: docs/training.md:"), result.stderr
  assert "table feature_cache differs" in lines[0]
  assert not result.stdout


def _part_point(presence: float, val_nmi: float, val_background: float, test_nmi: float) -> dict:
  return {"point": {"part_losses.presence_per_photo": presence},
          "val.parts.nmi": val_nmi, "val.parts.background_share": val_background,
          "parts.nmi": test_nmi, "parts.background_share": 0.5}


def test_the_part_loss_weights_are_chosen_on_val_with_a_living_background_slot():
  points = [_part_point(0, 0.30, 0.8, 0.90), _part_point(1, 0.50, 0.2, 0.40),
            _part_point(2, 0.60, 0.0, 0.95)]
  # The best test NMI (point 0) and the best val NMI without a background slot (point 2) lose.
  assert tables.chosen_slot_point(points) is points[1]


def test_configs_slots_takes_the_part_loss_weights_its_sweep_chose():
  points = stored.load(str(conftest.REPO), "slots_part_losses")["metrics"]["part_losses.results"]
  chosen = tables.chosen_slot_point(points)["point"]
  config = conftest.load_config_module("slots").get_config()
  assert {field: config.part_losses[field.split(".", 1)[1]] for field in chosen} == chosen


def test_configs_cub_slots_takes_the_number_of_slots_its_sweep_chose():
  points = stored.load(str(conftest.REPO), "cub_num_slots")["metrics"]["num_slots.results"]
  chosen = tables.chosen_slot_point(points)["point"]["model.num_slots"]
  assert conftest.load_config_module("cub_slots").get_config().model.num_slots == chosen


def _noise_point(flips: float, loss: str, auc: float, seed: int | None = None) -> dict:
  point = {"data.false_positive,data.false_negative": flips, "model.trait_loss.name": loss}
  return {"point": point if seed is None else {**point, "seed": seed}, "trait_auc_visible": auc,
          "trait_auc_table": auc, "species_top1": auc}


def _noise_results(full: list[dict], repeats: list[dict]) -> tables.Results:
  return tables.Results({
      "noise_sweep_flora": {"seeds": [0], "metrics": {"noise_sweep.results": full}},
      "noise_sweep_seeds_flora": {"seeds": [1, 2], "metrics": {"noise_sweep.results": repeats}}})


def test_the_noise_losses_pair_each_seed_s_runs_and_name_a_cell_missing_a_seed():
  full = [_noise_point(flips, loss, 0.8 - flips) for flips in (0.0, 0.1, 0.3)
          for loss in ("bce", "gce", "group_noise")]
  repeats = [_noise_point(0.3, loss, 0.5 + 0.01 * seed * (loss == "group_noise"), seed)
             for loss in ("bce", "group_noise") for seed in (1, 2)]
  seeds, flips, losses, values = tables.noise_seed_cells(_noise_results(full, repeats))
  assert (seeds, flips, losses) == ([0, 1, 2], [0.3], ["bce", "group_noise"])
  assert values("group_noise", 0.3, "trait_auc_visible") == pytest.approx([0.5, 0.51, 0.52])
  table = tables.noise_losses_seeds(_noise_results(full, repeats))
  # The difference is 0.00, 0.01, 0.02 by seed: mean 0.01, t(0.975, 2) * 0.01 / sqrt(3) wide.
  assert table[-1].startswith("| group_noise minus bce (paired by seed) | 0.010 [-0.015, 0.035]")
  with pytest.raises(ValueError, match=r"group_noise at 30% flips with seeds \[2\]"):
    tables.noise_seed_cells(_noise_results(full, repeats[:-1]))[3]("group_noise", 0.3,
                                                                   "trait_auc_visible")
  with pytest.raises(ValueError, match="a second run"):
    tables.noise_runs(_noise_results(full, repeats + repeats[:1]), "noise_sweep_seeds_flora")
