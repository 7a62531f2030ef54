"""Catalog upkeep: ``python scripts/i18n.py check|update [--add FRAGMENT.po ...] [--prune]|todo``.

* ``check``: exit 1 listing msgids missing or untranslated in the zh/en catalogs (as the test does).
* ``update``: add the code's new msgids to both catalogs (en = msgid; zh from ``--add``
  fragments: small .po files holding ``msgid``/``msgstr`` pairs), compile the .mo files.
* ``todo``: print, as a .po fragment to fill in, every zh msgid still untranslated.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from web import catalog_tools  # noqa: E402


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; the exit code."""
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check")
    up = sub.add_parser("update")
    up.add_argument("--add", nargs="*", type=Path, default=[])
    up.add_argument("--prune", action="store_true")
    sub.add_parser("todo")
    args = parser.parse_args(argv)
    if args.command == "check":
        found = catalog_tools.problems()
        for line in found:
            sys.stdout.write(line + "\n")
        sys.stdout.write(f"{len(found)} problem(s)\n")
        return 1 if found else 0
    if args.command == "update":
        counts = catalog_tools.update(args.add, prune=args.prune)
        sys.stdout.write(f"{counts}\n")
        return 0
    for msgid in catalog_tools.untranslated("zh"):
        sys.stdout.write(f"msgid {_quote(msgid)}\nmsgstr \"\"\n\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
