"""Figures of training runs: curves from metrics.jsonl, intervention curves from metrics.json."""

import json

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
  for name, top1 in (("cbm", [0.3, 0.6, 0.97]), ("table", [0.4, 0.7, 0.99])):
    (tmp_path / name).mkdir()
    (tmp_path / name / "metrics.json").write_text(json.dumps(
        {"intervention": {"k": [0, 4, 42], "species_top1": top1}}))
  figure = plots.intervention([str(tmp_path / "cbm"), str(tmp_path / "table")])
  (ax,) = figure.axes
  assert [line.get_label() for line in ax.lines] == ["cbm", "table"]
  assert list(ax.lines[1].get_ydata()) == [0.4, 0.7, 0.99]
  (tmp_path / "plain").mkdir()
  (tmp_path / "plain" / "metrics.json").write_text(json.dumps({"species_top1": 0.5}))
  with pytest.raises(KeyError, match="intervention"):
    plots.intervention([str(tmp_path / "plain")])
