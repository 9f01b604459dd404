"""`index.html` of `python -m traitjax.explain`: one self-contained page over every explained
photo, or plant of several photos (its images embedded as base64 PNGs, no script, no link outside
the file, so it opens offline and can be mailed): per photo the decision and its reason, the
evidence behind its trust and its warnings (`trust_evidence`), the top species with their
probabilities, the conformal species set, the one-sentence description of what the photo shows,
the rationale, the traits it names for and against the top species in their roles' colours, the
photo and its figure with the legend of its colours; a photo that could not be read is one line
saying why. Species are shown by their display names, traits' roles as `roles` defines them (the
text's `wording.rationale_parts`).
"""

from __future__ import annotations

import base64
import dataclasses
import html
import io

import numpy as np
from PIL import Image

from traitjax.explanations import phrasing
from traitjax.explanations import roles
from traitjax.explanations import wording

_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
.photo { border-top: 1px solid #ccc; padding: 1em 0; }
.photo img { vertical-align: top; margin: 0.3em 0.6em 0.3em 0; }
.photo img.input { width: 160px; image-rendering: pixelated; }
.photo img.figure { max-width: 100%; }
.identify { color: #2e7d32; font-weight: bold; }
.abstain { color: #c62828; font-weight: bold; }
.error { color: #c62828; }
.description { font-style: italic; }
.trust { font-size: 0.9em; color: #444; }
.warning { color: #c62828; }
td { padding: 0 0.8em 0 0; }
"""
# The class of each role's trait names on the page (coloured as the figure colours them).
ROLE_CLASSES = {role: f"role-{role}" for role in roles.ROLES}
_STYLE += "".join(f".{ROLE_CLASSES[r]} {{ color: {roles.COLOURS[r]}; }}\n" for r in roles.ROLES)


@dataclasses.dataclass(frozen=True)
class Entry:
  """One photo of the page: its name and origin (a path, or split and index), and either its
  record (the JSON written as NAME.json), the photo as the model saw it and its figure as PNG
  bytes, or the error that kept it from being read."""

  name: str
  origin: str
  record: dict | None = None
  photo_png: bytes = b""
  figure_png: bytes = b""
  error: str = ""


def png_bytes(image: np.ndarray) -> bytes:
  """uint8 [H, W, 3] -> the bytes of a PNG file."""
  buffer = io.BytesIO()
  Image.fromarray(image).save(buffer, format="PNG")
  return buffer.getvalue()


def page(entries: list[Entry], title: str) -> str:
  """The whole HTML page."""
  body = "\n".join(_error_section(e) if e.error else _photo_section(e) for e in entries)
  return (f"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{html.escape(title)}"
          f"</title><style>{_STYLE}</style></head>\n<body><h1>{html.escape(title)}</h1>\n"
          f"{body}\n</body></html>\n")


def _image(png: bytes, css_class: str, alt: str) -> str:
  data = base64.b64encode(png).decode("ascii")
  return (f'<img class="{css_class}" alt="{html.escape(alt)}" '
          f'src="data:image/png;base64,{data}">')


def _name(species: dict) -> str:
  """A species as the page shows it: its display name, marked where it was added from a
  description (`wording.marked_name`), escaped."""
  return html.escape(wording.marked_name(species))


def _trust(record: dict) -> str:
  """The evidence behind the record's trust and its warnings, or a line saying there is
  none."""
  evidence = record.get("trust_evidence")
  if not evidence:
    return ('<p class="trust">Trust: none fitted (the model\'s own probabilities).</p>'
            if "trust_evidence" in record else "")
  warnings = "".join(f'<p class="warning">{html.escape(w)}</p>' for w in evidence["warnings"])
  return f'<p class="trust">{html.escape(wording.trust_sentence(evidence))}</p>{warnings}'


def _roles(record: dict) -> str:
  """The traits the rationale names for and against the top species, each in its role's
  colour (`wording.rationale_parts`), and the legend of the figure's colours."""
  if not record.get("explained_species"):
    return ""
  phrase = {t["name"]: wording.stated(t) for t in record["traits"]}  # Absent worded so.
  lines = []
  for part in wording.rationale_parts(record):
    if part.compared_with != roles.MEAN_SPECIES:
      continue
    names = ", ".join(f'<span class="{ROLE_CLASSES[part.role]}">{html.escape(phrase[n])}'
                      f'</span>' for n in part.names)
    lines.append(f"{html.escape(part.opening)}: {names}")
  legend = ("not used by the species decision (grey)" if not record["traits_used_by_decision"]
            else roles.legend())
  return (f'<p class="roles">{"; ".join(lines)}{"; " if lines else ""}'
          f'chart colours: {html.escape(legend)}</p>')


def _photo_section(entry: Entry) -> str:
  record = entry.record
  rows = "".join(f"<tr><td>{_name(s)}</td><td>{100 * s['probability']:.1f}%</td>"
                 f"</tr>" for s in record["species"])
  if "decision" in record:
    decision = (f'<span class="{record["decision"]}">{record["decision"]}</span>'
                if record["decision"] else "none (no trust fitted)")
    reason = f" ({html.escape(record['reason'])})" if record["reason"] else ""
    prediction_set = ("none (no trust fitted)" if record["prediction_set"] is None
                      else ", ".join(html.escape(phrasing.display_name(name))
                                     for name in record["prediction_set"]) or "empty")
    trust = (f'<p>Decision: {decision}{reason}</p>{_trust(record)}<table>{rows}</table>'
             f'<p>Conformal species set: {prediction_set}</p>')
  else:  # A plant of several photos: no decision or set (fitted on single photos).
    organs = ", ".join(html.escape(p["organ"]) for p in record.get("photos", []))
    trust = f'<p>Photos of: {organs}</p>{_trust(record)}<table>{rows}</table>'
  description = (f'<p class="description">Seen: {html.escape(record["description"])}</p>'
                 if record.get("description") else "")
  return (f'<div class="photo" id="{html.escape(entry.name)}"><h2>{html.escape(entry.name)}'
          f'</h2><p>{html.escape(entry.origin)}</p>'
          f'{trust}{description}'
          f'<p>{html.escape(record["rationale"])}</p>{_roles(record)}'
          f'{_image(entry.photo_png, "input", entry.name)}'
          f'{_image(entry.figure_png, "figure", entry.name + " explained")}</div>')


def _error_section(entry: Entry) -> str:
  return (f'<div class="photo" id="{html.escape(entry.name)}"><h2>{html.escape(entry.name)}'
          f'</h2><p class="error">not explained: {html.escape(entry.error)}</p></div>')
