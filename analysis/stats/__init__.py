"""Statistics shared by the analyses: the one bootstrap (resampling in bounded memory, with
percentile intervals at a confidence level given as a parameter)."""

from analysis.stats.bootstrap import percentile_interval, resampled_sums

__all__ = ["percentile_interval", "resampled_sums"]
