r"""The concept-bottleneck train step in PyTorch, for side-by-side runs with train_step.py.

  python benchmarks/torch_peer.py --batch=256 --image_size=224 --dtype=bfloat16 [--compile]

torchvision ResNet-50 -> a 312-trait linear head -> sigmoid -> a 200-species linear head on the
trait probabilities (a joint CBM), channels_last, autocast in `--dtype`, AdamW, gradient
clipping as traitjax does; optionally torch.compile. Prints one JSON line like train_step.py.
torch is not a dependency of traitjax: run this where torch and torchvision are installed.
"""

import argparse
import json
import time

import torch
import torchvision

NUM_TRAITS = 312
NUM_SPECIES = 200


class ConceptBottleneck(torch.nn.Module):
  """ResNet-50 features -> trait logits -> sigmoid -> species logits."""

  def __init__(self):
    super().__init__()
    self.backbone = torchvision.models.resnet50()
    features = self.backbone.fc.in_features
    self.backbone.fc = torch.nn.Identity()
    self.trait_head = torch.nn.Linear(features, NUM_TRAITS)
    self.species_head = torch.nn.Linear(NUM_TRAITS, NUM_SPECIES)

  def forward(self, images):
    trait_logits = self.trait_head(self.backbone(images))
    return trait_logits, self.species_head(torch.sigmoid(trait_logits))


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--batch", type=int, default=256)
  parser.add_argument("--image_size", type=int, default=224)
  parser.add_argument("--dtype", choices=("float32", "bfloat16"), default="bfloat16")
  parser.add_argument("--compile", action="store_true", help="torch.compile the model")
  parser.add_argument("--steps", type=int, default=20)
  args = parser.parse_args()

  device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
  model = ConceptBottleneck().to(device, memory_format=torch.channels_last)
  optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
  forward = torch.compile(model) if args.compile else model
  images = torch.randn(args.batch, 3, args.image_size, args.image_size, device=device)
  images = images.to(memory_format=torch.channels_last)
  traits = torch.rand(args.batch, NUM_TRAITS, device=device)
  species = torch.randint(0, NUM_SPECIES, (args.batch,), device=device)
  dtype = getattr(torch, args.dtype)

  def step():
    optimizer.zero_grad(set_to_none=True)
    with torch.autocast(device.type, dtype=dtype, enabled=args.dtype != "float32"):
      trait_logits, species_logits = forward(images)
      loss = (torch.nn.functional.cross_entropy(species_logits.float(), species)
              + torch.nn.functional.binary_cross_entropy_with_logits(trait_logits.float(),
                                                                     traits))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()

  def synchronise():
    if device.type == "cuda":
      torch.cuda.synchronize()

  for _ in range(3):  # warm-up (and compilation)
    step()
  synchronise()
  start = time.perf_counter()
  for _ in range(args.steps):
    step()
  synchronise()
  seconds = time.perf_counter() - start
  print(json.dumps({
      "framework": "torch", "backbone": "resnet50", "batch": args.batch,
      "image_size": args.image_size, "dtype": args.dtype, "compile": args.compile,
      "device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu",
      "step_images_per_s": round(args.steps * args.batch / seconds, 1),
      "heads": f"{NUM_TRAITS} traits, {NUM_SPECIES} species"}))


if __name__ == "__main__":
  main()
