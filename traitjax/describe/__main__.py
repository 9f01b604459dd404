r"""Free-text species descriptions -> a species x trait table (and its scores).

  python -m traitjax.describe --descriptions=FILE.json --traits=TRAITS.txt --out=TABLE.csv \
      [--reference=REFERENCE.csv|CUB_ROOT] [--prior=KNOWN.csv|CUB_ROOT|none] \
      [--exclude_species=same_names|none|DESCRIBED=ROW,...] [--sentence_labels=LABELS.json] \
      [--without=rules,prior,...] [--phrases=OVERRIDES] [--encoder=FOLDER]

--descriptions  a JSON object (species name -> description string or list of strings) or a
                folder of text files, one per species named by the file; several sources
                comma-separated are joined per species.
--traits        trait names, CUB's attributes.txt format (``<id> group::value`` per line) or one
                phrase per line (each phrase a trait of its own).
--out           the table: header ``species,<trait 1>,...``, one row per species, each cell a
                graded score in [0, 1] (``traitjax.language.fusion``): the trait's prior,
                raised where the text supports it, lowered where it gives the trait's part
                other values or denies it.
--reference     a table of the same layout or a CUB root (its attribute table, present = at
                least 50% of photos), matched by species name ("001.Black_footed_Albatross"
                is "Black-footed albatross") and trait name; species not described are left
                out. Prints precision, recall, F1 of present traits, pooled AUC, the mean AUC
                over species (each species' traits ranked) and over traits (each trait's
                species ranked), overall and per trait group, and writes them to the --out
                path with ``.metrics.json`` for ``.csv``.
--prior         the known species whose mean trait values are the prior of cells no sentence
                speaks of: a table, or a CUB root (its species that have photos), without the
                rows --exclude_species names. Default: cub25 in the ``shared`` folder beside
                the checkout, when the vocabulary is its attributes'; ``none``: 1 / (k + 1)
                for a trait of a group of k.
--exclude_species  required with a prior table: which of its rows the described species are,
                so that no species' prior holds its own row (names are not trusted to tell:
                "Northern Cardinal" is "017.Cardinal"). Comma-separated: DESCRIBED=ROW (ROW
                is that species, left out of its prior), DESCRIBED=none (no row is it), ROW
                (left out of every prior, e.g. held-out species), ``same_names`` (each
                described species is the row of its name, and every one must have one) or
                ``none`` (no described species is in the prior). Every described species
                must be placed; a ROW not in the prior table stops the command.
--sentence_labels  per-string labels (1 about appearance, 0.5 partly, 0 not), JSON shaped
                like the descriptions: reports the recall and precision of the sentences the
                parser reads as about appearance.
--without       components (rules, encoder, prior, name) or reader features (synonyms,
                coordination, negation, contrast, qualifiers, size, family) to leave out, for
                ablations (``benchmarks/describe_ablation.py`` runs them all).
--phrases       phrases replacing the automatic ones: JSON {name: phrase} or name<TAB>phrase
                lines, a name being a trait or a group.
--provenance    a JSON file to write: for each species and each cell its text moved, the
                sentences that did it, the words read ("red wing", "not striped breast") and
                how much. The console lists, per species, the traits read with their scores.
--encoder       a sentence-encoder checkpoint folder (``models.text.TextEncoder``); default
                ``tables.DEFAULT_ENCODER``, all-MiniLM-L6-v2 in the ``shared`` folder beside the
                checkout.

The library is ``traitjax.describe.tables``, the method ``traitjax.language.fusion``. On the
real text of cub25:

  python -m traitjax.describe --descriptions=../shared/data/cub25/texts/wikipedia.json \
      --traits=../shared/data/cub25/attributes.txt --out=/tmp/wikipedia.csv \
      --reference=../shared/data/cub25 --exclude_species=same_names \
      --sentence_labels=../shared/data/cub25/texts/wikipedia_visual.json

On the synthetic flora:

  python -m traitjax.flora_files --out=/tmp/flora
  python -m traitjax.describe --descriptions=/tmp/flora/descriptions.json \
      --traits=/tmp/flora/traits.txt --out=/tmp/flora/parsed.csv --reference=/tmp/flora/table.csv
"""

from absl import app
from absl import flags

from traitjax import cli
from traitjax.describe import tables

_DESCRIPTIONS = flags.DEFINE_string(
    "descriptions", None,
    "JSON (species name -> string or list of strings) or a folder of SPECIES.txt files; "
    "several comma-separated.")
_TRAITS = flags.DEFINE_string(
    "traits", None, "Trait names: attributes.txt format (<id> <name>) or one phrase per line.")
_OUT = flags.DEFINE_string("out", None, "The species x trait table to write (CSV).")
_REFERENCE = flags.DEFINE_string(
    "reference", None, "A reference table (CSV, same layout) to score the parsed table against.")
_PHRASES = flags.DEFINE_string(
    "phrases", None, "Phrase overrides: JSON {name: phrase} or name<TAB>phrase lines.")
_ENCODER = flags.DEFINE_string(
    "encoder", str(tables.DEFAULT_ENCODER), "Sentence-encoder checkpoint folder.")
_PRIOR = flags.DEFINE_string(
    "prior", str(tables.DEFAULT_PRIOR),
    f"Known species of the prior: a table or a CUB root; '{tables.NO_PRIOR}' for none.")
_EXCLUDE_SPECIES = flags.DEFINE_list(
    "exclude_species", None,
    "Required with a prior table: DESCRIBED=ROW, DESCRIBED=none, ROW (out of every prior), "
    "same_names or none; which prior rows the described species are.")
_SENTENCE_LABELS = flags.DEFINE_string(
    "sentence_labels", None, "Per-string appearance labels (JSON shaped like the descriptions).")
_PROVENANCE = flags.DEFINE_string(
    "provenance", None, "A JSON file: for each cell the text moved, the sentence and words "
    "that did it (a denial names its negation).")
_WITHOUT = flags.DEFINE_list(
    "without", [], "Components or reader features to leave out (ablations).")
flags.mark_flags_as_required(["descriptions", "traits", "out"])


def main(argv):
  if len(argv) > 1:
    raise app.UsageError(f"unexpected arguments: {argv[1:]}")
  tables.run(_DESCRIPTIONS.value, _TRAITS.value, _OUT.value, _REFERENCE.value, _PHRASES.value,
             _ENCODER.value, prior_path=_PRIOR.value, without=tuple(_WITHOUT.value),
             sentence_labels_path=_SENTENCE_LABELS.value,
             exclude_species=_EXCLUDE_SPECIES.value, provenance_path=_PROVENANCE.value)


if __name__ == "__main__":
  cli.run(main)
