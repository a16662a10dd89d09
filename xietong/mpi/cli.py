"""`./xt mpi link INPUT.csv OUTPUT.csv [--engine duckdb|spark]` and `./xt mpi train INPUT.csv
MODEL.json`: the batch link of a whole export, and training the model on one.

Exit status: 0 when every row was read and linked; 3 when some rows could not be read (each
reported with its line number on the terminal, and left out of OUTPUT); 2 when the input or
the model cannot be read at all."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .batch import InputUnreadable, progress_stderr, records_link, records_read, result_write
from .model import DEFAULT_MODEL, ModelUnreadable, model_load

# Pairs at or above this match weight (log2 of the Bayes factor with the prior) are linked.
DEFAULT_LINK_WEIGHT = 5.0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="xt mpi", description="master patient index, in batch")
    commands = parser.add_subparsers(dest="command", required=True)
    link = commands.add_parser("link", help="link every record of INPUT to a person")
    link.add_argument("input", type=Path)
    link.add_argument("output", type=Path)
    link.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    link.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    link.add_argument("--threshold", type=float, default=DEFAULT_LINK_WEIGHT)
    train = commands.add_parser("train", help="estimate the model's parameters on INPUT")
    train.add_argument("input", type=Path)
    train.add_argument("model", type=Path)
    train.add_argument("--seed", type=int, default=13)
    return parser


def _report_errors(errors: list, shown: int = 50) -> None:
    for error in errors[:shown]:
        print(f"line {error.line}: {error.message}", file=sys.stderr)
    if len(errors) > shown:
        print(f"… and {len(errors) - shown} more unreadable lines", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    started = time.monotonic()
    try:
        records = records_read(args.input, progress=progress_stderr)
    except InputUnreadable as error:
        print(error, file=sys.stderr)
        return 2
    progress_stderr(
        f"read {len(records):,} records in {time.monotonic() - started:.1f} s"
        + (f", {len(records.errors):,} unreadable lines left out" if records.errors else "")
    )
    _report_errors(records.errors)
    if args.command == "train":
        from .features import features_table
        from .model import model_train

        model = model_train(features=features_table(records.columns), seed=args.seed)
        model.save(args.model)
        progress_stderr(f"model written to {args.model}")
        return 3 if records.errors else 0
    try:
        model = model_load(args.model)
    except ModelUnreadable as error:
        print(error, file=sys.stderr)
        return 2
    result = records_link(
        records,
        model=model,
        threshold=args.threshold,
        engine=args.engine,
        progress=progress_stderr,
    )
    result_write(result, args.output)
    elapsed = time.monotonic() - started
    rate = len(records) / elapsed if elapsed else 0.0
    progress_stderr(
        f"wrote {args.output}: {len(records):,} records in {elapsed:.1f} s"
        f" ({rate:,.0f} records/s, load {os.getloadavg()[0]:.1f})"
    )
    return 3 if records.errors else 0


if __name__ == "__main__":
    sys.exit(main())
