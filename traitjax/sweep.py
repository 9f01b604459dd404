r"""Trains every point of a config's `sweep` block (`traitjax.grid`, which says what the block
holds) and writes the summary section and plot.

  python -m traitjax.sweep --config=configs/noise_sweep.py --workdir=workdirs/noise_sweep
  python -m traitjax.sweep --config=configs/noise_sweep.py --workdir=/shared/noise_sweep \
      --launcher=slurm [--dry-run]

Every point trains in WORKDIR/<axis=value,...>/; a rerun reuses a point only when it finished
with the same config (its fingerprint in sweep_point.json) and trains the others again, so a
stopped sweep resumes where it stopped and a changed config never reports old numbers. The
summary goes to WORKDIR/metrics.json under the sweep's name (with the points `reused` and
`computed`), the plot to WORKDIR/<name>.png.

Launchers: `local` (default) trains the points one after another here. `slurm` writes
WORKDIR/sweep.sbatch, a SLURM job array with one task per point (each runs this command with
`--point=I`, requeued when stopped by the signal before its time limit, as launch/slurm.sbatch
is), and submits it with `sbatch`, then a job that waits for the array and writes the summary
(this command again: every point is reused). `--dry-run` prints the script and the two sbatch
commands instead. The array's resources come from `--sbatch` (sbatch options, e.g.
"--gpus-per-node=1 --time=02:00:00").
"""

import json
import os
import shlex
import subprocess
import sys

from absl import app
from absl import flags
from ml_collections import config_flags

from traitjax import cli
from traitjax import grid

_CONFIG = config_flags.DEFINE_config_file("config", None, "Config file with a `sweep` block.")
_WORKDIR = flags.DEFINE_string("workdir", None, "Each point's workdir, the summary and plot.")
_LAUNCHER = flags.DEFINE_enum("launcher", "local", ["local", "slurm"],
                              "local: every point here, in turn; slurm: a SLURM job array.")
_POINT = flags.DEFINE_integer("point", None, "Train only this point (0-based), no summary.",
                              lower_bound=0)
_DRY_RUN = flags.DEFINE_bool("dry-run", False, "With --launcher=slurm: print, submit nothing.")
_SBATCH = flags.DEFINE_string("sbatch", "--gpus-per-node=1 --cpus-per-task=8 --time=04:00:00",
                              "sbatch options for each point of a --launcher=slurm array.")
flags.mark_flags_as_required(["config", "workdir"])

# What a point's task runs after training: a stop by the signal sent before the time limit
# (SIGUSR1, status 138) or by SIGTERM (143) left a checkpoint, so the task is requeued.
_REQUEUE = """status=$?
if [ "$status" -eq 138 ] || [ "$status" -eq 143 ]; then
  scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
  exit 0
fi
exit "$status"
"""


def _config_flags(argv: list[str]) -> list[str]:
  """The --config flag and its overrides as given on the command line."""
  return [arg for arg in argv if arg.startswith("--config=") or arg.startswith("--config.")]


def slurm_script(num_points: int, workdir: str, config_args: list[str], sbatch: str,
                 repo: str, python: str) -> str:
  """The job-array script: task I trains point I of the sweep (`--point=I`)."""
  command = shlex.join([python, "-m", "traitjax.sweep", *config_args,
                        f"--workdir={workdir}", "--point=$SLURM_ARRAY_TASK_ID"])
  command = command.replace("'--point=$SLURM_ARRAY_TASK_ID'", '"--point=$SLURM_ARRAY_TASK_ID"')
  options = "".join(f"#SBATCH {option}\n" for option in shlex.split(sbatch))
  return (f"#!/bin/bash\n"
          f"#SBATCH --job-name=traitjax-sweep\n"
          f"#SBATCH --array=0-{num_points - 1}\n"
          f"#SBATCH --requeue\n"
          f"#SBATCH --open-mode=append\n"
          f"#SBATCH --signal=USR1@300\n"
          f"#SBATCH --output={os.path.join(workdir, 'slurm-%A_%a.out')}\n"
          f"{options}"
          f"cd {shlex.quote(repo)}\n"
          f"srun {command}\n"
          f"{_REQUEUE}")


def _launch_slurm(config, workdir: str, argv: list[str]) -> None:
  repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
  workdir = os.path.abspath(workdir)
  config_args = _config_flags(argv)
  num_points = len(grid.points(config.sweep))
  script = slurm_script(num_points, workdir, config_args, _SBATCH.value, repo, sys.executable)
  path = os.path.join(workdir, "sweep.sbatch")
  summary = shlex.join([sys.executable, "-m", "traitjax.sweep", *config_args,
                        f"--workdir={workdir}"])
  array_command = ["sbatch", "--parsable", path]
  if _DRY_RUN.value:
    print(script)
    print(f"# {shlex.join(array_command)}")
    print(f"# sbatch --dependency=afterany:<array job id> --chdir={shlex.quote(repo)} "
          f"--wrap={shlex.quote(summary)}")
    return
  os.makedirs(workdir, exist_ok=True)
  with open(path, "w") as f:
    f.write(script)
  job = subprocess.run(array_command, check=True, capture_output=True, text=True).stdout.strip()
  after = subprocess.run(["sbatch", "--parsable", f"--dependency=afterany:{job}",
                          f"--chdir={repo}", f"--wrap={summary}"], check=True,
                         capture_output=True, text=True).stdout.strip()
  print(f"submitted {path}: array job {job} ({num_points} points), summary job {after}")


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  config, workdir = _CONFIG.value, _WORKDIR.value
  if _POINT.value is not None:
    report, _ = grid.run_point(config, workdir, _POINT.value)
    print(json.dumps({key: grid.lookup(report, key) for key in config.sweep.metrics}))
  elif _LAUNCHER.value == "slurm":
    _launch_slurm(config, workdir, sys.argv[1:])
  else:
    section = grid.run(config, workdir)
    for result in section["results"]:
      print(json.dumps(result))


if __name__ == "__main__":
  cli.run(main)
