#!/usr/bin/env python3
"""Regenerates docs/API_COVERAGE.md from control-plane/handlers/registry.cpp, the
one list of operations. tests/unit/handlers/coverage_test.cpp checks they agree."""
import os
import re

ROOT = os.path.join(os.path.dirname(__file__), "..")


def main():
    source = open(os.path.join(ROOT, "control-plane/handlers/registry.cpp"), encoding="utf-8").read()
    awaiting = dict(re.findall(r'constexpr std::string_view (\w+) = "([^"]+)";', source))
    rows = []
    for name, handler, waits in re.findall(r'\{"(\w+)", \{(\w+), (\{\}|\w+)\}\}', source):
        rows.append((name, "implemented", "") if handler != "nullptr" else (name, "not yet", awaiting[waits]))
    rows.sort()
    implemented = sum(1 for row in rows if row[1] == "implemented")
    lines = [
        "# ElastiCache API coverage",
        "",
        "Every operation of the ElastiCache 2015-02-02 API and what keyfleet does with it.",
        "*implemented*: carried out for real, with AWS's validation and errors.",
        "*not yet*: answered with `NotImplemented` (HTTP 501) and a message naming the capability it awaits;",
        "never a fake success.",
        "",
        "A unit test (`tests/unit/handlers/coverage_test.cpp`) compares this table with the router's",
        "registry (`control-plane/handlers/registry.cpp`); `tools/gen_api_coverage.py` regenerates it.",
        "",
        f"{implemented} of {len(rows)} operations are implemented.",
        "",
        "| Operation | State | Awaits |",
        "|---|---|---|",
    ]
    lines += [f"| {name} | {state} | {waits} |" for name, state, waits in rows]
    with open(os.path.join(ROOT, "docs/API_COVERAGE.md"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"{implemented} of {len(rows)} operations implemented")


if __name__ == "__main__":
    main()
