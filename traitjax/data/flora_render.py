"""Draws one synthetic-flora photo from a plant's traits, pose and scene.

Geometry lives in scene units: the scene is the unit square, x to the right, y down. A square
viewport of the scene (smaller than the scene for a partial view) is mapped onto the image.
Everything is drawn with PIL at the output resolution, so a 64 px photo costs well under 2 ms.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from PIL import Image, ImageDraw

from traitjax.data import degrade

# Colours (RGB) of each trait value that is drawn as a colour.
PETAL_COLOURS = {
    "white": (242, 240, 232), "yellow": (246, 208, 36), "red": (206, 32, 40),
    "purple": (138, 58, 172), "blue": (58, 92, 214), "orange": (246, 136, 28)}
CENTRE_COLOURS = {"yellow": (250, 222, 70), "dark": (58, 34, 20), "green": (96, 160, 64)}
LEAF_COLOURS = {"light_green": (146, 206, 92), "dark_green": (36, 104, 44),
                "purple": (112, 56, 98)}
STEM_COLOURS = {"green": (72, 142, 62), "red": (150, 48, 40)}
PETAL_COUNTS = {"three": 3, "four": 4, "five": 5, "six": 6, "eight": 8}
FLOWER_HEADS = {"solitary": 1, "paired": 2, "clustered": 3}

PART_NAMES = ("flower", "leaf", "stem", "fruit", "base")


@dataclasses.dataclass(frozen=True)
class Scene:
  """Everything random about one photo except the plant's traits.

  Attributes:
    base: (x, y) of the stem base in scene units.
    tilt: stem angle from vertical, radians.
    scale: plant size multiplier.
    viewport: (x0, y0, width) of the square region of the scene shown.
    occlude: name of the part hidden behind an occluder, or "".
    degradation: one of schema.DEGRADATIONS; strength in [0, 1].
  """

  base: tuple[float, float]
  tilt: float
  scale: float
  viewport: tuple[float, float, float]
  occlude: str
  degradation: str
  strength: float
  sky: tuple[int, int, int]
  ground: tuple[int, int, int]
  light: tuple[float, float, float]
  clutter: int
  distractors: int
  noise: float
  seed: int


def _leaf_outline(shape: str, margin: str, n: int = 14) -> np.ndarray:
  """Leaf contour in leaf units: u along the midrib (0 base .. 1 tip), v across. [2n+1, 2]."""
  u = np.linspace(0.0, 1.0, n + 2)[1:-1]
  if shape == "ovate":
    w = 0.42 * np.sin(np.pi * u) ** 0.8 * (1.25 - 0.6 * u)
  elif shape == "lanceolate":
    w = 0.17 * np.sin(np.pi * u) ** 0.9
  elif shape == "round":
    w = 0.5 * np.sqrt(np.clip(1.0 - (2.0 * u - 1.0) ** 2, 0, 1))
  elif shape == "linear":
    w = 0.075 * np.minimum(1.0, 6.0 * (1.0 - u))
  elif shape == "cordate":
    w = 0.5 * np.sin(np.pi * np.sqrt(u)) ** 0.9 * (1.15 - 0.5 * u)
  else:
    raise ValueError(f"unknown leaf shape {shape!r}")
  if margin == "serrated":
    teeth = np.abs(((u * 7.0) % 1.0) - 0.5) * 2.0
    w = w * (0.72 + 0.45 * teeth)
  elif margin == "lobed":
    w = w * (0.45 + 0.7 * np.abs(np.sin(np.pi * u * 2.5)))
  elif margin != "entire":
    raise ValueError(f"unknown leaf margin {margin!r}")
  base = (0.16, 0.0) if shape == "cordate" else (0.0, 0.0)
  right = np.stack([u, w], -1)
  left = np.stack([u[::-1], -w[::-1]], -1)
  return np.concatenate([[base], right, [(1.0, 0.0)], left], 0)


def _petal_outline(shape: str, width: float) -> np.ndarray:
  """Petal contour in petal units (u outward from the centre, v across). [K, 2]."""
  if shape == "pointed":
    return np.array([(0, 0), (0.45, width * 0.55), (1.0, 0.0), (0.45, -width * 0.55)])
  u = np.linspace(0.0, 1.0, 8)
  w = width * 0.5 * np.sqrt(np.sin(np.pi * np.clip(u, 0, 1)))
  right = np.stack([u, w], -1)
  left = right[::-1] * np.array([1.0, -1.0])
  if shape == "rounded":
    return np.concatenate([right, left], 0)
  if shape == "notched":
    return np.concatenate([right[:-1], [(0.72, 0.0)], left[1:]], 0)
  raise ValueError(f"unknown petal shape {shape!r}")


def _place(outline: np.ndarray, origin, angle: float, length: float) -> np.ndarray:
  """Rotates an outline (u along `angle`, v across) by length about origin. [K, 2]."""
  c, s = math.cos(angle), math.sin(angle)
  along = np.array([c, s]) * length
  across = np.array([-s, c]) * length
  return np.asarray(origin) + outline[:, :1] * along + outline[:, 1:] * across


class _Canvas:
  """Scene units -> pixels, and the draw calls the plant needs."""

  def __init__(self, size: int, viewport, background: np.ndarray):
    self.size = size
    self.x0, self.y0, self.width = viewport
    self.image = Image.fromarray(background)
    self.draw = ImageDraw.Draw(self.image)

  def px(self, points) -> list[tuple[float, float]]:
    p = (np.asarray(points, np.float64).reshape(-1, 2) - (self.x0, self.y0))
    p = p * (self.size / self.width)
    return [tuple(q) for q in p]

  def length(self, scene_length: float) -> float:
    return scene_length * self.size / self.width

  def polygon(self, points, colour):
    self.draw.polygon(self.px(points), fill=colour)

  def line(self, points, colour, width: float):
    self.draw.line(self.px(points), fill=colour, width=max(1, round(self.length(width))))

  def disc(self, centre, radius: float, colour):
    (cx, cy), = self.px([centre])
    r = max(0.6, self.length(radius))
    self.draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=colour)


def _background(size: int, scene: Scene, rng: np.random.Generator) -> np.ndarray:
  y = np.linspace(0.0, 1.0, size, dtype=np.float32)[:, None, None]
  horizon = 0.55 + 0.15 * rng.random()
  mix = np.clip((y - horizon) * 8.0 + 0.5, 0.0, 1.0)
  sky = np.asarray(scene.sky, np.float32)
  ground = np.asarray(scene.ground, np.float32)
  rows = sky * (1.0 - mix) + ground * mix
  return np.broadcast_to(rows, (size, size, 3)).astype(np.uint8)


def _draw_clutter(canvas: _Canvas, scene: Scene, rng: np.random.Generator):
  """Grass blades, pebbles and (with difficulty) small flower-coloured distractor blobs."""
  x0, y0, w = scene.viewport
  for _ in range(scene.clutter):
    x = x0 + w * rng.random()
    if rng.random() < 0.6:
      y = 0.7 + 0.3 * rng.random()
      h = 0.08 + 0.12 * rng.random()
      shade = rng.integers(60, 140)
      colour = (int(shade * 0.6), int(shade), int(shade * 0.4))
      canvas.line([(x, y), (x + (rng.random() - 0.5) * 0.08, y - h)], colour, 0.008)
    else:
      y = 0.75 + 0.25 * rng.random()
      grey = int(rng.integers(90, 170))
      canvas.disc((x, y), 0.012 + 0.02 * rng.random(), (grey, grey - 8, grey - 20))
  palette = list(PETAL_COLOURS.values())
  for _ in range(scene.distractors):
    centre = (x0 + w * rng.random(), y0 + w * rng.random())
    canvas.disc(centre, 0.01 + 0.015 * rng.random(), palette[rng.integers(len(palette))])


def _leaf_nodes(arrangement: str) -> list[tuple[float, float]]:
  """(fraction along the stem, angle from the stem axis) of every leaf."""
  if arrangement == "alternate":
    return [(0.22, -1.05), (0.40, 1.05), (0.58, -1.05)]
  if arrangement == "opposite":
    return [(f, side * 1.1) for f in (0.28, 0.52) for side in (-1, 1)]
  if arrangement == "whorled":
    return [(f, a) for f in (0.3, 0.56) for a in (-1.25, 1.25, 0.35)]
  raise ValueError(f"unknown leaf arrangement {arrangement!r}")


def render(traits: dict[str, str], scene: Scene, size: int) -> tuple[np.ndarray, np.ndarray]:
  """Draws the plant with the given trait values (group -> value) in the scene.

  Returns:
    image: uint8 [size, size, 3].
    parts: float32 [len(PART_NAMES), 3] keypoints (x, y, visible), x and y in [0, 1] of the image.
  """
  rng = np.random.default_rng(scene.seed)
  canvas = _Canvas(size, scene.viewport, _background(size, scene, rng))
  _draw_clutter(canvas, scene, rng)

  s = scene.scale
  base = np.asarray(scene.base)
  up = np.array([math.sin(scene.tilt), -math.cos(scene.tilt)])
  stem_angle = math.atan2(up[1], up[0])
  stem_length = 0.58 * s
  top = base + up * stem_length
  stem_colour = STEM_COLOURS[traits["stem_colour"]]
  stem_width = 0.018 * s

  # Fruit hangs from a side twig on the right of the upper stem.
  twig_root = base + up * stem_length * 0.68
  fruit_at = twig_root + np.array(
      [math.cos(stem_angle + 1.2), math.sin(stem_angle + 1.2)]) * 0.1 * s
  fruit = traits["fruit"]
  if fruit != "none":
    canvas.line([twig_root, fruit_at], stem_colour, stem_width * 0.5)
    if fruit == "berry":
      for dx, dy in ((-0.022, 0.0), (0.022, 0.0), (0.0, 0.03)):
        canvas.disc(fruit_at + np.array([dx, dy]) * s, 0.024 * s, (92, 14, 40))
    else:
      pod = np.array([(0, 0), (0.3, 0.22), (1.0, 0.0), (0.3, -0.22)])
      canvas.polygon(_place(pod, fruit_at, math.pi / 2 + 0.2, 0.13 * s), (150, 140, 60))

  # Stem with its texture.
  canvas.line([base, top], stem_colour, stem_width)
  texture = traits["stem_texture"]
  if texture != "smooth":
    across = np.array([-up[1], up[0]])
    for f in np.linspace(0.08, 0.9, 9 if texture == "hairy" else 6):
      p = base + up * stem_length * f
      for side in (-1.0, 1.0):
        if texture == "hairy":
          canvas.line([p, p + (across * side + up * 0.6) * 0.028 * s], (226, 226, 210), 0.004)
        else:
          canvas.polygon([p + across * side * 0.008 * s, p + up * 0.02 * s,
                          p + (across * side * 1.6 + up * 0.9) * 0.022 * s], (110, 20, 30))

  # Leaves.
  leaf_colour = LEAF_COLOURS[traits["leaf_colour"]]
  outline = _leaf_outline(traits["leaf_shape"], traits["leaf_margin"])
  length = (0.26 if traits["leaf_shape"] in ("linear", "lanceolate") else 0.2) * s
  leaf_points = []
  for fraction, angle in _leaf_nodes(traits["leaf_arrangement"]):
    attach = base + up * stem_length * fraction
    leaf = _place(outline, attach, stem_angle + angle, length)
    canvas.polygon(leaf, leaf_colour)
    canvas.line([attach, attach + np.array([math.cos(stem_angle + angle),
                                            math.sin(stem_angle + angle)]) * length * 0.85],
                (int(leaf_colour[0] * 0.7), int(leaf_colour[1] * 0.8), int(leaf_colour[2] * 0.7)),
                0.004)
    leaf_points.append(attach + np.array([math.cos(stem_angle + angle),
                                          math.sin(stem_angle + angle)]) * length * 0.5)

  # Flower heads: the main one on top, the others on branches.
  heads = [(top, 0.115 * s)]
  for side in (1.0, -1.0)[:FLOWER_HEADS[traits["inflorescence"]] - 1]:
    angle = stem_angle + side * 0.75
    root = base + up * stem_length * 0.8
    tip = root + np.array([math.cos(angle), math.sin(angle)]) * 0.2 * s
    canvas.line([root, tip], stem_colour, stem_width * 0.7)
    heads.append((tip, 0.09 * s))
  count = PETAL_COUNTS[traits["petal_count"]]
  petal = _petal_outline(traits["petal_shape"], width=min(0.9, 2.6 / count) * 1.4)
  petal_colour = PETAL_COLOURS[traits["petal_colour"]]
  centre_colour = CENTRE_COLOURS[traits["flower_centre"]]
  spin = rng.random() * 2 * math.pi
  for centre, radius in heads:
    for k in range(count):
      canvas.polygon(_place(petal, centre, spin + 2 * math.pi * k / count, radius), petal_colour)
    canvas.disc(centre, radius * 0.27, centre_colour)

  part_points = {"flower": top, "leaf": leaf_points[0], "stem": base + up * stem_length * 0.45,
                 "fruit": fruit_at, "base": base}
  if scene.occlude:
    hidden = [h[0] for h in heads] if scene.occlude == "flower" else [part_points["fruit"]]
    centre = np.mean(hidden, 0)
    radius = max(float(np.max(np.linalg.norm(np.asarray(hidden) - centre, axis=1))), 0.0)
    radius += (0.16 if scene.occlude == "flower" else 0.09) * s
    grey = int(rng.integers(70, 120))
    canvas.disc(centre, radius, (grey + 20, grey + 10, grey))

  x0, y0, width = scene.viewport
  margin = 0.03 * width
  parts = np.zeros((len(PART_NAMES), 3), np.float32)
  for i, name in enumerate(PART_NAMES):
    if name == "leaf":
      inside = [p for p in leaf_points if _inside(p, scene.viewport, margin)]
      point = inside[0] if inside else leaf_points[0]
      visible = bool(inside)
    else:
      point = part_points[name]
      # Every flower head must be in frame for flower traits (and their count) to be seen.
      points = [h[0] for h in heads] if name == "flower" else [point]
      visible = (all(_inside(p, scene.viewport, margin) for p in points)
                 and name != scene.occlude)
    if visible:
      parts[i] = ((point[0] - x0) / width, (point[1] - y0) / width, 1.0)

  image = np.asarray(canvas.image)
  if scene.degradation == "blur":
    image = degrade.blur(image, scene.strength)
  pixels = image.astype(np.float32) * np.asarray(scene.light, np.float32)
  noise = scene.noise
  if scene.degradation == "dark":
    # The scene's light dims and the camera's one noise draw grows: degrade.dark's constants,
    # applied before the photo is quantised rather than to a finished photo.
    pixels *= 1.0 - degrade.DARK_GAIN * scene.strength
    noise += degrade.DARK_NOISE * scene.strength
  if noise > 0:
    pixels += rng.normal(0.0, noise, pixels.shape).astype(np.float32)
  return np.clip(pixels, 0, 255).astype(np.uint8), parts


def _inside(point, viewport, margin: float) -> bool:
  x0, y0, width = viewport
  return (x0 + margin <= point[0] <= x0 + width - margin
          and y0 + margin <= point[1] <= y0 + width - margin)
