#!/bin/bash
# traitjax on one host with all its GPUs: one process, data-parallel over every local device.
#
#   launch/local.sh --config=configs/cub.py --workdir=workdirs/cub
#   CUDA_VISIBLE_DEVICES=0,1 launch/local.sh --config=configs/cub.py:unseen --workdir=workdirs/u
#
# Every argument goes to `python -m traitjax.main`. PYTHON picks the interpreter (default
# python). XLA takes 90% of each GPU's memory up front (XLA_PYTHON_CLIENT_MEM_FRACTION), so one
# allocation serves the whole run; the latency-hiding scheduler overlaps the gradient all-reduce
# with the backward pass. Values already set in the environment win.
set -euo pipefail
cd "$(dirname "$0")/.."
export XLA_PYTHON_CLIENT_MEM_FRACTION="${XLA_PYTHON_CLIENT_MEM_FRACTION:-0.9}"
export XLA_FLAGS="${XLA_FLAGS:---xla_gpu_enable_latency_hiding_scheduler=true}"
exec "${PYTHON:-python}" -m traitjax.main "$@"
