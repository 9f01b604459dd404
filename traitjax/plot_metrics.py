r"""Training curves of one or more workdirs as one PNG (what TensorBoard shows, for a README),
or their test-time intervention curves from metrics.json.

  python -m traitjax.plot_metrics --workdirs=workdirs/default,workdirs/blackbox --out=curves.png
  python -m traitjax.plot_metrics --workdirs=workdirs/default,workdirs/trait_to_species \
      --plot=intervention --out=intervention.png
"""

import json
import os

from absl import app
from absl import flags
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # pylint: disable=g-import-not-at-top

_WORKDIRS = flags.DEFINE_list("workdirs", None, "Workdirs whose metrics.jsonl to plot.")
_OUT = flags.DEFINE_string("out", None, "PNG to write.")
_KEYS = flags.DEFINE_list(
    "keys", ["train/loss", "train/species_accuracy", "train/trait_loss"], "Scalars to plot.")
_PLOT = flags.DEFINE_enum("plot", "curves", ["curves", "intervention"],
                          "Training curves (metrics.jsonl) or intervention (metrics.json).")
flags.mark_flags_as_required(["workdirs", "out"])


def read_jsonl(path: str) -> list[dict]:
  if not os.path.isfile(path):
    raise FileNotFoundError(f"no metrics log: {path}")
  with open(path) as f:
    return [json.loads(line) for line in f if line.strip()]


def curves(workdirs: list[str], keys: list[str]) -> plt.Figure:
  figure, axes = plt.subplots(1, len(keys), figsize=(4.2 * len(keys), 3.2), squeeze=False)
  for workdir in workdirs:
    records = read_jsonl(os.path.join(workdir, "metrics.jsonl"))
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
  `intervention` section of each metrics.json)."""
  figure, ax = plt.subplots(figsize=(5, 3.4))
  for workdir in workdirs:
    path = os.path.join(workdir, "metrics.json")
    if not os.path.isfile(path):
      raise FileNotFoundError(f"no report: {path}")
    with open(path) as f:
      report = json.load(f)
    if "intervention" not in report:
      raise KeyError(f"{path} has no intervention section (set config.intervention.ks)")
    curve = report["intervention"]
    ax.plot(curve["k"], curve["species_top1"], "o-",
            label=os.path.basename(os.path.normpath(workdir)))
  ax.set_xscale("symlog", linthresh=1)
  ax.set_xlabel("traits corrected per photo (most uncertain first)")
  ax.set_ylabel("species top-1")
  ax.set_ylim(0, 1)
  ax.grid(alpha=0.3)
  ax.legend(fontsize=8)
  figure.tight_layout()
  return figure


def main(argv):
  del argv
  if _PLOT.value == "intervention":
    figure = intervention(_WORKDIRS.value)
  else:
    figure = curves(_WORKDIRS.value, _KEYS.value)
  figure.savefig(_OUT.value, dpi=90)
  print(f"wrote {_OUT.value}")


if __name__ == "__main__":
  app.run(main)
