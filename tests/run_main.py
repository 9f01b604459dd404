r"""Runs `python -m traitjax.main` in subprocesses for the trainer and sharding tests.

As a script, it is traitjax.main with two optional test hooks (the trainer itself is
untouched):

  python tests/run_main.py --config=... --workdir=W [main's flags]
      [--pause_at_step=N]       after logging step N, write W/paused_at_N and sleep (to be
                                killed at a known point)
      [--dump_params=PATH]      when the last step's checkpoint is saved, write this process's
                                copy of the parameters to PATH_process<i>.npz

The functions below build the commands and environments the tests launch.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
SMALL_IMAGES = ("--config.data.image_size=32",)


def environment(cache_dir, devices: int = 1) -> dict[str, str]:
  """A subprocess environment with `devices` CPU devices and a shared compilation cache."""
  env = {k: v for k, v in os.environ.items() if not k.startswith(("XLA_", "JAX_"))}
  env.update({"XLA_FLAGS": f"--xla_force_host_platform_device_count={devices}",
              "JAX_PLATFORMS": "cpu", "JAX_COMPILATION_CACHE_DIR": str(cache_dir),
              "PYTHONPATH": str(REPO)})
  return env


def command(workdir, *flags: str, config: str = "configs/default.py:smoke",
            hooks: bool = False) -> list[str]:
  """`python -m traitjax.main` (or this script, for the hooks) on `config` with 32 px images."""
  entry = [str(REPO / "tests" / "run_main.py")] if hooks else ["-m", "traitjax.main"]
  return [sys.executable, *entry, f"--config={config}", f"--workdir={workdir}", *SMALL_IMAGES,
          *flags]


def run(cmd, env, timeout: float = 120) -> subprocess.CompletedProcess:
  """Runs to completion; a failure raises with the end of the log in the message."""
  result = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
  if result.returncode:
    raise AssertionError(f"{cmd} exited with {result.returncode}:\n{result.stderr[-4000:]}")
  return result


def run_together(commands, envs, timeout: float = 120) -> list[str]:
  """Starts every command at once (e.g. the processes of one multi-process run) and waits for
  all; returns their logs."""
  procs = [subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
           for cmd, env in zip(commands, envs)]
  deadline = time.monotonic() + timeout
  logs = []
  try:
    for proc in procs:
      logs.append(proc.communicate(timeout=max(deadline - time.monotonic(), 1))[1])
  finally:
    for proc in procs:
      if proc.poll() is None:
        proc.kill()
        proc.wait()
  failed = [(i, p.returncode) for i, p in enumerate(procs) if p.returncode]
  if failed:
    raise AssertionError(f"processes {failed} failed:\n" + "\n".join(l[-3000:] for l in logs))
  return logs


def checkpoint_finalized(workdir, step: int) -> bool:
  """orbax writes `<step>.orbax-checkpoint-tmp*` and renames it to `<step>` when complete."""
  path = pathlib.Path(workdir) / "checkpoints" / str(step)
  return (path / "_CHECKPOINT_METADATA").is_file() and (path / "state" / "_METADATA").is_file()


def read_jsonl(path) -> list[dict]:
  with open(path) as f:
    return [json.loads(line) for line in f]


def compilation_cache_dir(tmp_path_factory) -> pathlib.Path:
  """One persistent compilation cache for the whole pytest session (tests and subprocesses
  compile the same programs)."""
  path = tmp_path_factory.getbasetemp() / "jax_compilation_cache"
  path.mkdir(exist_ok=True)
  return path


def restore_state(workdir, step: int) -> dict:
  """The train state saved in checkpoint `step` of `workdir`, as a dict of arrays."""
  import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
  path = pathlib.Path(workdir).resolve() / "checkpoints" / str(step) / "state"
  return ocp.StandardCheckpointer().restore(path)


def _install_hooks(pause_at_step: int, dump_params: str) -> None:
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  from traitjax import train  # pylint: disable=g-import-not-at-top
  from traitjax import writers  # pylint: disable=g-import-not-at-top

  if pause_at_step:
    write = writers.MetricWriter.write

    def write_then_pause(self, step, scalars):
      write(self, step, scalars)
      if step == pause_at_step and "train/loss" in scalars:
        workdir = os.path.dirname(self._jsonl.name)  # pylint: disable=protected-access
        pathlib.Path(workdir, f"paused_at_{step}").touch()
        time.sleep(3600)

    writers.MetricWriter.write = write_then_pause

  if dump_params:
    save = train.Checkpoints.save

    def save_and_dump(self, step, state, iterator):
      save(self, step, state, iterator)
      if step == self.config.train.steps:
        leaves = jax.tree_util.tree_leaves_with_path(state.params)
        np.savez(f"{dump_params}_process{jax.process_index()}.npz", **{
            jax.tree_util.keystr(path): np.asarray(leaf.addressable_data(0))
            for path, leaf in leaves})

    train.Checkpoints.save = save_and_dump


if __name__ == "__main__":
  sys.path.insert(0, str(REPO))
  from absl import app  # pylint: disable=g-import-not-at-top
  from absl import flags  # pylint: disable=g-import-not-at-top
  from traitjax import main  # pylint: disable=g-import-not-at-top

  _PAUSE = flags.DEFINE_integer("pause_at_step", 0, "Sleep after logging this step.")
  _DUMP = flags.DEFINE_string("dump_params", "", "Write the final parameters to PATH_process<i>.npz.")

  def _main(argv):
    _install_hooks(_PAUSE.value, _DUMP.value)
    main.main(argv)

  app.run(_main)
