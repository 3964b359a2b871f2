"""Command line: `discourse-lab run | verify | params` (also `python -m analysis`)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

import yaml

from analysis.core.errors import DiscourseLabError
from analysis.core.params import ParameterError, load_params, parse_override
from analysis.core.paths import project_path
from analysis.corpus.check import check_corpus
from analysis.run.pipeline import DECLARED_NOTEBOOKS, RunOptions, notebooks_in, run_pipeline
from analysis.run.schedule import NOTEBOOK_MEMORY
from analysis.run.verify import verify_published

EXAMPLES = """examples:
  discourse-lab run                                  # all notebooks, params/default.yaml
  discourse-lab run --corpus ~/data/speeches --set topics.num_topics=6
  discourse-lab run --only 10_topics --force         # re-execute one notebook
  discourse-lab verify                               # regenerate and compare with figures/
  discourse-lab params --set segments.unit=document  # print the resolved parameters
  discourse-lab check --corpus ~/data/speeches       # read and report the corpus only
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="discourse-lab",
        description="Run the Discourse Lab notebooks and publish citable figures.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="execute the notebooks and publish figures")
    _add_param_options(run)
    run.add_argument("--force", action="store_true", help="re-run notebooks even if unchanged")
    run.add_argument("--out", default="figures", help="published figures folder (figures)")
    run.add_argument("--runs-dir", default="runs", help="run records and cache (runs)")
    run.add_argument("--only", default="", metavar="NOTEBOOK", help="run only this notebook")
    run.add_argument("--wait", action="store_true", help="wait for a running run to finish")
    _add_notebooks_option(run)
    run.add_argument("--no-progress", action="store_true", help="no per-cell progress bars")
    run.add_argument(
        "--jobs",
        type=int,
        default=RunOptions.jobs,
        metavar="N",
        help=f"notebooks run side by side (default 0: as many as memory allows, "
        f"{NOTEBOOK_MEMORY // 2**30} GiB each; results do not depend on it)",
    )
    verify = commands.add_parser("verify", help="regenerate into a temp folder and compare")
    _add_param_options(verify)
    verify.add_argument("--out", default="figures", help="published figures to check (figures)")
    _add_notebooks_option(verify)
    verify.add_argument("--keep", action="store_true", help="keep the regenerated folder")
    params = commands.add_parser("params", help="print the resolved parameters as YAML")
    _add_param_options(params)
    check = commands.add_parser("check", help="read and clean the corpus, report, run nothing")
    _add_param_options(check)
    return parser


def _add_notebooks_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--notebooks",
        default="",
        metavar="DIR",
        help="run every notebook of DIR (name order) instead of the declared pipeline",
    )


def _add_param_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--params", default="", metavar="FILE", help="YAML parameter file")
    parser.add_argument("--corpus", default=None, metavar="PATH", help="shorthand for corpus.path")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.NAME=VALUE",
        help="override one parameter (repeatable)",
    )


def overrides_from(args: argparse.Namespace) -> dict[str, Any]:
    """Dotted overrides from --set and --corpus (ParameterError on a malformed one)."""
    overrides = dict(parse_override(text) for text in args.set)
    if args.corpus is not None:  # --corpus "" is an error (corpus.path is empty), not a default
        overrides["corpus.path"] = args.corpus
    return overrides


def main(argv: list[str] | None = None) -> int:
    """Run a command; a DiscourseLabError becomes its message and exit status 2, anything
    else is a bug and shows its traceback."""
    args = build_parser().parse_args(argv)
    try:
        return _command(args)
    except DiscourseLabError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _command(args: argparse.Namespace) -> int:
    try:
        overrides = overrides_from(args)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "params":
        return _print_params(args.params, overrides)
    if args.command == "check":
        return check_corpus(args.params, overrides)

    try:
        notebooks = notebooks_in(args.notebooks) if args.notebooks else DECLARED_NOTEBOOKS
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "verify":
        return verify_published(args.params, overrides, args.out, args.keep, notebooks)
    options = RunOptions(
        params_file=args.params,
        overrides=overrides,
        force=args.force,
        figures_dir=args.out,
        runs_dir=args.runs_dir,
        only=args.only,
        wait=args.wait,
        notebooks=notebooks,
        progress_bar=not args.no_progress,
        jobs=args.jobs,
    )
    return run_pipeline(options)


def _print_params(params_file: str, overrides: dict[str, Any]) -> int:

    try:
        params = load_params(project_path(params_file) if params_file else None, overrides)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(yaml.safe_dump(params.to_dict(), sort_keys=False, allow_unicode=True), end="")
    return 0
