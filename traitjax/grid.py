"""A grid of training runs from one config (`python -m traitjax.sweep` runs it), with its
summary and plot.

The config carries `sweep`: `name` (the section written to WORKDIR/metrics.json), `axes`, a
tuple of (fields, values) pairs where fields is one dotted config field or several joined by
commas that take the same value (e.g. "data.false_positive,data.false_negative"), and `metrics`
(the report keys to collect, averaged over the points and plotted; "a.b" reads a nested key).
An axis of `seed` (the config's seed: initialisation, shuffling, views) repeats each point of
the other axes with every seed; the summary then reports each metric's mean over the seeds with
its 95% interval (Student's t) under `over_seeds`.
The summary gives each metric's mean over all points and its 95% interval (Student's t over
the points: e.g. over held-out splits, which vary the classes as well as the run).
The plot's x axis is the first axis, one line per value of the others. Every point trains in
WORKDIR/<axis=value,...>/ with the shared trainer, after the sweep writes there
sweep_point.json with the fingerprint of the point's config (`config_lib.fingerprint`). A
rerun reuses a point only when it has a metrics.json and that fingerprint matches the point's
config now; a point whose config changed (or from a sweep that saved no fingerprint) is
trained again from scratch, the old run moved aside, and a point stopped mid-run with its
config unchanged resumes from its checkpoints. So a stopped sweep resumes where it stopped,
and a changed config never reports old numbers. The summary lists the points `reused` and
`computed`.
"""

import hashlib
import itertools
import json
import os
import re

from absl import logging
import matplotlib
import ml_collections
import numpy as np
from scipy import stats

from traitjax import config_lib
from traitjax import train

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top

# The axis that repeats each point with another config.seed.
SEED = "seed"
POINT_FILE = "sweep_point.json"  # In each point's workdir: the fingerprint of its config.
# The longest point folder name; longer ones end in a hash (`point_name`).
MAX_NAME = 120


def points(sweep: ml_collections.ConfigDict) -> list[dict[str, object]]:
  """Every combination of the axes' values as {fields: value}, first axis slowest."""
  axes = [(fields, tuple(values)) for fields, values in sweep.axes]
  if not axes or any(not values for _, values in axes):
    raise ValueError("sweep.axes needs at least one (fields, values) pair with values")
  return [dict(zip([fields for fields, _ in axes], combination))
          for combination in itertools.product(*(values for _, values in axes))]


def point_config(config: ml_collections.ConfigDict, point: dict) -> ml_collections.ConfigDict:
  """`config` without its sweep block, with each axis' fields set to the point's value."""
  config = ml_collections.ConfigDict(config.to_dict())
  del config["sweep"]
  for fields, value in point.items():
    for field in fields.split(","):
      *parents, leaf = field.strip().split(".")
      node = config
      for parent in parents:
        node = node[parent]
      if leaf not in node:
        raise KeyError(f"sweep axis field {field!r} is not in the config")
      node[leaf] = type(node[leaf])(value) if node[leaf] is not None else value
  return config


def point_name(point: dict) -> str:
  """A folder name: the last part of each axis' first field and its value; one longer than
  `MAX_NAME` characters (a value listing 20 species) is cut there, ending in a hash of all of
  it, so that names stay distinct and every file system takes them."""
  parts = [f"{fields.split(',')[0].split('.')[-1]}={value}" for fields, value in point.items()]
  name = re.sub(r"[^\w=.,-]", "_", ",".join(parts))
  if len(name) <= MAX_NAME:
    return name
  digest = hashlib.sha1(name.encode()).hexdigest()[:10]
  return f"{name[:MAX_NAME - len(digest) - 1]}-{digest}"


def run_point(config: ml_collections.ConfigDict, workdir: str, index: int) -> tuple[dict, bool]:
  """Trains and evaluates point `index` of the sweep in its folder (or reuses it, finished with
  the same config). Returns its report and whether it was reused.

  Raises:
    IndexError for an index past the grid.
  """
  grid = points(config.sweep)
  if not 0 <= index < len(grid):
    raise IndexError(f"sweep point {index} does not exist: the sweep has {len(grid)} points "
                     f"(0-{len(grid) - 1})")
  point = grid[index]
  point_dir = os.path.join(workdir, point_name(point))
  report_path = os.path.join(point_dir, "metrics.json")
  this_config = point_config(config, point)
  fingerprint = config_lib.fingerprint(this_config)
  saved = _saved_fingerprint(point_dir)
  progress = f"sweep point {index + 1}/{len(grid)}"
  if saved == fingerprint and os.path.isfile(report_path):
    logging.info("%s reused (config unchanged): %s", progress, point_dir)
    with open(report_path) as f:
      return json.load(f), True
  # A folder without this fingerprint holds a run of another config (or of an old sweep that
  # saved none): start afresh. With it but no metrics.json, the run was stopped: resume.
  force_new_run = os.path.isdir(point_dir) and saved != fingerprint
  if force_new_run:
    logging.info("%s training again: config changed (fingerprint %s, was %s): %s", progress,
                 fingerprint, saved, point_dir)
  else:
    logging.info("%s training: %s", progress, point_dir)
    _write_fingerprint(point_dir, point, fingerprint)  # A stopped run resumes next time.
  report = train.train_and_evaluate(this_config, point_dir, force_new_run=force_new_run)
  if force_new_run:  # Written once the old run (and its file) has moved aside.
    _write_fingerprint(point_dir, point, fingerprint)
  return report, False


def run(config: ml_collections.ConfigDict, workdir: str) -> dict:
  """Trains and evaluates every point (reusing those finished with the same config), then
  writes the summary section to `workdir/metrics.json` and `workdir/<name>.png`. Returns the
  section."""
  sweep = config.sweep
  results, reused, computed = [], [], []
  for index, point in enumerate(points(sweep)):
    report, was_reused = run_point(config, workdir, index)
    (reused if was_reused else computed).append(point_name(point))
    report_path = os.path.join(workdir, point_name(point), "metrics.json")
    results.append({"point": point, **{key: lookup(report, key, report_path)
                                        for key in sweep.metrics}})
  section = {"axes": [fields for fields, _ in sweep.axes], "results": results,
             "mean": {key: float(np.mean([r[key] for r in results])) for key in sweep.metrics},
             # Over the points: a spread of splits or settings, not only of seeds.
             "interval_95": {key: mean_and_interval([r[key] for r in results])["interval_95"]
                             for key in sweep.metrics},
             "reused": reused, "computed": computed}
  if SEED in section["axes"]:
    section["over_seeds"] = over_seeds(results, list(sweep.metrics))
  summary_path = os.path.join(workdir, "metrics.json")
  summary = {}
  if os.path.isfile(summary_path):
    with open(summary_path) as f:
      summary = json.load(f)
  summary[sweep.name] = section
  with open(summary_path, "w") as f:
    json.dump(summary, f, indent=2)
  plot(section, list(sweep.metrics)).savefig(os.path.join(workdir, f"{sweep.name}.png"), dpi=90)
  return section


def over_seeds(results: list[dict], metrics: list[str]) -> list[dict]:
  """Per point of the axes but `seed`: each metric's mean over the seeds, its 95% interval
  (mean +- t(0.975, n - 1) standard errors; None for one seed) and the values it rests on."""
  groups = {}
  for result in results:
    rest = {fields: value for fields, value in result["point"].items() if fields != SEED}
    groups.setdefault(json.dumps(rest, sort_keys=True, default=str), (rest, []))[1].append(
        result)
  summary = []
  for rest, members in groups.values():
    entry = {"point": rest, "seeds": [m["point"][SEED] for m in members]}
    for key in metrics:
      entry[key] = mean_and_interval([m[key] for m in members])
    summary.append(entry)
  return summary


def mean_and_interval(values) -> dict:
  """{"mean", "interval_95" (mean +- t(0.975, n - 1) standard errors; None for one value),
  "values"} of a few runs' numbers, e.g. one metric over seeds."""
  values = np.asarray(values, np.float64)
  mean = float(np.mean(values))
  interval = None
  if len(values) > 1:
    half = stats.t.ppf(0.975, len(values) - 1) * np.std(values, ddof=1) / np.sqrt(len(values))
    interval = [mean - float(half), mean + float(half)]
  return {"mean": mean, "interval_95": interval, "values": values.tolist()}


def _saved_fingerprint(point_dir: str) -> str | None:
  """The fingerprint in `point_dir/sweep_point.json`; None when there is none (or it is
  unreadable)."""
  try:
    with open(os.path.join(point_dir, POINT_FILE)) as f:
      return json.load(f).get("fingerprint")
  except (OSError, ValueError, AttributeError):
    return None


def _write_fingerprint(point_dir: str, point: dict, fingerprint: str) -> None:
  os.makedirs(point_dir, exist_ok=True)
  with open(os.path.join(point_dir, POINT_FILE), "w") as f:
    json.dump({"point": point, "fingerprint": fingerprint}, f, indent=1)


def lookup(report: dict, key: str, path: str = "the report"):
  """report["a"]["b"] for the key "a.b" (a key with a dot of its own is tried whole first)."""
  if key in report:
    return report[key]
  value = report
  for part in key.split("."):
    if not isinstance(value, dict) or part not in value:
      raise KeyError(f"{path} has no {key!r}")
    value = value[part]
  return value


def plot(section: dict, metrics: list[str]) -> plt.Figure:
  """One panel per metric: the metric against the first axis, one line per value of the
  other axes."""
  first, *others = section["axes"]
  figure, axes = plt.subplots(1, len(metrics), figsize=(4.5 * len(metrics), 3.4), squeeze=False)
  lines = {}
  for result in section["results"]:
    label = ", ".join(f"{fields.split('.')[-1]}={result['point'][fields]}" for fields in others)
    lines.setdefault(label, []).append(result)
  values = list(dict.fromkeys(r["point"][first] for r in section["results"]))
  numeric = all(isinstance(v, (int, float)) for v in values)
  position = {v: (v if numeric else i) for i, v in enumerate(values)}
  for ax, metric in zip(axes[0], metrics):
    for label, results in lines.items():
      ax.plot([position[r["point"][first]] for r in results], [r[metric] for r in results],
              "o-", label=label or None)
    if not numeric:  # e.g. tuples of held-out species: one tick each.
      ax.set_xticks(range(len(values)), [str(v) for v in values], fontsize=6, rotation=20)
    ax.set_xlabel(first.split(",")[0])
    ax.set_title(metric, fontsize=9)
    ax.grid(alpha=0.3)
  if others:
    axes[0][0].legend(fontsize=8)
  figure.tight_layout()
  return figure
