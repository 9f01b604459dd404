"""The stored results under `results/` in the checkout: one small JSON file per run or sweep whose
numbers a docs table shows, read by the tables (`tables`) and written by `store`.

A result file holds

  command  the command that produced the numbers (workdirs as W or DIR);
  commit   the checkout's `git rev-parse HEAD` when the numbers were stored, and `dirty`
           whether it had changes then (null in files converted from docs/results/, whose
           `note` says which commit stored them: the run's own was not recorded);
  seeds    the seeds the numbers rest on ([] where not given);
  photos   optional counts of photos per split, e.g. {"test": 1600}; for a sweep, a list
           per point under "<split>, per point";
  machine, note  optional: where it ran, and what a reader of the numbers should know;
  metrics  only the numbers the docs read, each under its dotted key in the file it was
           picked from ("by_frequency_bin.tail", "runs.0.seconds"), not the whole metrics.json;
           a sweep's value of each of its points under "per point: <key>" (from each point's
           own metrics.json, in the order of its results).
"""

import json
import os
import re
import subprocess
from typing import Sequence

# The folder of result files, under the checkout's root.
FOLDER = "results"
# A result file's name (results/<name>.json): a word, dots and dashes, no folder.
_NAME = re.compile(r"[\w.-]+")


def path(root: str, name: str) -> str:
  """results/<name>.json under `root`."""
  if not _NAME.fullmatch(name):
    raise ValueError(f"a result name is letters, digits, '_', '.' and '-', got {name!r}")
  return os.path.join(root, FOLDER, f"{name}.json")


def load(root: str, name: str) -> dict:
  """The result file `name`.

  Raises:
    FileNotFoundError naming the file when there is none; ValueError when it is not a result
    file (JSON with a `metrics` object).
  """
  file = path(root, name)
  if not os.path.isfile(file):
    raise FileNotFoundError(f"result file not found: {os.path.relpath(file, root)}")
  with open(file) as f:
    try:
      result = json.load(f)
    except ValueError as e:
      raise ValueError(f"{os.path.relpath(file, root)}: not JSON ({e})") from None
  if not isinstance(result, dict) or not isinstance(result.get("metrics"), dict):
    raise ValueError(f"{os.path.relpath(file, root)}: no `metrics` object")
  return result


def pick(report, key: str, source: str = "the report"):
  """The value at the dotted `key` of a metrics.json-like report: "a.b" is report["a"]["b"], a
  number indexes a list ("runs.0.seconds"), and a key with dots of its own is found whole
  ("selective.accuracy_at_coverage.0.8" is [...]["accuracy_at_coverage"]["0.8"]).

  Raises:
    KeyError naming `source` and the key when the report has no such value.
  """
  found = _pick(report, key.split("."))
  if found is _MISSING:
    raise KeyError(f"{source} has no {key!r}")
  return found


_MISSING = object()


def _pick(value, parts: list[str]):
  if not parts:
    return value
  if isinstance(value, dict):
    # The longest run of parts that is a key of its own first: "0.8" before "0".
    for n in range(len(parts), 0, -1):
      head = ".".join(parts[:n])
      if head in value:
        found = _pick(value[head], parts[n:])
        if found is not _MISSING:
          return found
  elif isinstance(value, list) and parts[0].isdigit() and int(parts[0]) < len(value):
    return _pick(value[int(parts[0])], parts[1:])
  return _MISSING


def git_state(root: str) -> tuple[str, bool]:
  """(`git rev-parse HEAD`, whether the checkout has changes, untracked files included) of the
  checkout at `root`.

  Raises:
    ValueError when `root` is not in a git checkout with a commit.
  """
  def git(*args: str) -> str:
    try:
      return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                            check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
      why = (getattr(e, "stderr", None) or str(e)).strip().splitlines()
      raise ValueError(f"{root}: no git commit to record (git {' '.join(args)}: "
                       f"{why[0] if why else 'failed'})") from None

  return git("rev-parse", "HEAD").strip(), bool(git("status", "--porcelain").strip())


def store(root: str, name: str, source: str, keys: Sequence[str], command: str,
          seeds: Sequence[int] = (), photos: dict[str, int] | None = None,
          per_point: Sequence[str] = (), per_point_photos: dict[str, str] | None = None) -> str:
  """Writes results/<name>.json under `root`: the values of the dotted `keys` of the JSON file
  `source` (a run's metrics.json, a benchmark's output), with the command, the checkout's commit
  and whether it had changes. Returns the file's path. Reads everything before writing, so a
  missing key leaves no file behind.

  Raises:
    KeyError naming the first key `source` lacks; ValueError for an empty key list or command,
    a bad name, or a root outside a git checkout.
  """
  if not keys:
    raise ValueError("--keys: name at least one dotted key to store")
  if not command.strip():
    raise ValueError("--command: say which command produced the numbers")
  file = path(root, name)
  with open(source) as f:
    report = json.load(f)
  metrics = {key: pick(report, key, source) for key in keys}
  photos = dict(photos or {})
  if per_point or per_point_photos:
    folders = sweep_point_folders(report, keys, source)
    metrics.update({f"per point: {key}": point_values(folders, key) for key in per_point})
    photos.update({f"{label}, per point": point_values(folders, key)
                   for label, key in (per_point_photos or {}).items()})
  commit, dirty = git_state(root)
  result = {"command": command, "commit": commit, "dirty": dirty, "seeds": list(seeds)}
  if photos:
    result["photos"] = photos
  result["metrics"] = metrics
  os.makedirs(os.path.dirname(file), exist_ok=True)
  with open(file, "w") as f:
    f.write(dumps(result))
  return file


def sweep_point_folders(report: dict, keys: Sequence[str], source: str) -> list[str]:
  """The workdir of each point of the sweep whose `results` list one of `keys` names, in its
  order: beside `source` (`grid.point_name`).

  Raises:
    ValueError when no key names a sweep's results.
  """
  from traitjax import grid  # pylint: disable=g-import-not-at-top  (it brings the trainer)
  for key in keys:
    results = pick(report, key, source)
    if isinstance(results, list) and results and all("point" in r for r in results):
      folder = os.path.dirname(os.path.abspath(source))
      return [os.path.join(folder, grid.point_name(r["point"])) for r in results]
  raise ValueError("--per_point reads a sweep's points: store its SECTION.results among --keys")


def point_values(folders: Sequence[str], key: str) -> list:
  """`key` of each point's metrics.json; "FILE:KEY" reads FILE under each point's workdir
  instead (e.g. eval/NAME/metrics.json, what `--mode=eval --name=NAME` wrote there).

  Raises:
    FileNotFoundError for a point without that file; KeyError naming a file without `key`.
  """
  file, _, key = key.rpartition(":")
  values = []
  for folder in folders:
    where = os.path.join(folder, file or "metrics.json")
    if not os.path.isfile(where):
      raise FileNotFoundError(f"no {file or 'metrics.json'} of sweep point {folder}")
    with open(where) as f:
      values.append(pick(json.load(f), key, where))
  return values


def dumps(result: dict) -> str:
  """A result file's text: one field a line and one metric a line (a list on its line), so that
  a stored number's change is a one-line diff."""
  fields = []
  for key, value in result.items():
    if key == "metrics":
      value = "{\n" + ",\n".join(f"  {json.dumps(name)}: {json.dumps(number)}"
                                  for name, number in value.items()) + "\n }"
    else:
      value = json.dumps(value)
    fields.append(f" {json.dumps(key)}: {value}")
  return "{\n" + ",\n".join(fields) + "\n}\n"
