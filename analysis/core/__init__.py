"""The foundation every stage stands on: project paths, parameters (`Params`, the one place
defaults live), the error base (`DiscourseLabError`), atomic writes, provenance (code
identity, package versions, canonical JSON), the one cache mechanism and the figure style
(one colour and one order per group). Nothing here knows about corpora or analyses."""

from analysis.core.cache import cache_key, code_digest, seal, unseal
from analysis.core.errors import DiscourseLabError, InputError
from analysis.core.params import ParameterError, Params, load_params
from analysis.core.paths import PROJECT_ROOT, project_path

__all__ = [
    "PROJECT_ROOT",
    "DiscourseLabError",
    "InputError",
    "ParameterError",
    "Params",
    "cache_key",
    "code_digest",
    "load_params",
    "project_path",
    "seal",
    "unseal",
]
