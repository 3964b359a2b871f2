"""Source comparison: keyness (which words set a group apart), divergence between groups'
vocabularies, the style profile (hedges, boosters, sentence length, readability), the
concordance, and corpus-wide counts per group computed partition by partition. Input: a
`PreparedCorpus`; output: tidy tables and figures."""
