r"""What caching a frozen backbone's views costs against augmenting on the fly, over seeds: the
same seed sweep three ways, then each metric's difference to the on-the-fly run, paired by seed,
with its 95% interval.

  python benchmarks/cached_views.py --config=configs/cub.py:seeds --out=DIR

Sweeps (in DIR/<way>; a finished one is read, not run again): `on_the_fly` (no cache: every step
augments the photo and runs the backbone), `views_4` (the cache's 4 augmented views of each
training photo, the default) and `plain` (the cache's plain photo only, no augmentation reaching
the backbone). Prints a markdown table and writes it with the numbers to DIR/cached_views.json.
"""

import json
import os
import subprocess
import sys
import time

from absl import flags
import numpy as np

from traitjax import cli
from traitjax import grid

_CONFIG = flags.DEFINE_string("config", None, "A config (and variant) whose sweep has a seed axis.")
_OUT = flags.DEFINE_string("out", None, "Folder of the three sweeps and their shared cache.")
flags.mark_flags_as_required(["config", "out"])

# Each way: its config overrides (the cache folder is added to the cached ones).
WAYS = {"on_the_fly": ["--config.input.feature_cache="],
        "views_4": ["--config.input.cached_views=4"],
        "plain": ["--config.input.cached_views=0"]}


def _sweep(way: str, cache: str) -> dict:
  """The sweep's over_seeds summary (run first unless DIR/way/metrics.json exists) and its wall
  time (None when read)."""
  workdir = os.path.join(_OUT.value, way)
  seconds = None
  if not os.path.isfile(os.path.join(workdir, "metrics.json")):
    overrides = WAYS[way] + ([] if way == "on_the_fly"
                             else [f"--config.input.feature_cache={cache}"])
    command = [sys.executable, "-m", "traitjax.sweep", f"--config={_CONFIG.value}",
               f"--workdir={workdir}", *overrides]
    print(f"{way}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    start = time.perf_counter()
    with open(os.path.join(_OUT.value, f"{way}.log"), "w") as log:
      subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, check=True)
    seconds = round(time.perf_counter() - start, 1)
  with open(os.path.join(workdir, "metrics.json")) as f:
    sweep, = json.load(f).values()
  if len(sweep["over_seeds"]) != 1:
    raise ValueError(f"{_CONFIG.value}'s sweep has axes besides the seed: {sweep['axes']}")
  return {"seconds": seconds, **sweep["over_seeds"][0]}


def main(argv):
  del argv
  os.makedirs(_OUT.value, exist_ok=True)
  cache = os.path.abspath(os.path.join(_OUT.value, "cache"))
  sweeps = {way: _sweep(way, cache) for way in WAYS}
  metrics = [k for k, v in sweeps["on_the_fly"].items() if isinstance(v, dict) and "mean" in v]
  base = sweeps["on_the_fly"]
  lines = ["| way | wall time (s) | " + " | ".join(metrics) + " |",
           "|---|---|" + "---|" * len(metrics)]
  differences = {}
  for way, sweep in sweeps.items():
    if sweep["seeds"] != base["seeds"]:
      raise ValueError(f"{way} ran seeds {sweep['seeds']}, on_the_fly {base['seeds']}")
    cells = []
    for key in metrics:
      low, high = sweep[key]["interval_95"]
      cell = f"{sweep[key]['mean']:.4f} [{low:.4f}, {high:.4f}]"
      if way != "on_the_fly":
        difference = grid.mean_and_interval(
            np.subtract(sweep[key]["values"], base[key]["values"]))
        differences.setdefault(way, {})[key] = difference
        low, high = difference["interval_95"]
        cell += f"; {difference['mean']:+.4f} [{low:+.4f}, {high:+.4f}]"
      cells.append(cell)
    lines.append(f"| {way} | {sweep['seconds'] or 'read'} | " + " | ".join(cells) + " |")
  lines += ["", f"mean [95% interval] over seeds {base['seeds']}; after ';' the difference to "
            "on_the_fly, paired by seed"]
  print("\n".join(lines))
  with open(os.path.join(_OUT.value, "cached_views.json"), "w") as f:
    json.dump({"config": _CONFIG.value, "sweeps": sweeps, "differences": differences,
               "table": lines}, f, indent=1)


if __name__ == "__main__":
  cli.run(main)
