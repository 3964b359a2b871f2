"""Framing: frame dictionaries and their salience by group, validation against human
coding, actors and their co-occurrence, quotations and voices, tone toward actors,
collocations of focal terms, and the ANTMN network of topics. Input: a `PreparedCorpus`
(and the topic model for ANTMN); output: tidy tables and figures."""
