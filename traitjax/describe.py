r"""Free-text species descriptions -> a species x trait table (and its scores).

  python -m traitjax.describe --descriptions=FILE.json --traits=TRAITS.txt --out=TABLE.csv \
      [--reference=REFERENCE.csv] [--phrases=OVERRIDES] [--encoder=FOLDER]

--descriptions  a JSON object: species name -> description string or list of strings.
--traits        trait names, CUB's attributes.txt format (``<id> group::value`` per line) or one
                phrase per line (each phrase a trait of its own).
--out           the table: header ``species,<trait 1>,...``, one row per species, each cell a
                confidence in [0, 1], empty where the text says nothing about the trait's group.
--reference     a table of the same layout (matched by species and trait names); prints
                precision, recall, F1 of present traits and AUC, overall and per trait group,
                and writes them to the --out path with ``.metrics.json`` for ``.csv``.
--phrases       phrases replacing the automatic ones: JSON {name: phrase} or name<TAB>phrase
                lines, a name being a trait or a group.
--encoder       a sentence-encoder checkpoint folder (``models.text.TextEncoder``); default
                ``tables.DEFAULT_ENCODER``, all-MiniLM-L6-v2 in the ``shared`` folder beside the
                checkout.

The library is ``traitjax.language.tables``, the method ``traitjax.language.extract``. Try it on
the synthetic flora:

  python -m traitjax.data.flora_files --out=/tmp/flora
  python -m traitjax.describe --descriptions=/tmp/flora/descriptions.json \
      --traits=/tmp/flora/traits.txt --out=/tmp/flora/parsed.csv --reference=/tmp/flora/table.csv
"""

from absl import app
from absl import flags

from traitjax import cli
from traitjax.language import tables

_DESCRIPTIONS = flags.DEFINE_string(
    "descriptions", None, "JSON: species name -> description string or list of strings.")
_TRAITS = flags.DEFINE_string(
    "traits", None, "Trait names: attributes.txt format (<id> <name>) or one phrase per line.")
_OUT = flags.DEFINE_string("out", None, "The species x trait table to write (CSV).")
_REFERENCE = flags.DEFINE_string(
    "reference", None, "A reference table (CSV, same layout) to score the parsed table against.")
_PHRASES = flags.DEFINE_string(
    "phrases", None, "Phrase overrides: JSON {name: phrase} or name<TAB>phrase lines.")
_ENCODER = flags.DEFINE_string(
    "encoder", str(tables.DEFAULT_ENCODER), "Sentence-encoder checkpoint folder.")
flags.mark_flags_as_required(["descriptions", "traits", "out"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  tables.run(_DESCRIPTIONS.value, _TRAITS.value, _OUT.value, _REFERENCE.value, _PHRASES.value,
             _ENCODER.value)


if __name__ == "__main__":
  cli.run(main)
