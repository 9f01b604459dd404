r"""Runs `python -m traitjax.main` in subprocesses for the trainer and sharding tests.

As a script, it is traitjax.main (run by `cli.run` as the command is) with two optional test
actions appended to the training loop's periodic actions:

  python tests/run_main.py --config=... --workdir=W [main's flags]
      [--pause_at_step=N]       once step N is logged, write W/paused_at_N and sleep (to be
                                killed at a known point)
      [--dump_params=PATH]      once the last step's checkpoint is saved, write this process's
                                copy of the parameters to PATH_process<i>.npz

The functions below build the commands and environments the tests launch.
"""

from __future__ import annotations

import glob
import json
import os
import pathlib
import re
import signal
import struct
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
            hooks: bool = False, verbose: bool = True) -> list[str]:
  """`python -m traitjax.main` (or this script, for the hooks) on `config` with 32 px images; a
  failure prints its traceback when `verbose`, else the one line a user sees."""
  entry = [str(REPO / "tests" / "run_main.py")] if hooks else ["-m", "traitjax.main"]
  return [sys.executable, *entry, f"--config={config}", f"--workdir={workdir}", *SMALL_IMAGES,
          *(["--verbose"] if verbose else []), *flags]


def run(cmd, env, timeout: float = 300) -> subprocess.CompletedProcess:
  """Runs to completion; a failure raises with the end of the log in the message."""
  result = subprocess.run(cmd, env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=timeout)
  if result.returncode:
    raise AssertionError(f"{cmd} exited with {result.returncode}:\n{result.stderr[-4000:]}")
  return result


def run_together(commands, envs, timeout: float = 300) -> list[str]:
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


def is_log_line(line: str) -> bool:
  """Whether a stderr line is absl's log (e.g. "I1201 14:18:49.384115 ... xla_bridge.py:849]
  ...", or a row of the parameter table it logs) rather than a command's own message."""
  return bool(re.match(r"[IWEF]\d{4} \d\d:\d\d:\d\d|[|+]|total: ", line))


def assert_sigkill_resumes_exactly(tmp_path, env, *flags: str,
                                   config: str = "configs/default.py:smoke") -> None:
  """Runs `config` for 12 steps uninterrupted, and again killed with SIGKILL at step 8
  (checkpoint 6 complete, 9 not begun) then restarted with the same command; asserts both end
  bit-identical: the train state in checkpoint 12, the data-iterator state, the logged
  losses of every step (those redone after the resume included) and metrics.json."""
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top
  flags = ("--config.train.steps=12", "--config.train.checkpoint_every=3",
           "--config.train.log_every=1", "--config.train.async_checkpoints=True", *flags)
  uninterrupted, interrupted = tmp_path / "a", tmp_path / "b"
  run(command(uninterrupted, *flags, config=config), env)

  proc = subprocess.Popen(command(interrupted, *flags, "--pause_at_step=8", config=config,
                                  hooks=True),
                          env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
  try:
    deadline = time.monotonic() + 120
    while not ((interrupted / "paused_at_8").exists()
               and checkpoint_finalized(interrupted, 6)):
      assert proc.poll() is None, f"run exited with {proc.returncode} before step 8"
      assert time.monotonic() < deadline, "run did not reach step 8"
      time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL
  finally:
    if proc.poll() is None:
      proc.kill()
      proc.wait()
  assert sorted(int(s) for s in os.listdir(interrupted / "checkpoints") if s.isdigit()) == [3, 6]
  killed_records = read_jsonl(interrupted / "metrics.jsonl")
  assert [r["step"] for r in killed_records] == list(range(1, 9))

  run(command(interrupted, *flags, config=config), env)

  a_state, b_state = restore_state(uninterrupted, 12), restore_state(interrupted, 12)
  assert jax.tree.structure(a_state) == jax.tree.structure(b_state)
  assert int(a_state["step"]) == int(b_state["step"]) == 12
  for (path, a), b in zip(jax.tree_util.tree_leaves_with_path(a_state),
                          jax.tree.leaves(b_state)):
    assert np.array_equal(np.asarray(a), np.asarray(b)), jax.tree_util.keystr(path)
  data = pathlib.Path("checkpoints", "12", "data", "process_0-of-1.json")
  assert sorted(f for f in os.listdir(uninterrupted / data.parent) if f.endswith(".json")) == [
      data.name]
  assert (json.loads((uninterrupted / data).read_text())
          == json.loads((interrupted / data).read_text()))
  a_records = read_jsonl(uninterrupted / "metrics.jsonl")
  b_records = read_jsonl(interrupted / "metrics.jsonl")
  # Resumed after checkpoint 6 (not from scratch), its log cut back to step 6: the same
  # records as the uninterrupted run's, each step once.
  assert b_records[:6] == killed_records[:6]
  assert b_records == a_records
  a_metrics = json.loads((uninterrupted / "metrics.json").read_text())
  b_metrics = json.loads((interrupted / "metrics.json").read_text())
  a_metrics.pop("train_seconds", None)
  b_metrics.pop("train_seconds", None)
  assert a_metrics == b_metrics


def read_jsonl(path) -> list[dict]:
  with open(path) as f:
    return [json.loads(line) for line in f]


def compilation_cache_dir(tmp_path_factory) -> pathlib.Path:
  """One persistent compilation cache for the whole pytest session (tests and subprocesses
  compile the same programs), shared by the workers of a parallel run (each has its own
  folder under the run's)."""
  base = tmp_path_factory.getbasetemp()
  if os.environ.get("PYTEST_XDIST_WORKER"):
    base = base.parent
  path = base / "jax_compilation_cache"
  path.mkdir(exist_ok=True)
  return path


def tensorboard_scalars(directory) -> dict:
  """{(step, tag): value} from every event file in `directory` (TFRecord framing)."""
  from tensorboardX.proto import event_pb2  # pylint: disable=g-import-not-at-top
  scalars = {}
  for path in glob.glob(os.path.join(directory, "events.out.tfevents.*")):
    data = pathlib.Path(path).read_bytes()
    position = 0
    while position < len(data):
      (length,) = struct.unpack("<Q", data[position:position + 8])
      event = event_pb2.Event.FromString(data[position + 12:position + 12 + length])
      position += 12 + length + 4
      for value in event.summary.value:
        scalars[(event.step, value.tag)] = value.simple_value
  return scalars


def restore_state(workdir, step: int) -> dict:
  """The train state saved in checkpoint `step` of `workdir`, as a dict of arrays on this
  process's first device (whatever processes and devices saved it)."""
  import jax  # pylint: disable=g-import-not-at-top
  import orbax.checkpoint as ocp  # pylint: disable=g-import-not-at-top
  path = pathlib.Path(workdir).resolve() / "checkpoints" / str(step) / "state"
  checkpointer = ocp.StandardCheckpointer()
  device = jax.sharding.SingleDeviceSharding(jax.devices()[0])
  target = jax.tree.map(lambda leaf: jax.ShapeDtypeStruct(leaf.shape, leaf.dtype,
                                                          sharding=device),
                        checkpointer.metadata(path).item_metadata)
  return checkpointer.restore(path, target)


def _test_actions(workdir: str, total_steps: int, pause_at_step: int, dump_params: str):
  """The actions of --pause_at_step and --dump_params (they run after the loop's own)."""
  import jax  # pylint: disable=g-import-not-at-top
  import numpy as np  # pylint: disable=g-import-not-at-top

  def pause(step, state, measurements):
    del state, measurements
    if step == pause_at_step:
      pathlib.Path(workdir, f"paused_at_{step}").touch()
      time.sleep(3600)

  def dump(step, state, measurements):
    del measurements
    if step == total_steps:
      leaves = jax.tree_util.tree_leaves_with_path(state.params)
      np.savez(f"{dump_params}_process{jax.process_index()}.npz", **{
          jax.tree_util.keystr(path): np.asarray(leaf.addressable_data(0))
          for path, leaf in leaves})

  return [pause] * bool(pause_at_step) + [dump] * bool(dump_params)


if __name__ == "__main__":
  sys.path.insert(0, str(REPO))
  from absl import flags  # pylint: disable=g-import-not-at-top
  from traitjax import cli  # pylint: disable=g-import-not-at-top
  from traitjax import main  # pylint: disable=g-import-not-at-top

  _PAUSE = flags.DEFINE_integer("pause_at_step", 0, "Sleep after logging this step.")
  _DUMP = flags.DEFINE_string("dump_params", "", "Write the final parameters to PATH_process<i>.npz.")

  def _main(argv):
    config, workdir = flags.FLAGS.config, flags.FLAGS.workdir
    main.main(argv, actions=_test_actions(workdir, config.train.steps, _PAUSE.value,
                                          _DUMP.value))

  cli.run(_main)
