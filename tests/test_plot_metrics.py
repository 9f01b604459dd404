"""Training curves from metrics.jsonl."""

import json

import pytest

from traitjax import plot_metrics


def test_curves_plot_each_workdir_and_key(tmp_path):
  """One panel per key, one line per workdir, x = logged steps."""
  for name, scale in (("a", 1.0), ("b", 2.0)):
    (tmp_path / name).mkdir()
    with open(tmp_path / name / "metrics.jsonl", "w") as f:
      for step in (10, 20, 30):
        f.write(json.dumps({"step": step, "train/loss": scale / step}) + "\n")
  figure = plot_metrics.curves([str(tmp_path / "a"), str(tmp_path / "b")], ["train/loss"])
  (ax,) = figure.axes
  assert [line.get_label() for line in ax.lines] == ["a", "b"]
  assert list(ax.lines[1].get_xdata()) == [10, 20, 30]
  assert ax.lines[1].get_ydata()[0] == pytest.approx(0.2)


def test_missing_log_names_the_path(tmp_path):
  with pytest.raises(FileNotFoundError, match="metrics.jsonl"):
    plot_metrics.curves([str(tmp_path)], ["train/loss"])
