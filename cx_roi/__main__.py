"""Command line: ``python -m cx_roi presets | simulate | compare | next-dollar | params``.

Errors print one line on stderr and exit with status 2; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from . import PARAMETERS, compare, load_preset, next_dollar, outputs, preset_info, presets, simulate
from .margins import ODDS_DRAWS, lever_odds
from .verdict import customer_costs, margin_verdict
from .comparison import MIN_EXTRA_PER_MONTH, headroom, why_undefined
from .errors import CxRoiError
from .formatting import number
from .scenario import MAX_JSON_BYTES, Scenario, fields_left_out, parse_value


class _Usage(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse would print usage and exit; we want one line
        raise _Usage(message)


def _build() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m cx_roi", description="Customer service vs advertising ROI model.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    sub.add_parser("presets", help="list the preset scenarios")
    sub.add_parser("params", help="list every parameter with its default, range, unit and solidity "
                                  "(sources: python -m cx_roi methodology)")
    sub.add_parser("methodology", help="print the methodology as markdown (docs/methodology.md)")

    sim = sub.add_parser("simulate", help="run one scenario and print its KPIs")
    _scenario_args(sim)
    sim.add_argument("--out", help="write the monthly results to this CSV file")

    cmp_ = sub.add_parser("compare", help="compare presets against the first (or --baseline)")
    cmp_.add_argument("names", nargs="+", metavar="PRESET")
    cmp_.add_argument("--baseline", help="preset to compare against (default: the first PRESET); added "
                                         "to the comparison if not among them")
    cmp_.add_argument("--out", help="write the comparison table to this CSV file")

    nd = sub.add_parser("next-dollar", help="what extra monthly spend on each lever returns")
    _scenario_args(nd)
    nd.add_argument("--extra", type=_extra, default=50_000.0, help="extra $ per month (default 50000)")
    return parser


def _scenario_args(p: argparse.ArgumentParser) -> None:
    src = p.add_mutually_exclusive_group()
    src.add_argument("--preset", default="status-quo", help="preset to start from (default status-quo)")
    src.add_argument("--scenario", help="scenario JSON file to start from (-: read it from standard input)")
    p.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="change one field (repeatable), e.g. --set ad_spend_per_month=200000; a spend "
                        "may be a schedule, its months separated by commas (100000,150000: the last "
                        "value holds after); write amounts without thousands separators")


def _extra(text: str) -> float:
    """--extra's value: a finite amount of at least ``MIN_EXTRA_PER_MONTH`` ($ per month)."""
    try:
        value = float(text.replace("_", ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < MIN_EXTRA_PER_MONTH:
        shown = text if len(text) <= 30 else text[:27] + "..."
        raise argparse.ArgumentTypeError(f"got {shown!r}; expected an amount of at least {MIN_EXTRA_PER_MONTH:g} "
                                         "($ per month), such as 50000")
    return value


def _scenario(args: argparse.Namespace) -> Scenario:
    if args.scenario is not None:
        path = Path(args.scenario)
        if not args.scenario.strip():
            raise _Usage("--scenario needs a file name (a scenario JSON file), got an empty one")
        try:
            # No further than the limit: a scenario is a few kB, /dev/zero is endless.
            if args.scenario == "-":
                path, data = Path("standard input"), sys.stdin.buffer.read(MAX_JSON_BYTES + 1)
            else:
                with path.open("rb") as f:
                    data = f.read(MAX_JSON_BYTES + 1)
        except OSError as exc:
            raise _Usage(f"cannot read scenario file {path}: {exc.strerror or exc}") from None
        if len(data) > MAX_JSON_BYTES:
            raise _Usage(f"cannot read scenario file {path}: it is larger than {MAX_JSON_BYTES:,} bytes, and a "
                         "scenario file is a few kB")
        try:
            base = Scenario.from_json(data)
        except CxRoiError as exc:
            raise _Usage(f"scenario file {path}: " + " ".join(str(exc).split("\n"))) from None
        left_out = fields_left_out(data)
        if left_out:
            print(f"note: {path} leaves out {len(left_out)} of the {len(PARAMETERS)} inputs, which take their "
                  f"defaults: {', '.join(left_out)}", file=sys.stderr)
    else:
        base = load_preset(args.preset)
    changes = {}
    for item in args.set:
        if "=" not in item:
            raise _Usage(f"--set needs FIELD=VALUE, got {item!r}")
        name, value = item.split("=", 1)
        if not name.strip():
            raise _Usage(f"--set needs FIELD=VALUE, got {item!r} (no field name before '=')")
        name, value = name.strip(), value.strip()
        if name in changes:
            raise _Usage(f"--set {name} is given twice; give each field once")
        changes[name] = parse_value(name, value)
    return base.replace(**changes) if changes else base


def _num(v: float) -> str:
    """Large figures in full with separators, small ones to four significant digits."""
    if v != v:  # NaN: an undefined KPI
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def _fmt_kpis(kpis: dict[str, float]) -> str:
    """One KPI a line: its name, the number in full, and its unit (cx_roi.outputs)."""
    width = max(len(k) for k in kpis)
    return "\n".join(f"{k:<{width}}  {_num(v):>14}  {outputs.output(k).unit}".rstrip() for k, v in kpis.items())


def _check_out(out: str | None, scenario: str | None = None) -> None:
    """Refuse an --out path that cannot be written before any work is done (or printed), or that
    is the ``--scenario`` file the command reads (it would be overwritten with a table)."""
    if out is None:
        return
    if not out.strip():
        raise _Usage("--out needs a file name, got an empty one")
    path = Path(out)
    folder = path.parent if str(path.parent) else Path(".")
    try:
        if path.is_dir():
            raise _Usage(f"cannot write {out}: it is a folder; give a file name such as {path / 'months.csv'}")
        if out.endswith(("/", os.sep)):
            raise _Usage(f"cannot write {out}: a name ending in '/' is a folder; give a file name such as "
                         f"{path / 'months.csv'}")
        if not folder.is_dir():
            raise _Usage(f"cannot write {out}: the folder {folder} does not exist")
        if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
            raise _Usage(f"cannot write {out}: permission denied")
        if scenario and path.exists() and path.resolve() == Path(scenario).resolve():
            raise _Usage(f"cannot write {out}: it is the --scenario file this command reads; "
                         "give the results another name")
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise _Usage(f"cannot write {out}: {exc.strerror or exc}") from None


def _write_csv(frame: pd.DataFrame, out: str) -> str:
    """Write ``frame`` to ``out``; returns the line that says so."""
    try:
        frame.to_csv(out)
    except OSError as exc:
        # pandas' own OSErrors (e.g. a missing folder) carry no strerror, only a message.
        raise _Usage(f"cannot write {out}: {exc.strerror or exc}") from None
    return f"wrote {out}"


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = _build().parse_args(argv)
        _check_out(getattr(args, "out", None), getattr(args, "scenario", None))
        if args.command == "presets":
            for name in presets():
                info = preset_info(name)
                print(f"{name:28s} {info.title}")
        elif args.command == "params":
            width = max(len(name) for name in PARAMETERS)
            for p in PARAMETERS.values():
                default = str(p.default).lower() if p.kind == "bool" else number(p.default)
                print(f"{p.name:{width}s} default {default:>11}  {p.describe_range():50s} [{p.solidity}]")
        elif args.command == "methodology":
            from .methodology import render_markdown

            print(render_markdown(), end="")
        elif args.command == "simulate":
            result = simulate(_scenario(args))
            # The file first: a write that fails (a full disk) then stops before anything is printed.
            wrote = _write_csv(result.monthly, args.out) if args.out else None
            # Payback is against a baseline, so a run on its own never has one: not a line of n/a.
            print(_fmt_kpis({k: v for k, v in result.kpis.items() if k != "payback_month"}))
            if wrote:
                print(wrote)
        elif args.command == "compare":
            names = list(args.names)
            if args.baseline is not None and args.baseline not in names:
                names.insert(0, args.baseline)
            table = compare(names, baseline=args.baseline)
            wrote = _write_csv(table, args.out) if args.out else None
            cols = list(outputs.HEADLINE)
            with pd.option_context("display.width", 200, "display.max_columns", 20):
                print(table[cols].to_string(float_format=_num, na_rep="n/a"))
            for name, row in table.iterrows():
                if name == table.attrs["baseline"]:
                    continue
                if name in table.attrs["beyond_spend"]:
                    print(f"note: {name}: roi and payback_month are n/a: besides spend it differs from "
                          f"{table.attrs['baseline']} in {', '.join(table.attrs['beyond_spend'][name])}",
                          file=sys.stderr)
                    continue
                for col in ("roi", "payback_month"):
                    if row[col] != row[col]:  # NaN: say why, in the dashboard's words
                        print(f"note: {name}: {col} is n/a: {why_undefined(row, col)}", file=sys.stderr)
            if wrote:
                print(wrote)
        elif args.command == "next-dollar":
            scenario = _scenario(args)
            table = next_dollar(scenario, args.extra)
            full = table.attrs.get("at_limit", ())
            if len(full) == len(table):
                room = max(headroom(scenario, lever) for lever in full)
                raise _Usage(f"--extra: {number(args.extra)} a month would take every lever past its maximum; "
                             f"this scenario has room for at most {number(room)}")
            print(table.to_string(float_format=_num, na_rep="n/a"))
            # The answer on the margin, with its odds, leads the dashboard: say it here too.
            odds = lever_odds(scenario, draws=ODDS_DRAWS, seed=0)
            print()
            print(margin_verdict(odds))
            print(customer_costs(odds))
            for lever in full:
                print(f"note: {lever}: {number(args.extra)} more a month would exceed its maximum of "
                      f"{PARAMETERS[lever].maximum:,.0f}; shown as n/a", file=sys.stderr)
        sys.stdout.flush()  # here, so that a full disk is reported like any other error
        return 0
    except KeyboardInterrupt:  # Ctrl-C: one line, not a traceback
        print("interrupted", file=sys.stderr)
        return 130
    except _Usage as exc:
        print(f"error: {exc}", file=sys.stderr)
    except CxRoiError as exc:
        # Multi-line scenario errors are folded into one line for the terminal.
        print("error: " + " ".join(str(exc).split("\n")), file=sys.stderr)
    except BrokenPipeError:
        # Output piped into e.g. `head`, which closed early: not an error.
        sys.stdout = open(os.devnull, "w")
        return 0
    except OSError as exc:  # standard output cannot be written (a full disk): what is left is dropped
        sys.stdout = open(os.devnull, "w")
        print(f"error: cannot write the output: {exc.strerror or exc}", file=sys.stderr)
        return 1
    return 2


if __name__ == "__main__":
    sys.exit(main())
