"""Topic models: fitting gensim LDA deterministically, choosing K by a sweep, comparing
topic prevalence between groups, caching the selected model, and drawing the topic
figures. Input: a `PreparedCorpus`; output: tidy tables and figures."""
