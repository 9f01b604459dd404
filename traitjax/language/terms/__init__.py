"""The words descriptions are read with, one module per domain: `general` (organisms in
general, and birds), `landscapes` (tiles seen from above) and `plants` (trees by their organs);
`phrase_table` is what a domain described by phrases rather than by values of parts holds."""

from traitjax.language.terms import landscapes
from traitjax.language.terms import plants

# The phrase tables, by the subject their mentions are of (`phrase_table.Terms.subject`).
PHRASE_TABLES = {table.subject: table for table in (landscapes.LANDSCAPES, plants.PLANTS)}
