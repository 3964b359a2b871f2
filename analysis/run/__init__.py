"""Running the pipeline: the command line (`discourse-lab`), the declared notebooks and
the parameter sections each depends on, papermill execution with time limits, the
notebook-side run object (`open_notebook_run`), the skip cache of unchanged notebooks, the
run lock and record, and `verify` (regenerate and compare with the published figures)."""
