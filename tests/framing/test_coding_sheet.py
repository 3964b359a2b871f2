"""The coding sheet of the partitioned corpus is the sheet of its segments."""

from __future__ import annotations

import pandas as pd

from analysis.core.params import build_params
from analysis.framing.coding_sheet import corpus_coding_sheet
from analysis.framing.frames import code_frames
from analysis.framing.validation import coding_sheet


def test_coding_sheet_of_the_partitioned_corpus_equals_that_of_its_segments(
    seed_runs, seed_segments
):
    params = seed_runs["one"][1]
    coding = code_frames(seed_segments, params.framing.frames_file)
    ids = coding.dictionary.frame_ids
    for size in (params.framing.sample_size, 3):
        expected = coding_sheet(seed_segments, coding.units, ids, size, params.run.seed)
        assert expected["text"].str.len().min() > 0
        for corpus, run_params in seed_runs.values():
            sized = build_params(
                {"run": {"cache_dir": run_params.run.cache_dir,
                         "batch_rows": run_params.run.batch_rows,
                         "scheduler": run_params.run.scheduler, "workers": 2},
                 "framing": {"sample_size": size}}
            )  # fmt: skip
            sheet = corpus_coding_sheet(corpus, coding.units, ids, sized)
            pd.testing.assert_frame_equal(sheet, expected)
