#!/bin/bash
# traitjax on a Cloud TPU VM, one host or a pod slice: optionally create it, copy this checkout
# to every worker, install it with the TPU jax wheel of requirements.txt's jax version, and run
# the same training command on all workers at once (--coordinator=auto: JAX finds the slice's
# hosts itself). Needs the gcloud CLI, logged in.
#
#   launch/tpu_vm.sh --name=traitjax --zone=us-central2-b --create --accelerator=v4-16 \
#       -- --config=configs/cub.py --workdir=/mnt/shared/runs/cub
#   launch/tpu_vm.sh --name=traitjax --zone=us-central2-b --dry-run -- --config=configs/cub.py ...
#
# Options (before --): --name, --zone (required), --project, --create, --accelerator (v4-8),
# --version (tpu-ubuntu2204-base), --dry-run (print every command, run none). After --: the
# flags of `python -m traitjax.main`. The workdir must be one folder that every worker writes
# (a shared file system mounted at the same path). The code copied is the checkout's last commit
# (git archive HEAD).
set -euo pipefail
NAME="" ZONE="" PROJECT="" CREATE=0 DRY_RUN=0
ACCELERATOR="v4-8" VERSION="tpu-ubuntu2204-base"
while [ $# -gt 0 ]; do
  case "$1" in
    --name=*) NAME="${1#*=}" ;;
    --zone=*) ZONE="${1#*=}" ;;
    --project=*) PROJECT="${1#*=}" ;;
    --accelerator=*) ACCELERATOR="${1#*=}" ;;
    --version=*) VERSION="${1#*=}" ;;
    --create) CREATE=1 ;;
    --dry-run) DRY_RUN=1 ;;
    --) shift; break ;;
    *) echo "tpu_vm.sh: unknown option $1 (the training flags go after --)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$NAME" ] || [ -z "$ZONE" ]; then
  echo "tpu_vm.sh: --name and --zone are required" >&2; exit 2
fi
if [ $# -eq 0 ]; then
  echo "tpu_vm.sh: give the training flags after --, e.g. -- --config=configs/cub.py --workdir=/mnt/shared/cub" >&2
  exit 2
fi
cd "$(dirname "$0")/.."
JAX_VERSION=$(sed -n 's/^jax==//p' requirements.txt)
TPU=(gcloud compute tpus tpu-vm)
WHERE=(--zone="$ZONE")
if [ -n "$PROJECT" ]; then WHERE+=(--project="$PROJECT"); fi

run() {  # Prints the command; runs it unless --dry-run.
  printf '+'; printf ' %q' "$@"; printf '\n'
  if [ "$DRY_RUN" -eq 0 ]; then "$@"; fi
}

if [ "$CREATE" -eq 1 ]; then
  run "${TPU[@]}" create "$NAME" "${WHERE[@]}" --accelerator-type="$ACCELERATOR" --version="$VERSION"
fi
ARCHIVE=$(mktemp -u /tmp/traitjax.XXXXXX.tar.gz)
run git archive --format=tar.gz --output="$ARCHIVE" HEAD
run "${TPU[@]}" scp "$ARCHIVE" "$NAME":traitjax.tar.gz "${WHERE[@]}" --worker=all
run "${TPU[@]}" ssh "$NAME" "${WHERE[@]}" --worker=all --command="mkdir -p traitjax && tar -xzf traitjax.tar.gz -C traitjax && cd traitjax && python3 -m pip install -q -r requirements.txt -e . 'jax[tpu]==$JAX_VERSION'"
TRAIN=$(printf ' %q' "$@")
run "${TPU[@]}" ssh "$NAME" "${WHERE[@]}" --worker=all --command="cd traitjax && python3 -m traitjax.main --coordinator=auto$TRAIN"
