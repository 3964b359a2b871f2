"""Outputs: figures and tables written deterministically with their provenance sidecars
and schemas, the gallery of published figures, atomic publishing into the figures folder,
and the interactive explorers used in the notebooks."""
