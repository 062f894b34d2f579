#!/usr/bin/env python3
"""Regenerates api-schemas/elasticache-2015-02-02.json from the botocore model
installed on this machine, without documentation strings.

The output is the wire contract the server embeds at build time: operations,
shapes and error shapes exactly as botocore knows them. Run it after upgrading
botocore and commit the result together with any code it requires.
"""
import argparse
import gzip
import json
import os
import sys

DROPPED_KEYS = {"documentation", "documentationUrl", "examples"}


def strip(node):
    if isinstance(node, dict):
        return {k: strip(v) for k, v in node.items() if k not in DROPPED_KEYS}
    if isinstance(node, list):
        return [strip(v) for v in node]
    return node


def load_botocore_model(version):
    import botocore  # the aws CLI's botocore is the reference we follow

    folder = os.path.join(os.path.dirname(botocore.__file__), "data", "elasticache", version)
    for name in ("service-2.json", "service-2.json.gz"):
        path = os.path.join(folder, name)
        if os.path.exists(path):
            opener = gzip.open if path.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as f:
                return json.load(f), botocore.__version__
    sys.exit(f"no ElastiCache {version} model under {folder}")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--version", default="2015-02-02")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "api-schemas"))
    args = parser.parse_args()

    model, botocore_version = load_botocore_model(args.version)
    model = strip(model)
    model["metadata"]["generatedFrom"] = f"botocore {botocore_version}"
    out = os.path.join(args.out, f"elasticache-{args.version}.json")
    with open(out, "w", encoding="utf-8") as f:
        json.dump(model, f, indent=1)  # model order kept: it is the order AWS answers in
        f.write("\n")
    print(f"wrote {out}: {len(model['operations'])} operations, {len(model['shapes'])} shapes")


if __name__ == "__main__":
    main()
