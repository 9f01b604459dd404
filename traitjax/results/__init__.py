"""`python -m traitjax.results` (`__main__`): the docs tables rendered from the small result files
under `results/` (`stored`), by a registry of renderers (`tables`; README.md's headline table in
`readme`), into the pages' marked tables (`pages`)."""
