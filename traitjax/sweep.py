r"""Trains every point of a config's `sweep` block (`traitjax.grid`, which says what the block
holds) and writes the summary section and plot.

  python -m traitjax.sweep --config=configs/noise_sweep.py --workdir=workdirs/noise_sweep

Every point trains in WORKDIR/<axis=value,...>/; a rerun reuses a point only when it finished
with the same config (its fingerprint in sweep_point.json) and trains the others again, so a
stopped sweep resumes where it stopped and a changed config never reports old numbers. The
summary goes to WORKDIR/metrics.json under the sweep's name (with the points `reused` and
`computed`), the plot to WORKDIR/<name>.png.
"""

import json

from absl import app
from absl import flags
from ml_collections import config_flags

from traitjax import cli
from traitjax import grid

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file with a `sweep` block.")
_WORKDIR = flags.DEFINE_string("workdir", None, "Each point's workdir, the summary and plot.")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  section = grid.run(_CONFIG.value, _WORKDIR.value)
  for result in section["results"]:
    print(json.dumps(result))


if __name__ == "__main__":
  cli.run(main)
