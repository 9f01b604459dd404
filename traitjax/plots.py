"""Figures of training runs, from their workdirs (`python -m traitjax.plot_metrics` draws them):
training curves (what TensorBoard shows, for a README), test-time intervention curves from
metrics.json, and slot masks (`traitjax.explain.slots` draws a workdir's); and the figures of
the trust evaluators' reports (a reliability diagram, risk-coverage curves), which training
writes beside metrics.json.
"""

import errno
import json
import os

from absl import logging
import matplotlib
import numpy as np

from traitjax.data import schema

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top


def read_jsonl(path: str) -> list[dict]:
  """The records of a metrics.jsonl, each a JSON object with a "step".

  A last line cut short (no newline: the run was killed while writing it) is left out with a
  warning.

  Raises:
    FileNotFoundError naming the path when there is no file; ValueError naming the file and
    line of any other line that is not such a record.
  """
  if not os.path.isfile(path):
    raise FileNotFoundError(errno.ENOENT, "no metrics log", path)
  with open(path) as f:
    lines = f.read().split("\n")
  # After the last newline: "" for a complete file, else a line cut short.
  partial = lines.pop()
  records = []
  for number, line in enumerate(lines, 1):
    if line.strip():
      records.append(_record(line, path, number))
  if partial.strip():
    try:
      records.append(_record(partial, path, len(lines) + 1))
    except ValueError:
      logging.warning("%s: line %d cut short (a run killed while writing it), left out",
                      path, len(lines) + 1)
  return records


def _record(line: str, path: str, number: int) -> dict:
  try:
    record = json.loads(line)
  except json.JSONDecodeError as e:
    raise ValueError(f"{path}, line {number}: not a JSON record ({e.msg}, column {e.colno}); "
                     "remove or repair the line") from None
  if not isinstance(record, dict) or "step" not in record:
    raise ValueError(f"{path}, line {number}: not a record with a step: {line[:80]}")
  return record


def curves(workdirs: list[str], keys: list[str]) -> plt.Figure:
  """One panel per key (a scalar name in metrics.jsonl), one line per workdir.

  Raises:
    FileNotFoundError, ValueError: a workdir without a readable metrics.jsonl (`read_jsonl`), or
    a key that no workdir logged (the message lists those they did).
  """
  logs = {workdir: read_jsonl(os.path.join(workdir, "metrics.jsonl")) for workdir in workdirs}
  known = {key for records in logs.values() for record in records for key in record}
  known.discard("step")
  unknown = [key for key in keys if key not in known]
  if unknown:
    raise ValueError(f"no scalar {', '.join(unknown)} in the metrics.jsonl of "
                     f"{', '.join(workdirs)}; logged: {', '.join(sorted(known)) or 'nothing'}")
  figure, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.2), squeeze=False)
  for workdir, records in logs.items():
    for ax, key in zip(axes[0], keys):
      points = [(r["step"], r[key]) for r in records if key in r]
      if points:
        ax.plot(*zip(*points), label=os.path.basename(os.path.normpath(workdir)))
  for ax, key in zip(axes[0], keys):
    ax.set_title(key, fontsize=9)
    ax.set_xlabel("step")
    ax.grid(alpha=0.3)
  axes[0][0].legend(fontsize=8)
  figure.tight_layout()
  return figure


def intervention(workdirs: list[str]) -> plt.Figure:
  """Species top-1 against the number of corrected traits, one line per workdir (the
  `intervention` section of each metrics.json); a curve against the species' own row (the
  label) is labelled as the oracle it is."""
  figure, ax = plt.subplots(figsize=(5, 3.4))
  for workdir in workdirs:
    path = os.path.join(workdir, "metrics.json")
    if not os.path.isfile(path):
      raise FileNotFoundError(errno.ENOENT, "no report", path)
    with open(path) as f:
      report = json.load(f)
    if "intervention" not in report:
      raise KeyError(f"{path} has no intervention section (an evaluator of type intervention "
                     f"writes it)")
    curve = report["intervention"]
    label = os.path.basename(os.path.normpath(workdir))
    if curve.get("oracle"):
      label += f" (oracle: {curve['truth']})"
    ax.plot(curve["k"], curve["species_top1"], "o-", label=label)
  ax.set_xscale("symlog", linthresh=1)
  ax.set_xlabel("traits corrected per photo (most uncertain first)")
  ax.set_ylabel("species top-1")
  ax.set_ylim(0, 1)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  figure.tight_layout()
  return figure


def reliability_diagram(report: dict) -> plt.Figure:
  """Accuracy against confidence per bin, before and after temperature scaling, from a
  calibration report (its `reliability` bins, ECE and temperature)."""
  figure, axes = plt.subplots(1, 2, figsize=(8, 3.6), sharey=True)
  for ax, when in zip(axes, ("before", "after")):
    bins = report["reliability"][when]
    edges = np.array(bins["upper_edge"])
    width = edges[0]
    accuracy = np.array([np.nan if a is None else a for a in bins["accuracy"]])
    confidence = np.array([np.nan if c is None else c for c in bins["confidence"]])
    ax.bar(edges - width / 2, np.nan_to_num(accuracy), width=width * 0.95, color="#4c72b0",
           label="accuracy")
    ax.bar(edges - width / 2, np.nan_to_num(confidence), width=width * 0.95, fill=False,
           edgecolor="#dd8452", lw=1.5, label="mean confidence")
    ax.plot([0, 1], [0, 1], "k--", lw=1)
    temperature = 1.0 if when == "before" else report["temperature"]
    ece = report[f"ece_{when}"]
    ax.set_title(f"{when} (T = {temperature:.2f}): ECE "
                 f"{'n/a' if ece is None else f'{ece:.3f}'}", fontsize=9)
    ax.set_xlabel("confidence (top-1 probability)")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
  axes[0].set_ylabel("accuracy")
  axes[0].legend(fontsize=8, loc="upper left")
  figure.tight_layout()
  return figure


def risk_coverage(report: dict) -> plt.Figure:
  """Error rate among the accepted photos against coverage, one line per score of trust,
  from a selective report (`by_score` curves; the chosen score drawn thicker, the decision
  threshold's coverage marked)."""
  figure, ax = plt.subplots(figsize=(5.2, 3.6))
  for name, summary in report["by_score"].items():
    curve = summary["curve"]
    aurc = summary["aurc"]
    ax.plot(curve["coverage"], curve["risk"], lw=2.5 if name == report["score"] else 1.2,
            label=f"{name} (AURC {'n/a' if aurc is None else f'{aurc:.3f}'})")
  decisions = report.get("decisions")
  if decisions and decisions.get("abstention_rate") is not None:
    ax.axvline(1 - decisions["abstention_rate"], color="grey", ls=":", lw=1,
               label=f"decision threshold (target {decisions['target_accuracy']:.0%})")
  ax.set_xlabel("coverage (fraction of photos answered)")
  ax.set_ylabel("risk (error rate of answers)")
  ax.set_xlim(0, 1)
  ax.set_ylim(0, None)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=7)
  figure.tight_layout()
  return figure


def save_figure(figure: plt.Figure, path: str) -> None:
  """Writes `figure` as a PNG and closes it."""
  figure.savefig(path, dpi=120)
  plt.close(figure)


def slot_mask_figure(images: np.ndarray, outputs: dict, num_slots: int,
                     slot_names: list[dict] | None = None, columns: int = 6) -> plt.Figure:
  """Each photo twice: as it is with its visible keypoints (white crosses), and with every
  slot's mask in the slot's colour (the background slot, if any, left uncoloured) and each
  foreground slot's centroid marked (a dot as large as the slot is present).

  Args:
    images: float [N, H, W, 3] in [-1, 1].
    outputs: the slot task's predictions for them: masks [N, K', h, w], centroids [N, K', 2],
      presence [N, K'] and parts [N, P, 3].
    num_slots: K, the foreground slots (the first K).
    slot_names: metrics.json's `slot_names.slots`, to label each slot by the traits naming it.
    columns: photos per row.
  """
  photos = (np.asarray(images) + 1.0) / 2.0
  masks = np.asarray(outputs["masks"])
  colours = plt.get_cmap("tab10" if num_slots <= 10 else "tab20")(np.arange(num_slots))[:, :3]
  overlay_rgb = np.einsum("nkhw,kc->nhwc", masks[:, :num_slots], colours) / np.maximum(
      masks[:, :num_slots].sum(1), 1e-6)[..., None]
  overlay_alpha = 0.75 * masks[:, :num_slots].sum(1)[..., None]
  rows = -(-len(photos) // columns)
  figure, axes = plt.subplots(2 * rows, columns, figsize=(1.9 * columns, 3.9 * rows),
                              squeeze=False)
  for ax in axes.flat:
    ax.axis("off")
  height, width = photos.shape[1:3]
  for n, photo in enumerate(photos):
    row, column = 2 * (n // columns), n % columns
    plain, coloured = axes[row, column], axes[row + 1, column]
    plain.imshow(photo)
    visible = outputs[schema.PARTS][n, :, 2] > 0
    plain.plot(outputs[schema.PARTS][n, visible, 0] * width,
               outputs[schema.PARTS][n, visible, 1] * height, "wx", ms=5, mew=1.5)
    coloured.imshow(photo * 0.55)
    coloured.imshow(np.concatenate([overlay_rgb[n], overlay_alpha[n]], -1),
                    extent=(-0.5, width - 0.5, height - 0.5, -0.5), interpolation="bilinear")
    for k in range(num_slots):
      x, y = outputs["centroids"][n, k]
      coloured.scatter(x * width, y * height, s=10 + 60 * outputs["presence"][n, k],
                       color=colours[k], edgecolors="white", linewidths=0.8)
  labels = [f"slot {k}" for k in range(num_slots)]
  if slot_names:
    labels = [f"{label}: " + (", ".join(t["trait"] for t in name["traits"][:2])
                              or "no known trait")
              for label, name in zip(labels, slot_names)]
  handles = [plt.Line2D([], [], marker="o", ls="", color=colours[k]) for k in range(num_slots)]
  legend_columns = min(num_slots, 3)
  figure.legend(handles, labels, loc="lower center", ncol=legend_columns, fontsize=7,
                frameon=False)
  legend_rows = -(-num_slots // legend_columns)
  figure.tight_layout(rect=(0, (0.1 + 0.14 * legend_rows) / figure.get_figheight(), 1, 1))
  return figure
