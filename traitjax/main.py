r"""traitjax entry point.

  python -m traitjax.main --config=configs/default.py --workdir=workdirs/default [--mode=train]
  python -m traitjax.main --config=configs/default.py --workdir=workdirs/default --mode=eval

Any config field can be overridden (`--config.train.steps=100`); an unknown field stops the run
at start. Multi-host: `--coordinator=auto` (SLURM, TPU pods) or `--coordinator=host:port
--num_processes=N --process_id=I`.
"""


from absl import app
from absl import flags
from absl import logging
import jax
from ml_collections import config_flags

from traitjax import cli
from traitjax import sharding
from traitjax import train
from traitjax import writers

_CONFIG = config_flags.DEFINE_config_file("config", None, "Experiment config file.")
_WORKDIR = flags.DEFINE_string("workdir", None, "Checkpoints, logs and metrics.json go here.")
_MODE = flags.DEFINE_enum("mode", "train", ["train", "eval"], "Train (resuming) or evaluate.")
_COORDINATOR = flags.DEFINE_string(
    "coordinator", "", "jax.distributed coordinator host:port, 'auto', or '' (one host).")
_NUM_PROCESSES = flags.DEFINE_integer("num_processes", 1, "Hosts in a multi-host run.")
_PROCESS_ID = flags.DEFINE_integer("process_id", 0, "This host's index in a multi-host run.")
flags.mark_flags_as_required(["config", "workdir"])


def main(argv, actions=()):
  """`actions`: periodic actions appended to the training loop's (see train.py)."""
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  writers.quiet_checkpoint_logs()
  sharding.initialize_distributed(_COORDINATOR.value, _NUM_PROCESSES.value, _PROCESS_ID.value)
  logging.info("process %d of %d, %d local of %d devices (%s)", jax.process_index(),
               jax.process_count(), jax.local_device_count(), jax.device_count(),
               jax.devices()[0].platform)
  if _MODE.value == "train":
    train.train_and_evaluate(_CONFIG.value, _WORKDIR.value, actions)
  else:
    train.evaluate_checkpoint(_CONFIG.value, _WORKDIR.value)


if __name__ == "__main__":
  cli.run(main)
