r"""Draws one figure of training runs as a PNG (`traitjax.plots`): the training curves of one or
more workdirs (what TensorBoard shows, for a README), their test-time intervention curves from
metrics.json, or the slot masks of a slot-attention workdir's newest checkpoint on photos of its
evaluation split.

  python -m traitjax.plot_metrics --workdirs=workdirs/default,workdirs/blackbox --out=curves.png
  python -m traitjax.plot_metrics --workdirs=workdirs/default,workdirs/trait_to_species \
      --plot=intervention --out=intervention.png
  python -m traitjax.plot_metrics --workdirs=workdirs/slots --plot=slots \
      --out=workdirs/slots/slots.png
"""

from absl import app
from absl import flags

from traitjax import cli
from traitjax import plots
from traitjax.explain import slots

_WORKDIRS = flags.DEFINE_list("workdirs", None, "Workdirs whose metrics.jsonl to plot.")
_OUT = flags.DEFINE_string("out", None, "PNG to write.")
_KEYS = flags.DEFINE_list(
    "keys", ["train/loss", "train/species_accuracy", "train/trait_loss"], "Scalars to plot.")
_PLOT = flags.DEFINE_enum(
    "plot", "curves", ["curves", "intervention", "slots"],
    "Training curves (metrics.jsonl), intervention (metrics.json) or slot masks (the newest "
    "checkpoint of one slot-attention workdir).")
_NUM_PHOTOS = flags.DEFINE_integer("num_photos", 12, "Photos in the slot-mask figure.")
flags.mark_flags_as_required(["workdirs", "out"])


def main(argv):
  del argv
  if _PLOT.value == "intervention":
    figure = plots.intervention(_WORKDIRS.value)
  elif _PLOT.value == "slots":
    if len(_WORKDIRS.value) != 1:
      raise app.UsageError("--plot=slots draws one workdir")
    figure = slots.slot_masks(_WORKDIRS.value[0], _NUM_PHOTOS.value)
  else:
    figure = plots.curves(_WORKDIRS.value, _KEYS.value)
  figure.savefig(_OUT.value, dpi=90)
  print(f"wrote {_OUT.value}")


if __name__ == "__main__":
  cli.run(main)
