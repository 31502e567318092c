"""Ledgerbridge entry point: no command opens the app; commands run headless (see ``--help``)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    from app.cli import build_parser, run_command

    args = build_parser().parse_args(argv)
    if args.command is None:
        from app.gui.bootstrap import run_gui

        return run_gui(args)
    return run_command(args)


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        sys.exit(0)
