#!/usr/bin/env python3
"""Every operation's fixture output, encoded to XML by keyfleet's codec, parses
back in botocore (the aws CLI's parser) to exactly the same value; an encoded
error parses to its code and message. Usage: botocore_roundtrip.py CODEC_TOOL FIXTURES"""
import datetime
import json
import subprocess
import sys

import botocore.session
from botocore.parsers import QueryParser

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)


def to_json(value):
    if isinstance(value, datetime.datetime):
        return int((value - EPOCH).total_seconds() * 1000)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def main():
    tool, fixtures_path = sys.argv[1], sys.argv[2]
    encoded = json.loads(subprocess.run([tool, fixtures_path], check=True, capture_output=True, text=True).stdout)
    with open(fixtures_path, encoding="utf-8") as f:
        fixtures = json.load(f)["operations"]
    model = botocore.session.get_session().get_service_model("elasticache", api_version="2015-02-02")
    failures = []
    for fixture in fixtures:
        name = fixture["operation"]
        op = model.operation_model(name)
        parsed = QueryParser().parse(
            {"body": encoded[name].encode(), "headers": {}, "status_code": 200}, op.output_shape)
        metadata = parsed.pop("ResponseMetadata", {})
        if metadata.get("RequestId") != "request-id-1":
            failures.append(f"{name}: RequestId not parsed: {metadata}")
        expected = fixture.get("output", {})
        if to_json(parsed) != expected:
            failures.append(f"{name}:\n  expected {json.dumps(expected, sort_keys=True)}\n"
                            f"  parsed   {json.dumps(to_json(parsed), sort_keys=True)}")
    error = QueryParser().parse({"body": encoded["error"].encode(), "headers": {}, "status_code": 400}, None)
    if error.get("Error", {}).get("Code") != "CacheSubnetGroupNotFoundFault" or \
            error["Error"].get("Message") != "Cache subnet group <x> & y not found." or \
            error["ResponseMetadata"].get("RequestId") != "request-id-2":
        failures.append(f"error response parsed as {error}")
    for failure in failures:
        print("FAIL", failure)
    print(f"{len(fixtures) - len(failures)}/{len(fixtures)} operations round-trip through botocore")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
