#!/bin/bash
# Offline installs: build a wheelhouse of everything requirements.txt pins (and traitjax itself)
# on a machine with access to the package index, copy the folder to an air-gapped node, and
# install from it there with no index at all.
#
#   launch/wheelhouse.sh build wheelhouse/ [--jax=cuda12|tpu]
#   launch/wheelhouse.sh install wheelhouse/ .venv
#
# --jax adds the accelerator wheels of requirements.txt's jax version (jax[cuda12] or jax[tpu]).
# PYTHON picks the interpreter (default python3); build with the Python version of the node.
set -euo pipefail
usage() { echo "usage: wheelhouse.sh build DIR [--jax=cuda12|tpu] | install DIR VENV" >&2; exit 2; }
[ $# -ge 2 ] || usage
ACTION=$1 DIR=$2
PYTHON=${PYTHON:-python3}
REPO=$(cd "$(dirname "$0")/.." && pwd)
case "$ACTION" in
  build)
    EXTRA=()
    case "${3:-}" in
      "") ;;
      --jax=cuda12|--jax=tpu)
        EXTRA=("jax[${3#--jax=}]==$(sed -n 's/^jax==//p' "$REPO/requirements.txt")") ;;
      *) usage ;;
    esac
    mkdir -p "$DIR"
    "$PYTHON" -m pip wheel -q --wheel-dir="$DIR" -r "$REPO/requirements.txt" "${EXTRA[@]}"
    "$PYTHON" -m pip wheel -q --no-deps --wheel-dir="$DIR" "$REPO"
    echo "wheelhouse: $(ls "$DIR" | wc -l) wheels in $DIR"
    ;;
  install)
    [ $# -eq 3 ] || usage
    "$PYTHON" -m venv "$3"
    "$3/bin/pip" install -q --no-index --find-links="$DIR" -r "$REPO/requirements.txt" traitjax
    echo "installed traitjax and its pinned requirements into $3 from $DIR (no index)"
    ;;
  *) usage ;;
esac
