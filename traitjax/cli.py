"""What every command (`python -m traitjax.<command>`) shares: flag parsing that stops a bad
flag or config override in one line, and running a command's main with it."""

import sys
from typing import Callable

from absl import app
from absl import flags


def parse_flags(argv: list[str]) -> list[str]:
  """absl flag parsing; a bad flag or config override exits with one line naming it."""
  try:
    return flags.FLAGS(argv)
  except (flags.Error, AttributeError, KeyError, TypeError, ValueError) as e:
    lines = [line.strip() for line in str(e).replace("\\n", "\n").splitlines() if line.strip()]
    # A config file that raised: its traceback's last line is the message.
    message = lines[-1] if any(l.startswith("Traceback") for l in lines) else " ".join(lines)
    sys.exit(f"traitjax: bad flag or config: {message}")


def run(main: Callable[[list[str]], None]) -> None:
  """`app.run(main)` with `parse_flags`."""
  app.run(main, flags_parser=parse_flags)
