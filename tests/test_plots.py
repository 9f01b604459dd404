"""Figures of training runs: curves from metrics.jsonl, intervention curves from metrics.json."""

import json
from unittest import mock

import pytest

from traitjax import plots


def test_curves_plot_each_workdir_and_key(tmp_path):
  """One panel per key, one line per workdir, x = logged steps."""
  for name, scale in (("a", 1.0), ("b", 2.0)):
    (tmp_path / name).mkdir()
    with open(tmp_path / name / "metrics.jsonl", "w") as f:
      for step in (10, 20, 30):
        f.write(json.dumps({"step": step, "train/loss": scale / step}) + "\n")
  figure = plots.curves([str(tmp_path / "a"), str(tmp_path / "b")], ["train/loss"])
  (ax,) = figure.axes
  assert [line.get_label() for line in ax.lines] == ["a", "b"]
  assert list(ax.lines[1].get_xdata()) == [10, 20, 30]
  assert ax.lines[1].get_ydata()[0] == pytest.approx(0.2)


def test_missing_log_names_the_path(tmp_path):
  with pytest.raises(FileNotFoundError, match="metrics.jsonl"):
    plots.curves([str(tmp_path)], ["train/loss"])


def test_intervention_plots_each_workdir_curve_and_names_a_missing_section(tmp_path):
  for name, top1, truth in (("cbm", [0.3, 0.6, 0.97], "traits_visible"),
                            ("table", [0.4, 0.7, 0.99], "species_row")):
    (tmp_path / name).mkdir()
    (tmp_path / name / "metrics.json").write_text(json.dumps({"intervention": {
        "truth": truth, "oracle": truth == "species_row", "k": [0, 4, 42],
        "species_top1": top1}}))
  figure = plots.intervention([str(tmp_path / "cbm"), str(tmp_path / "table")])
  (ax,) = figure.axes
  assert [line.get_label() for line in ax.lines] == ["cbm", "table (oracle: species_row)"]
  assert list(ax.lines[1].get_ydata()) == [0.4, 0.7, 0.99]
  (tmp_path / "plain").mkdir()
  (tmp_path / "plain" / "metrics.json").write_text(json.dumps({"species_top1": 0.5}))
  with pytest.raises(KeyError, match="intervention"):
    plots.intervention([str(tmp_path / "plain")])


def _write_log(workdir, text: str) -> None:
  workdir.mkdir()
  (workdir / "metrics.jsonl").write_text(text)


def test_a_line_cut_short_at_the_end_is_left_out_with_a_warning(tmp_path):
  """A run killed while writing its last record leaves a line without its newline: the curves
  are drawn from the complete records."""
  _write_log(tmp_path / "killed", json.dumps({"step": 10, "train/loss": 1.0}) + "\n"
             + '{"step": 20, "train/lo')
  with mock.patch.object(plots.logging, "warning") as warning:
    records = plots.read_jsonl(str(tmp_path / "killed" / "metrics.jsonl"))
  assert records == [{"step": 10, "train/loss": 1.0}]
  assert "line 2 cut short" in warning.call_args[0][0] % warning.call_args[0][1:]
  (ax,) = plots.curves([str(tmp_path / "killed")], ["train/loss"]).axes
  assert list(ax.lines[0].get_xdata()) == [10]


def test_a_garbled_line_is_refused_naming_the_file_and_line(tmp_path):
  """Anything else that is not a record (here a cut line that a resumed run wrote on) is
  refused, the file and line named."""
  _write_log(tmp_path / "resumed", json.dumps({"step": 10, "train/loss": 1.0}) + "\n"
             + '{"step": 20, "train/lo' + json.dumps({"step": 20, "train/loss": 0.5}) + "\n"
             + json.dumps({"step": 30, "train/loss": 0.2}) + "\n")
  with pytest.raises(ValueError, match=r"resumed/metrics.jsonl, line 2: not a JSON record"):
    plots.read_jsonl(str(tmp_path / "resumed" / "metrics.jsonl"))
  _write_log(tmp_path / "list", "[1, 2]\n")
  with pytest.raises(ValueError, match=r"line 1: not a record with a step"):
    plots.read_jsonl(str(tmp_path / "list" / "metrics.jsonl"))


def test_an_unknown_key_is_refused_listing_the_logged_ones(tmp_path):
  """A key no workdir logged would be an empty panel: refused, with the keys that were logged
  (by any of the workdirs)."""
  _write_log(tmp_path / "a", json.dumps({"step": 1, "train/loss": 1.0}) + "\n")
  _write_log(tmp_path / "b", json.dumps({"step": 1, "test/species_top1": 0.5}) + "\n")
  workdirs = [str(tmp_path / "a"), str(tmp_path / "b")]
  with pytest.raises(ValueError, match=r"no scalar train/los, test/top1 in the metrics.jsonl of "
                                       r".*; logged: test/species_top1, train/loss$"):
    plots.curves(workdirs, ["train/los", "train/loss", "test/top1"])
  assert len(plots.curves(workdirs, ["train/loss", "test/species_top1"]).axes) == 2
