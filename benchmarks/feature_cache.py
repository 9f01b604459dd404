r"""The feature cache against recomputing the backbone, in one call: the same run (or sweep)
uncached, then with an empty cache (cold), then again with the cache it filled (warm).

  python benchmarks/feature_cache.py --config=configs/cub.py --out=DIR
  python benchmarks/feature_cache.py --config=configs/eurosat_zeroshot.py --sweep --out=DIR
  python benchmarks/feature_cache.py --config=configs/leafsnap_guide_zeroshot.py --sweep \
      --out=DIR --overrides=--config.input.augmentation=False

Each run is `python -m traitjax.main` (or `traitjax.sweep` with --sweep) in its own workdir under
DIR (`uncached`, `cold`, `warm`; the cache in DIR/cache); `--overrides` are passed to all three.
Prints a markdown table (wall time, its ratio to the uncached run, peak memory of the process,
the cache's size on disk) and writes it with the numbers to DIR/feature_cache.json; also says
whether the cold and warm runs' metrics.json are identical, and how the uncached one differs.
"""

import json
import os
import subprocess
import sys
import time

from absl import flags

from traitjax import cli

_CONFIG = flags.DEFINE_string("config", None, "The config file (and variant) to run.")
_OUT = flags.DEFINE_string("out", None, "Folder of the three workdirs and the cache.")
_SWEEP = flags.DEFINE_bool("sweep", False, "Run traitjax.sweep (the config has a sweep block).")
_OVERRIDES = flags.DEFINE_list("overrides", [], "Config overrides passed to every run.")
flags.mark_flags_as_required(["config", "out"])

# Keys of metrics.json that say how long a run took, not what it measured.
_TIMINGS = ("train_seconds", "reused", "computed")


def _run(mode: str, cache: str) -> dict:
  """One run in OUT/mode; its wall time and the peak resident memory of its process."""
  workdir = os.path.join(_OUT.value, mode)
  command = [sys.executable, "-m", "traitjax.sweep" if _SWEEP.value else "traitjax.main",
             f"--config={_CONFIG.value}", f"--workdir={workdir}",
             f"--config.input.feature_cache={cache}", *_OVERRIDES.value]
  print(f"{mode}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
  with open(os.path.join(_OUT.value, f"{mode}.log"), "w") as log:
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
  process.returncode = os.waitstatus_to_exitcode(status)
  if process.returncode:
    raise RuntimeError(f"{mode} run failed with status {process.returncode}: see "
                       f"{os.path.join(_OUT.value, mode + '.log')}")
  return {"mode": mode, "seconds": round(seconds, 1),
          "peak_memory_mb": round(usage.ru_maxrss / 1024), "workdir": workdir}


def _size(folder: str) -> tuple[int, int]:
  """(files, bytes) under `folder`."""
  files = [os.path.join(root, name) for root, _, names in os.walk(folder) for name in names]
  return len(files), sum(os.path.getsize(f) for f in files)


def _metrics(workdir: str) -> dict:
  with open(os.path.join(workdir, "metrics.json")) as f:
    return _without_timings(json.load(f))


def _without_timings(report):
  if isinstance(report, dict):
    return {k: _without_timings(v) for k, v in report.items() if k not in _TIMINGS}
  if isinstance(report, list):
    return [_without_timings(v) for v in report]
  return report


def main(argv):
  del argv
  os.makedirs(_OUT.value, exist_ok=True)
  cache = os.path.abspath(os.path.join(_OUT.value, "cache"))
  if os.path.exists(cache):
    raise ValueError(f"{cache} exists: the cold run needs an empty cache (give another --out)")
  runs = [_run("uncached", "")]
  runs.append(_run("cold", cache))
  entries, size = _size(cache)
  runs.append(_run("warm", cache))
  baseline = runs[0]["seconds"]
  for run in runs:
    run["speedup"] = round(baseline / run["seconds"], 2)
  cold, warm = (_metrics(runs[i]["workdir"]) for i in (1, 2))
  result = {"config": _CONFIG.value, "sweep": _SWEEP.value, "overrides": _OVERRIDES.value,
            "runs": runs, "cache_entries": entries, "cache_mb": round(size / 2**20, 1),
            "cold_and_warm_metrics_identical": cold == warm,
            "uncached_metrics_identical": _metrics(runs[0]["workdir"]) == cold}
  lines = [f"{_CONFIG.value}{' (sweep)' if _SWEEP.value else ''} {' '.join(_OVERRIDES.value)}",
           "", "| run | wall time (s) | speed-up vs uncached | peak memory (MB) |",
           "|---|---|---|---|"]
  lines += [f"| {r['mode']} | {r['seconds']} | {r['speedup']}x | {r['peak_memory_mb']} |"
            for r in runs]
  lines += ["", f"cache: {entries} entries, {result['cache_mb']} MB; cold and warm metrics "
            f"identical: {result['cold_and_warm_metrics_identical']}; uncached metrics "
            f"identical to cached: {result['uncached_metrics_identical']}"]
  print("\n".join(lines))
  with open(os.path.join(_OUT.value, "feature_cache.json"), "w") as f:
    json.dump({**result, "table": lines}, f, indent=1)


if __name__ == "__main__":
  cli.run(main)
