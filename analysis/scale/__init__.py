"""The scheduler: functions mapped over the partitions of a corpus and reduced in a fixed
order, in this process, on Dask's local process pool or on a `dask.distributed` cluster
(`run.scheduler`), with results identical whichever runs them."""

from analysis.scale.scheduler import compute_in_order, process_peak_kib, reduce_in_order

__all__ = ["compute_in_order", "process_peak_kib", "reduce_in_order"]
