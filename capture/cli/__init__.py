"""The ``leadcapture`` command: run the embedded stack, workers, migrations and
scripting helpers. One module per command group; every write goes through a
``crm_core`` service, and every command reads the one ``Settings``."""

from __future__ import annotations

import argparse
import sys

from crm_core.errors import DomainError, ValidationFailed
from crm_core.settings import SettingsError


def build_parser() -> argparse.ArgumentParser:
    from capture.cli import db, forms, serve, users, worker

    parser = argparse.ArgumentParser(prog="leadcapture", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (serve, worker, db, users, forms):
        group.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except SettingsError as exc:
        print(f"leadcapture: {exc}", file=sys.stderr)
        return 2
    except ValidationFailed as exc:
        for field, messages in exc.fields.items():
            print(f"leadcapture: {field}: {' '.join(messages)}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"leadcapture: {exc}", file=sys.stderr)
        return 2
