"""The command-line plumbing (traitjax.cli): one-line errors for bad flags and bad inputs, exit
statuses, a quiet log, and flags defined by the commands alone (and cli's --verbose)."""

import errno
import importlib.util
import json
import os
import pkgutil
import subprocess
import sys

import pytest

import traitjax
from traitjax import cli
from tests import conftest
from tests import run_main

# The module `python -m traitjax.<command>` runs for each command (a package's __main__).
COMMANDS = ("traitjax.main", "traitjax.describe.__main__", "traitjax.plot_metrics",
            "traitjax.sweep", "traitjax.explain.__main__", "traitjax.flora_files",
            "traitjax.eurosat_sample", "traitjax.preview", "traitjax.results.__main__")


@pytest.mark.slow
@pytest.mark.parametrize("module", ["traitjax.main", "traitjax.sweep"])
def test_a_mistyped_override_stops_at_start_with_one_line(module, tmp_path):
  result = subprocess.run(
      [sys.executable, "-m", module, "--config=configs/noise_sweep.py", "--config.sweep.nme=x",
       f"--workdir={tmp_path}"], cwd=conftest.REPO, capture_output=True, text=True, timeout=120)
  assert result.returncode == 2
  assert result.stderr.strip().splitlines()[-1].startswith("traitjax: bad flag or config:")
  assert 'Did you mean "name"' in result.stderr
  assert not os.listdir(tmp_path)


@pytest.mark.slow
def test_importing_the_library_defines_no_flag():
  """Every module but the commands imports without defining a flag, but for cli's --verbose
  (in a fresh process, where no test has imported a command; flags of the libraries traitjax
  uses do not count)."""
  library = sorted(
      module.name for module in pkgutil.walk_packages(traitjax.__path__, "traitjax.")
      if module.name not in COMMANDS)
  assert {"traitjax.cli", "traitjax.grid", "traitjax.plots", "traitjax.describe.tables",
          "traitjax.data.summary", "traitjax.data.synthetic_flora"} <= set(library)
  script = (
      "import importlib, sys\n"
      "from absl import flags\n"
      "for name in sys.argv[1:]:\n"
      "  importlib.import_module(name)\n"
      "print({module: sorted(flag.name for flag in defined)\n"
      "       for module, defined in flags.FLAGS.flags_by_module_dict().items()\n"
      "       if module.split('.')[0] == 'traitjax'})\n")
  result = subprocess.run([sys.executable, "-c", script, *library], cwd=conftest.REPO,
                          capture_output=True, text=True, timeout=300)
  assert result.returncode == 0, result.stderr
  assert result.stdout.strip().splitlines()[-1] == "{'traitjax.cli': ['verbose']}"


_TPU_NOTE = "Unable to initialize backend 'tpu'"


def _run(args, tmp_path) -> subprocess.CompletedProcess:
  """A command run as a user runs it (no JAX_PLATFORMS), this checkout's traitjax first."""
  env = {k: v for k, v in os.environ.items() if not k.startswith(("XLA_", "JAX_"))}
  env["PYTHONPATH"] = str(conftest.REPO)
  return subprocess.run([sys.executable, *args], cwd=conftest.REPO, env=env, capture_output=True,
                        text=True, timeout=120)


def _message_lines(stderr: str) -> list[str]:
  return [line for line in stderr.splitlines() if not run_main.is_log_line(line)]


def _bad_inputs(tmp):
  """(name, command line) of each command given a bad input."""
  (tmp / "resumed").mkdir()
  # A run killed while writing line 2, then resumed: its first record ends that line.
  (tmp / "resumed" / "metrics.jsonl").write_text(
      json.dumps({"step": 10, "train/loss": 1.0}) + "\n" + '{"step": 20, "train/lo'
      + json.dumps({"step": 20, "train/loss": 0.5}) + "\n")
  (tmp / "some.json").write_text(json.dumps({"a": "A red crown."}))
  (tmp / "traits.txt").write_text("1 has_crown_color::red\n")
  (tmp / "logged").mkdir()
  (tmp / "logged" / "metrics.jsonl").write_text(json.dumps({"step": 10, "train/loss": 1.0}) + "\n")
  plot = ["-m", "traitjax.plot_metrics", f"--out={tmp / 'x.png'}"]
  main = ["-m", "traitjax.main", "--config=configs/default.py:smoke", f"--workdir={tmp / 'w'}"]
  return {
      "main: mistyped config field": [
          "-m", "traitjax.main", "--config=configs/default.py:smoke", "--config.train.stpes=5",
          f"--workdir={tmp / 'workdir'}"],
      "main: train.steps=-5": [*main, "--config.train.steps=-5"],
      "main: input.batch_size=0": [*main, "--config.input.batch_size=0"],
      "main: a fraction of 1.5": [*main, "--config.data.degraded_fraction=1.5"],
      "main: every species held out": [*main, "--config.data.zeroshot_fraction=1.0"],
      "main: a config file that does not exist": [
          "-m", "traitjax.main", "--config=configs/defualt.py:smoke", f"--workdir={tmp / 'w'}"],
      "main: --mode=eval of a workdir never trained": [
          "-m", "traitjax.main", "--config=configs/default.py:smoke", "--mode=eval",
          f"--workdir={tmp / 'untrained'}"],
      "main: no CUB root": [
          "-m", "traitjax.main", "--config=configs/cub.py:smoke", "--config.data.root=/nowhere",
          f"--workdir={tmp / 'cub'}"],
      "preview: no CUB root": [
          "-m", "traitjax.preview", "--config=configs/cub.py:smoke",
          "--config.data.root=/nowhere", f"--out={tmp / 'preview'}"],
      "preview: mistyped config field": [
          "-m", "traitjax.preview", "--config=configs/default.py:smoke",
          "--config.data.imge_size=32", f"--out={tmp / 'preview'}"],
      "plot_metrics: missing workdir": [*plot, f"--workdirs={tmp / 'nowhere'}"],
      "plot_metrics: garbled metrics.jsonl": [*plot, f"--workdirs={tmp / 'resumed'}",
                                              "--keys=train/loss"],
      "plot_metrics: unknown --keys": [*plot, f"--workdirs={tmp / 'logged'}", "--keys=train/los"],
      "sweep: missing --workdir": ["-m", "traitjax.sweep", "--config=configs/noise_sweep.py"],
      "describe: missing descriptions file": [
          "-m", "traitjax.describe", f"--descriptions={tmp / 'none.json'}",
          f"--traits={tmp / 'traits.txt'}", f"--out={tmp / 'table.csv'}"],
      "describe: unknown --without": [
          "-m", "traitjax.describe", f"--descriptions={tmp / 'some.json'}",
          f"--traits={tmp / 'traits.txt'}", f"--out={tmp / 'table.csv'}", "--without=grammar"],
      "flora_files: --num_species=7": [
          "-m", "traitjax.flora_files", f"--out={tmp / 'flora'}", "--num_species=7"],
      "benchmarks/train_step.py: --steps=-1": ["benchmarks/train_step.py", "--steps=-1"],
      "benchmarks/torch_peer.py without torch": ["benchmarks/torch_peer.py"],
  }


_EXPECTED = {
    "main: mistyped config field": 'Did you mean "steps"',
    "main: train.steps=-5": "train.steps must be positive, got -5",
    "main: input.batch_size=0": "input.batch_size must be positive, got 0",
    "main: a fraction of 1.5": "data.degraded_fraction must lie in [0, 1], got 1.5",
    "main: every species held out": "no training photo",
    "main: a config file that does not exist": "--config: config file not found: "
                                                "configs/defualt.py",
    "main: --mode=eval of a workdir never trained": "untrained holds no trained run",
    "main: no CUB root": "data.root not found: /nowhere",
    "preview: no CUB root": "data.root not found: /nowhere",
    "preview: mistyped config field": 'Did you mean "image_size"',
    "plot_metrics: missing workdir": "no metrics log (",
    "plot_metrics: garbled metrics.jsonl": "metrics.jsonl, line 2: not a JSON record",
    "plot_metrics: unknown --keys": "no scalar train/los in the metrics.jsonl of",
    "sweep: missing --workdir": "--workdir",
    "describe: missing descriptions file": "none.json",
    "describe: unknown --without": "unknown parts to leave out ['grammar']",
    "flora_files: --num_species=7": "num_species must be even",
    "benchmarks/train_step.py: --steps=-1": "--steps=-1",
    "benchmarks/torch_peer.py without torch": "torch is not installed",
}


@pytest.mark.slow
@pytest.mark.parametrize("case", list(_EXPECTED))
def test_a_bad_input_stops_the_command_with_one_line_and_status_2(case, tmp_path):
  """Whatever the command and the bad input: one line `traitjax: ...` on stderr besides absl's
  log lines, exit status 2, nothing written, and no note about a missing TPU."""
  if case == "benchmarks/torch_peer.py without torch" and importlib.util.find_spec("torch"):
    pytest.skip("torch is installed here")
  result = _run(_bad_inputs(tmp_path)[case], tmp_path)
  lines = _message_lines(result.stderr)
  assert result.returncode == 2, result.stderr
  assert len(lines) == 1 and lines[0].startswith("traitjax: "), result.stderr
  assert _EXPECTED[case] in lines[0]
  assert _TPU_NOTE not in result.stderr
  for written in ("x.png", "workdir", "w", "untrained", "cub", "preview", "table.csv"):
    assert not (tmp_path / written).exists(), written
  if case == "plot_metrics: unknown --keys":
    assert lines[0].endswith("logged: train/loss")


# A command that fails after jax found its devices, with an exit_code of its own.
_STOPPING_COMMAND = """
import jax
from traitjax import cli

class Stopped(Exception):
  exit_code = 3

def main(argv):
  jax.devices()
  raise Stopped("stopped at step 4, checkpoint saved; rerun the same command to resume")

cli.run(main)
"""


@pytest.mark.slow
def test_an_exit_code_sets_the_status_and_verbose_shows_the_traceback(tmp_path):
  quiet = _run(["-c", _STOPPING_COMMAND], tmp_path)
  assert quiet.returncode == 3
  assert _message_lines(quiet.stderr) == [
      "traitjax: stopped at step 4, checkpoint saved; rerun the same command to resume"]
  assert _TPU_NOTE not in quiet.stderr
  verbose = _run(["-c", _STOPPING_COMMAND, "--verbose"], tmp_path)
  assert verbose.returncode == 3
  assert "Traceback (most recent call last)" in verbose.stderr
  assert ', in main\n' in verbose.stderr
  assert verbose.stderr.strip().splitlines()[-1] == (
      "Stopped: stopped at step 4, checkpoint saved; rerun the same command to resume")
  assert _TPU_NOTE not in verbose.stderr


_READING_WITH_WORKERS = """
from tests import conftest
from traitjax import cli
from traitjax.data import pipeline
from traitjax.data import sources

def main(argv):
  data = conftest.load_config_module("default").get_config("smoke").data
  source = sources.make_source(data, "test")
  print(sum(1 for _ in pipeline.eval_dataset(source, 8, num_workers=2)), "batches")

cli.run(main)
"""


@pytest.mark.slow  # Starts two input worker processes.
def test_a_command_reading_with_input_workers_leaves_no_shared_memory_behind(tmp_path):
  result = _run(["-c", _READING_WITH_WORKERS], tmp_path)
  assert result.returncode == 0, result.stderr
  assert result.stdout.strip().endswith("batches")
  assert "leaked shared_memory" not in result.stderr, result.stderr


def test_error_message_is_one_line_naming_the_path_of_a_file_error():
  assert cli.error_message(FileNotFoundError(errno.ENOENT, "no metrics log", "w/metrics.jsonl")) \
      == "no metrics log (w/metrics.jsonl)"
  assert cli.error_message(FileNotFoundError(errno.ENOENT, "No such file or directory", "a.txt")) \
      == "No such file or directory (a.txt)"
  assert cli.error_message(FileNotFoundError("descriptions file not found: d.json")) \
      == "descriptions file not found: d.json"
  assert cli.error_message(KeyError("m.json has no intervention section")) \
      == "m.json has no intervention section"
  assert cli.error_message(KeyError("train/loss")) == "KeyError: train/loss"
  assert cli.error_message(ValueError("first line\nsecond line")) == "first line"
  assert cli.error_message(RuntimeError()) == "RuntimeError"
  assert cli.exit_status(ValueError("x")) == 2
