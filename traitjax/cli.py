"""What every command (`python -m traitjax.<command>`, the scripts in benchmarks/) shares: flag
parsing that stops a bad flag or config override in one line, and running a command's main so
that a failure is one line too.

A command that fails prints one line to stderr, `traitjax: <what went wrong>` (a missing or
unreadable file with its path), and exits with a status that says how it ended:

  0  the command finished;
  2  a bad flag, config override or input, or a failure (`--verbose` prints the traceback
     instead of the one line);
  N  an exception with an integer `exit_code` attribute ended it (e.g. a run stopped at a step
     with its checkpoint saved); its message is the one line.

`run` also keeps out of the log what is not the user's business: jax's note that it found no
TPU, and orbax's per-save INFO lines (its warnings and errors stay). A run logs its progress and
a short summary; `--verbose` adds the library's debug lines (the parameter table, the whole
metrics report, which its files hold anyway).
"""

import gc
import logging as std_logging
import math
import os
import sys
import traceback
from typing import Callable

from absl import app
from absl import flags
from absl import logging
from grain._src.python.ipc import shared_memory_array
from ml_collections import config_flags

# Exit status of a bad flag, config override or input, and of any failure without an exit_code.
FAILURE = 2

_VERBOSE = flags.DEFINE_bool(
    "verbose", False, "Log the details too (the parameter table, the whole metrics report) and, "
    "on a failure, print the full traceback instead of one line.")


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad flag or config override, or a config file that does not exist,
  exits with one line naming it."""
  try:
    remaining = flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as e:
    text = str(e)
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"":  # a KeyError's quoted message
      text = text[1:-1].replace("\\'", "'")
    lines = [line.strip() for line in text.replace("\\n", "\n").splitlines() if line.strip()]
    # A config file that raised: its traceback's last line is the message.
    message = lines[-1] if any(l.startswith("Traceback") for l in lines) else " ".join(lines)
    _fail(f"bad flag or config: {message}")
  # ml_collections defers a config file it could not load until the config is read, with a
  # message that names neither the file nor why: a missing file is said here.
  for name in flags.FLAGS:
    flag = flags.FLAGS[name]
    try:
      path = config_flags.get_config_filename(flag).split(":")[0]
    except TypeError:  # Not a config file flag.
      continue
    if flag.present and not os.path.isfile(path):
      _fail(f"bad flag or config: --{name}: config file not found: {path}")
  return remaining


def _fail(message: str) -> None:
  print(f"traitjax: {message}", file=sys.stderr)
  sys.exit(FAILURE)


def require_numbers(flag_name: str, lower: float = -math.inf, upper: float = math.inf) -> None:
  """Makes parsing refuse a list flag unless each item is a number in [lower, upper]."""

  def check(values) -> bool:
    try:
      return all(lower <= float(value) <= upper for value in values or ())
    except ValueError:
      return False

  bounds = (f"between {lower:g} and {upper:g}" if math.isfinite(lower) and math.isfinite(upper)
            else f">= {lower:g}" if math.isfinite(lower) else f"<= {upper:g}")
  flags.register_validator(flag_name, check, f"--{flag_name}: comma-separated numbers {bounds}")


def error_message(error: BaseException) -> str:
  """One line saying what went wrong: the exception's message (its first line), with the path
  of a file error."""
  if isinstance(error, KeyError) and len(error.args) == 1 and isinstance(error.args[0], str):
    message = error.args[0]  # str(KeyError) would quote it
  elif isinstance(error, OSError) and error.filename is not None:
    path = os.fsdecode(error.filename)
    if error.filename2 is not None:
      path += f" -> {os.fsdecode(error.filename2)}"
    message = error.strerror or str(error)
    if path not in message:
      message = f"{message} ({path})"
  else:
    message = str(error)
  lines = [line.strip() for line in message.splitlines() if line.strip()]
  if not lines:
    return type(error).__name__
  if len(lines[0].split()) == 1:  # a bare key, name or number says little on its own
    return f"{type(error).__name__}: {lines[0]}"
  return lines[0]


def exit_status(error: BaseException) -> int:
  """`error.exit_code` where it is an integer, else FAILURE."""
  code = getattr(error, "exit_code", None)
  return code if isinstance(code, int) and not isinstance(code, bool) else FAILURE


class _QuietCheckpointer(std_logging.Filter):
  """Keeps orbax's per-save INFO chatter out of the log; its warnings and errors stay."""

  def filter(self, record: std_logging.LogRecord) -> bool:
    return record.levelno >= std_logging.WARNING or "/orbax/" not in record.pathname


class _NoTpuNote(std_logging.Filter):
  """Drops jax's INFO note that it could not initialize a TPU backend (on a machine without
  one it always fails, and jax falls back to the other backends)."""

  def filter(self, record: std_logging.LogRecord) -> bool:
    return not (record.levelno < std_logging.WARNING and
                str(record.msg).startswith("Unable to initialize backend 'tpu'"))


def quiet_logs() -> None:
  """Keeps the log to what concerns the user (`run` calls it; idempotent)."""
  logger = std_logging.getLogger("jax._src.xla_bridge")
  if not any(isinstance(f, _NoTpuNote) for f in logger.filters):
    logger.addFilter(_NoTpuNote())
  handler = logging.get_absl_handler()
  if not any(isinstance(f, _QuietCheckpointer) for f in handler.filters):
    handler.addFilter(_QuietCheckpointer())


def _release_shared_memory() -> None:
  """Releases the shared memory of the batches input workers sent, before the process exits.

  grain's finished iterators keep their last batches in reference cycles, and a batch's shared
  memory is unlinked by one background thread that exit stops; whatever is still pending then is
  reported by multiprocessing's resource_tracker as leaked. So: collect the cycles, then wait
  until that thread has done the work queued before a no-op (it serves one task at a time).
  """
  gc.collect()
  deleting = getattr(shared_memory_array.SharedMemoryArray, "_del_thread_pool", None)
  if deleting is not None:
    deleting.apply(int)


def _run_main(main: Callable[[list[str]], None], argv: list[str]) -> None:
  if _VERBOSE.value:  # traitjax's modules log their details as debug lines.
    std_logging.getLogger("traitjax").setLevel(std_logging.DEBUG)
  try:
    main(argv)
  except Exception as e:  # pylint: disable=broad-except  (not SystemExit, KeyboardInterrupt)
    if _VERBOSE.value:
      traceback.print_exc()
    else:
      print(f"traitjax: {error_message(e)}", file=sys.stderr)
    sys.stderr.flush()
    sys.exit(exit_status(e))
  finally:
    _release_shared_memory()


def run(main: Callable[[list[str]], None]) -> None:
  """`app.run(main)` with `parse_flags`, quiet logs, and a failure as one line (see above)."""
  quiet_logs()
  app.run(lambda argv: _run_main(main, argv), flags_parser=parse_flags)
