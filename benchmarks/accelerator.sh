#!/usr/bin/env bash
# The trainer against PyTorch on one accelerator host, in one call: traitjax's train step (the
# shared trainer's, measurements and sharding on) for the ResNet-50 CBM on CUB (312 traits; 200
# species on the whole of CUB-200-2011), the same step fed by the input pipeline from the JPEG
# files with worker processes, a bare jitted JAX step, and benchmarks/torch_peer.py eager and
# torch.compile'd on the same device. Prints a table of images/s and ratios and writes it, with
# the raw JSON lines, to $OUT.
#
#   bash benchmarks/accelerator.sh                       # a GPU or TPU host: batch 256, bf16
#   BATCH=8 DTYPE=float32 STEPS=3 WORKERS=2 bash benchmarks/accelerator.sh   # a small CPU
#
# Settings (environment): BATCH (256), DTYPE (bfloat16), STEPS timed per measurement (20),
# WORKERS input processes (16), CUB root (default: the config's, in the shared folder), OUT
# (benchmark_results). Needs torch beside traitjax (`pip install torch`; a CUDA build on GPUs).
set -euo pipefail
cd "$(dirname "$0")/.."
BATCH="${BATCH:-256}" DTYPE="${DTYPE:-bfloat16}" STEPS="${STEPS:-20}" WORKERS="${WORKERS:-16}"
CUB="${CUB:-}" OUT="${OUT:-benchmark_results}"
PYTHON="${PYTHON:-python}"
"$PYTHON" -c "import torch" 2>/dev/null || { echo "accelerator.sh: torch is not installed (pip install torch)" >&2; exit 2; }
mkdir -p "$OUT"
echo "traitjax train step, bare JAX step and input pipeline ($BATCH x 224 px, $DTYPE, $WORKERS workers)..." >&2
"$PYTHON" benchmarks/train_step.py --config=configs/cub.py ${CUB:+--config.data.root="$CUB"} \
  --backbone=resnet50 --batch="$BATCH" --image_size=224 --dtype="$DTYPE" --steps="$STEPS" \
  --workers="$WORKERS" --bare | tail -n 1 > "$OUT/jax.json"
SPECIES="$("$PYTHON" -c "import json, sys; print(json.load(open(sys.argv[1]))['heads'].split()[2])" "$OUT/jax.json")"
for MODE in eager compile; do
  echo "PyTorch peer, $MODE..." >&2
  "$PYTHON" benchmarks/torch_peer.py --batch="$BATCH" --image_size=224 --dtype="$DTYPE" \
    --steps="$STEPS" --num_traits=312 --num_species="$SPECIES" \
    $([ "$MODE" = compile ] && echo --compile) | tail -n 1 > "$OUT/torch_$MODE.json"
done
"$PYTHON" - "$OUT" <<'PY' | tee "$OUT/accelerator.md"
import json, pathlib, sys
out = pathlib.Path(sys.argv[1])
jax, eager, compiled = (json.loads((out / f"{n}.json").read_text())
                        for n in ("jax", "torch_eager", "torch_compile"))
step = jax["step_images_per_s"]
rows = [
    ("traitjax train step (trainer: measurements, sharding)", step, 1.0),
    ("bare jitted JAX step (its ratio against the trainer's step timed beside it)",
     jax["bare_jax_images_per_s"], 1 / jax["step_over_bare_jax"]),
    ("PyTorch eager", eager["step_images_per_s"], eager["step_images_per_s"] / step),
    ("PyTorch torch.compile", compiled["step_images_per_s"], compiled["step_images_per_s"] / step),
    ("traitjax step fed by the input pipeline (JPEG files, worker processes)",
     jax["pipeline_images_per_s"], jax["pipeline_images_per_s"] / step)]
print(f"{jax['device']} x {jax['devices']}, ResNet-50 CBM ({jax['heads']}), batch {jax['batch']}, "
      f"{jax['image_size']} px, {jax['dtype']}; torch threads: {eager.get('threads', '-')}\n")
print("| what | images/s | relative to the traitjax step |\n|---|---|---|")
for name, rate, ratio in rows:
    print(f"| {name} | {rate:.1f} | {ratio:.2f} |")
print(f"\ntraitjax step / torch.compile: {step / compiled['step_images_per_s']:.2f}x; "
      f"/ PyTorch eager: {step / eager['step_images_per_s']:.2f}x; / bare JAX step: "
      f"{jax['step_over_bare_jax']:.2f}x; input pipeline / step: {jax['pipeline_over_step']:.2f}")
PY
