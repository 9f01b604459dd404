"""Tests of launch/: the SLURM script under a fake `srun` (two local processes with the variables
a real srun sets) trains like one process with two devices, and a SIGTERM before the end is
turned into a requeue whose rerun resumes exactly."""

import os
import signal
import socket
import subprocess
import sys
import time

import jax
import numpy as np
import pytest

from tests import run_main

pytestmark = pytest.mark.slow  # Each run is `python -m traitjax.main` processes.
SBATCH = run_main.REPO / "launch" / "slurm.sbatch"
STEPS = 30
FLAGS = ("--config=configs/default.py:smoke", "--config.data.image_size=32",
         f"--config.train.steps={STEPS}", "--config.train.log_every=1",
         "--config.train.checkpoint_every=10", "--config.input.num_workers=0")
# srun as a script: $SLURM_NTASKS copies of its command on this machine, each with the
# variables srun gives a task (one task per node), their pids listed in $FAKE_SRUN_PIDS; its
# status is the largest of theirs.
FAKE_SRUN = """#!/bin/bash
n=${SLURM_NTASKS:-1}
pids=()
for ((i = 0; i < n; i++)); do
  SLURM_PROCID=$i SLURM_LOCALID=0 SLURM_NODEID=$i SLURM_STEP_ID=0 SLURM_STEP_NODELIST=localhost \
  SLURM_STEP_NUM_NODES=$n SLURM_STEP_NUM_TASKS=$n "$@" &
  pids+=($!)
  echo "$i $!" >> "$FAKE_SRUN_PIDS"
done
status=0
for pid in "${pids[@]}"; do
  wait "$pid"; code=$?
  if [ "$code" -gt "$status" ]; then status=$code; fi
done
exit $status
"""
FAKE_SCONTROL = """#!/bin/bash
echo "$@" >> "$FAKE_SCONTROL_CALLS"
"""


def _free_job_id() -> int:
  """A job id whose coordinator port (jax's SLURM rule: id mod 4096 + 61440) is free here."""
  rng = np.random.default_rng()
  for _ in range(100):
    job_id = int(rng.integers(1, 10**6))
    with socket.socket() as s:
      try:
        s.bind(("localhost", job_id % 4096 + 61440))
        return job_id
      except OSError:
        continue
  raise RuntimeError("no free coordinator port")


def _environment(tmp_path, cache, tasks: int) -> dict:
  """The variables sbatch gives the batch script, the fakes first on PATH, 1 CPU device each."""
  bin_dir = tmp_path / "bin"
  bin_dir.mkdir(exist_ok=True)
  for name, text in (("srun", FAKE_SRUN), ("scontrol", FAKE_SCONTROL)):
    (bin_dir / name).write_text(text)
    (bin_dir / name).chmod(0o755)
  env = run_main.environment(cache, devices=1)
  env.update({"PATH": f"{bin_dir}:{env['PATH']}", "SLURM_JOB_ID": str(_free_job_id()),
              "SLURM_NTASKS": str(tasks), "SLURM_NNODES": str(tasks),
              "SLURM_JOB_NODELIST": "localhost", "SLURM_SUBMIT_DIR": str(run_main.REPO),
              "PYTHON": sys.executable, "FAKE_SRUN_PIDS": str(tmp_path / "pids"),
              "FAKE_SCONTROL_CALLS": str(tmp_path / "scontrol_calls"),
              "FLAGS": " ".join(FLAGS[1:]), "CONFIG": FLAGS[0].split("=", 1)[1]})
  return env


def _sbatch(workdir, env) -> subprocess.Popen:
  return subprocess.Popen(["bash", str(SBATCH)], env={**env, "WORKDIR": str(workdir)},
                          cwd=run_main.REPO, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def _finish(proc, timeout=240) -> str:
  try:
    out, _ = proc.communicate(timeout=timeout)
  finally:
    if proc.poll() is None:
      proc.kill()
      proc.wait()
  return out


def _leaves(workdir, step):
  state = run_main.restore_state(workdir, step)["params"]
  return [(jax.tree_util.keystr(path), np.asarray(leaf))
          for path, leaf in jax.tree_util.tree_leaves_with_path(state)]


def test_sbatch_under_srun_trains_like_one_process_and_a_sigterm_requeues_an_exact_resume(
    tmp_path_factory, tmp_path):
  """`bash launch/slurm.sbatch` under the fake srun: two processes (1 CPU device each, joined by
  --coordinator=auto from SLURM's variables) end with the parameters of one process with two
  devices (within 1e-5). Then the same job with SIGTERM sent to one of its two processes at a
  random step: both stop at the same step with a checkpoint, the script asks scontrol to
  requeue the job, and the rerun ends bit-identical to the uninterrupted job."""
  cache = run_main.compilation_cache_dir(tmp_path_factory)
  env = _environment(tmp_path, cache, tasks=2)
  whole = tmp_path / "whole"
  out = _finish(_sbatch(whole, env))
  assert "2 nodes, node mode" in out, out[-3000:]
  assert len((tmp_path / "pids").read_text().splitlines()) == 2
  single = tmp_path / "single"
  run_main.run([sys.executable, "-m", "traitjax.main", *FLAGS, f"--workdir={single}"],
               run_main.environment(cache, devices=2), timeout=240)
  for (path, a), (_, b) in zip(_leaves(whole, STEPS), _leaves(single, STEPS)):
    np.testing.assert_allclose(a, b, atol=1e-5, err_msg=path)

  (tmp_path / "pids").unlink()
  stopped = tmp_path / "stopped"
  signal_after = int(np.random.default_rng().integers(2, 6))
  proc = _sbatch(stopped, env)
  try:
    log = stopped / "metrics.jsonl"
    deadline = time.monotonic() + 180
    while not (log.is_file() and any(r["step"] >= signal_after
                                     for r in run_main.read_jsonl(log))):
      assert proc.poll() is None, f"job exited before step {signal_after}"
      assert time.monotonic() < deadline, f"job did not reach step {signal_after}"
      time.sleep(0.02)
    pids = dict(line.split() for line in (tmp_path / "pids").read_text().splitlines())
    os.kill(int(pids["1"]), signal.SIGTERM)  # One host only: they must agree to stop.
  finally:
    out = _finish(proc)
  assert proc.returncode == 0, out[-3000:]
  calls = (tmp_path / "scontrol_calls").read_text().split()
  assert calls == ["requeue", env["SLURM_JOB_ID"]], out[-3000:]
  steps = sorted(int(p.name) for p in (stopped / "checkpoints").iterdir() if p.name.isdigit())
  assert steps and steps[-1] < STEPS and not (stopped / "metrics.json").exists()
  rerun = _finish(_sbatch(stopped, env))  # What the requeued job runs.
  assert (stopped / "metrics.json").is_file(), rerun[-3000:]
  for (path, a), (_, b) in zip(_leaves(whole, STEPS), _leaves(stopped, STEPS)):
    assert np.array_equal(a, b), path


FAKE_SBATCH = """#!/bin/bash
echo "$@" >> "$FAKE_SBATCH_CALLS"
echo 4242
"""


def test_the_sweeps_slurm_array_trains_the_point_of_its_task(tmp_path_factory, tmp_path):
  """`traitjax.sweep --launcher=slurm`: --dry-run prints the array script (one task per point,
  each `--point=$SLURM_ARRAY_TASK_ID` with the config's overrides, requeued when stopped) and
  the two sbatch commands, writing nothing; without it the script is written and submitted
  with the summary job after it; the script run as task 1 under the fake srun trains point 1
  only."""
  from tests import conftest  # pylint: disable=g-import-not-at-top
  from traitjax import grid  # pylint: disable=g-import-not-at-top
  config = conftest.load_config_module("noise_sweep").get_config("smoke")
  num_points = len(grid.points(config.sweep))
  env = _environment(tmp_path, run_main.compilation_cache_dir(tmp_path_factory), tasks=1)
  (tmp_path / "bin" / "sbatch").write_text(FAKE_SBATCH)
  (tmp_path / "bin" / "sbatch").chmod(0o755)
  env["FAKE_SBATCH_CALLS"] = str(tmp_path / "sbatch_calls")
  workdir = tmp_path / "sweep"
  command = [sys.executable, "-m", "traitjax.sweep", "--config=configs/noise_sweep.py:smoke",
             "--config.data.image_size=32", f"--workdir={workdir}", "--launcher=slurm"]
  printed = run_main.run(command + ["--dry-run"], env).stdout
  assert f"#SBATCH --array=0-{num_points - 1}\n" in printed
  assert "#SBATCH --requeue\n" in printed and "#SBATCH --signal=USR1@300\n" in printed
  assert ("-m traitjax.sweep --config=configs/noise_sweep.py:smoke "
          f"--config.data.image_size=32 --workdir={workdir} "
          '"--point=$SLURM_ARRAY_TASK_ID"') in printed
  assert 'scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"' in printed
  assert f"# sbatch --parsable {workdir}/sweep.sbatch" in printed
  assert "# sbatch --dependency=afterany:<array job id>" in printed
  assert not workdir.exists()

  said = run_main.run(command, env).stdout
  assert "array job 4242" in said and "summary job 4242" in said
  calls = (tmp_path / "sbatch_calls").read_text().splitlines()
  assert calls[0] == f"--parsable {workdir}/sweep.sbatch"
  assert calls[1].startswith("--parsable --dependency=afterany:4242 ")
  task = subprocess.run(["bash", str(workdir / "sweep.sbatch")],
                        env={**env, "SLURM_ARRAY_JOB_ID": "4242", "SLURM_ARRAY_TASK_ID": "1"},
                        capture_output=True, text=True, timeout=240)
  assert task.returncode == 0, task.stderr[-3000:]
  point = grid.point_name(grid.points(config.sweep)[1])
  assert (workdir / point / "metrics.json").is_file()
  assert [p.name for p in workdir.iterdir() if p.is_dir()] == [point]
  assert not (tmp_path / "scontrol_calls").exists()


def test_tpu_vm_dry_run_prints_create_copy_install_and_the_same_command_on_all_workers():
  result = subprocess.run(
      ["bash", str(run_main.REPO / "launch" / "tpu_vm.sh"), "--name=tj", "--zone=us-east5-a",
       "--create", "--accelerator=v5p-16", "--dry-run", "--", "--config=configs/cub.py",
       "--workdir=/mnt/shared/cub"], capture_output=True, text=True, timeout=60)
  assert result.returncode == 0, result.stderr
  lines = result.stdout.splitlines()
  assert len(lines) == 5 and all(line.startswith("+ ") for line in lines)
  assert lines[0] == ("+ gcloud compute tpus tpu-vm create tj --zone=us-east5-a "
                      "--accelerator-type=v5p-16 --version=tpu-ubuntu2204-base")
  assert lines[1].startswith("+ git archive --format=tar.gz --output=")
  assert "tpu-vm scp" in lines[2] and lines[2].endswith("--zone=us-east5-a --worker=all")
  jax_version = next(line.split("==")[1] for line in
                     (run_main.REPO / "requirements.txt").read_text().splitlines()
                     if line.startswith("jax=="))
  assert "--worker=all" in lines[3] and f"jax\\[tpu\\]=={jax_version}" in lines[3]
  assert lines[4].endswith(r"--command=cd\ traitjax\ \&\&\ python3\ -m\ traitjax.main\ "
                           r"--coordinator=auto\ --config=configs/cub.py\ "
                           r"--workdir=/mnt/shared/cub")
  assert "--worker=all" in lines[4]
  # Without --zone, or with training flags before --, it stops in one line.
  missing = subprocess.run(["bash", str(run_main.REPO / "launch" / "tpu_vm.sh"), "--name=tj",
                            "--", "--config=x"], capture_output=True, text=True, timeout=60)
  assert missing.returncode == 2 and missing.stderr.count("\n") == 1
