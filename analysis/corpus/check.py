"""`discourse-lab check`: read, clean and segment a corpus and report, before any run.

A researcher points the toolkit at a new corpus and learns at once whether every document
can be read, which were rejected and why, and how the counts add up.
"""

from __future__ import annotations

import sys
from typing import Any

from analysis.core.params import ParameterError, load_params
from analysis.core.paths import project_path
from analysis.corpus.cleaning import CleaningRuleError
from analysis.corpus.overview import accounting, group_summary
from analysis.corpus.prepare import prepare_corpus
from analysis.corpus.read import CorpusError


def check_corpus(params_file: str, overrides: dict[str, Any]) -> int:
    """Print the corpus accounting; exit status 0, or 2 with the problem on stderr."""

    try:
        params = load_params(project_path(params_file) if params_file else None, overrides)
        prepared = prepare_corpus(params)
    except (ParameterError, CorpusError, CleaningRuleError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    counts = accounting(prepared)
    print(
        f"{counts['documents_in']} documents in: {counts['analysed']} analysed, "
        f"{counts['rejected']} rejected; fingerprint {prepared.fingerprint}"
    )
    print(group_summary(prepared).to_string(index=False))
    for row in prepared.rejected.itertuples(index=False):
        print(f"rejected {row.location}: {row.reason}")
    return 0
