r"""traitjax entry point.

  python -m traitjax.main --config=configs/default.py --workdir=workdirs/default [--mode=train]
  python -m traitjax.main --config=configs/default.py --workdir=workdirs/default --mode=eval

Any config field can be overridden (`--config.train.steps=100`); an unknown field or a value no
run can use stops the run at start in one line. A workdir holding a run of another config is
refused (`--force_new_run` moves that run aside); `--mode=eval` writes
WORKDIR/eval/<config name or --name>/metrics.json beside training's. SIGINT, SIGTERM and SIGUSR1
stop training at the next step with a checkpoint (exit status 128 + the signal's number); the
same command resumes. Multi-host: `--coordinator=auto` (SLURM, TPU pods) or `--coordinator=host:port
--num_processes=N --process_id=I`.
"""

import os

from absl import app
from absl import flags
from absl import logging
import jax
from ml_collections import config_flags

from traitjax import cli
from traitjax import sharding
from traitjax import train

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file.")
_WORKDIR = flags.DEFINE_string("workdir", None, "Checkpoints, logs and metrics.json go here.")
_MODE = flags.DEFINE_enum("mode", "train", ["train", "eval"], "Train (resuming) or evaluate.")
_COORDINATOR = flags.DEFINE_string(
    "coordinator", "", "jax.distributed coordinator host:port, 'auto', or '' (one host).")
_NUM_PROCESSES = flags.DEFINE_integer("num_processes", 1, "Hosts in a multi-host run.")
_PROCESS_ID = flags.DEFINE_integer("process_id", 0, "This host's index in a multi-host run.")
_FORCE_NEW_RUN = flags.DEFINE_bool(
    "force_new_run", False, "Train even if the workdir holds a run of another config: that run "
    "is moved aside to WORKDIR.<date-time> first (nothing is deleted).")
_NAME = flags.DEFINE_string(
    "name", "", "--mode=eval writes WORKDIR/eval/NAME/metrics.json (default: the config file's "
    "name and variant, e.g. cub_zeroshot or cub_zeroshot-smoke).")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv, actions=()):
  """`actions`: periodic actions appended to the training loop's (see train.py)."""
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  sharding.initialize_distributed(_COORDINATOR.value, _NUM_PROCESSES.value, _PROCESS_ID.value)
  logging.info("process %d of %d, %d local of %d devices (%s)", jax.process_index(),
               jax.process_count(), jax.local_device_count(), jax.device_count(),
               jax.devices()[0].platform)
  if _MODE.value == "train":
    train.train_and_evaluate(_CONFIG.value, _WORKDIR.value, actions, _FORCE_NEW_RUN.value)
  else:
    train.evaluate_checkpoint(_CONFIG.value, _WORKDIR.value, _NAME.value or _config_name())


def _config_name() -> str:
  """configs/cub_open_world.py:smoke -> cub_open_world-smoke."""
  path, _, variant = config_flags.get_config_filename(flags.FLAGS["config"]).partition(":")
  name = os.path.splitext(os.path.basename(path))[0]
  return f"{name}-{variant}" if variant else name


if __name__ == "__main__":
  cli.run(main)
