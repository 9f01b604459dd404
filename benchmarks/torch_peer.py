r"""The concept-bottleneck train step in PyTorch, for side-by-side runs with train_step.py.

  python benchmarks/torch_peer.py --batch=256 --image_size=224 --dtype=bfloat16 [--compile]

ResNet-50 (torchvision's architecture, v1.5: stride on the 3x3 convolution, written out here so
that only torch is needed) -> a trait linear head -> sigmoid -> a species linear head on the
trait probabilities (a joint CBM), channels_last, autocast in `--dtype`, AdamW, gradient
clipping as traitjax does; optionally torch.compile. Prints one JSON line like train_step.py.
torch is not a dependency of traitjax: run this where torch is installed
(`pip install torch`).
"""

import argparse
import json
import sys
import time

try:
  import torch
  from torch import nn
except ImportError:
  print("traitjax: torch is not installed: this benchmark needs it (pip install torch)",
        file=sys.stderr)
  sys.exit(2)


class Bottleneck(nn.Module):
  """1x1 -> 3x3 (with the stride) -> 1x1 (4x the width), batch norm after each, a projected
  shortcut where the shape changes."""

  def __init__(self, in_channels: int, width: int, stride: int):
    super().__init__()
    out_channels = 4 * width
    self.body = nn.Sequential(
        nn.Conv2d(in_channels, width, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(True),
        nn.Conv2d(width, width, 3, stride, 1, bias=False), nn.BatchNorm2d(width), nn.ReLU(True),
        nn.Conv2d(width, out_channels, 1, bias=False), nn.BatchNorm2d(out_channels))
    self.shortcut = nn.Identity()
    if stride != 1 or in_channels != out_channels:
      self.shortcut = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride, bias=False),
                                    nn.BatchNorm2d(out_channels))

  def forward(self, x):
    return torch.relu(self.body(x) + self.shortcut(x))


def resnet50() -> nn.Sequential:
  """The ResNet-50 feature extractor: [B, 3, H, W] -> [B, 2048] (global average pool)."""
  layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(True),
            nn.MaxPool2d(3, 2, 1)]
  channels = 64
  for width, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
    for index in range(blocks):
      layers.append(Bottleneck(channels, width, stride if index == 0 else 1))
      channels = 4 * width
  return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten())


class ConceptBottleneck(nn.Module):
  """ResNet-50 features -> trait logits -> sigmoid -> species logits."""

  def __init__(self, num_traits: int, num_species: int):
    super().__init__()
    self.backbone = resnet50()
    self.trait_head = nn.Linear(2048, num_traits)
    self.species_head = nn.Linear(num_traits, num_species)

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
  parser.add_argument("--num_traits", type=int, default=312)
  parser.add_argument("--num_species", type=int, default=200)
  args = parser.parse_args()

  device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
  model = ConceptBottleneck(args.num_traits, args.num_species).to(device, memory_format=torch.channels_last)
  optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
  forward = torch.compile(model) if args.compile else model
  images = torch.randn(args.batch, 3, args.image_size, args.image_size, device=device)
  images = images.to(memory_format=torch.channels_last)
  traits = torch.rand(args.batch, args.num_traits, device=device)
  species = torch.randint(0, args.num_species, (args.batch,), device=device)
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
      "heads": f"{args.num_traits} traits, {args.num_species} species",
      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
  main()
