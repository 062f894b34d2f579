#!/usr/bin/env python3
"""Regenerates tests/unit/codec/fixtures/operations.json: for every operation of
the ElastiCache model, an input with every member filled in, serialized exactly
as botocore (and so the aws CLI) sends it, plus an output with every member
filled in. The codec tests decode each body and compare with the input, and
encode each output for botocore to parse back (tests/codec/botocore_roundtrip.py).
"""
import datetime
import json
import os
import re
import urllib.parse

import botocore.session
from botocore.serialize import create_serializer
from botocore.utils import ArgumentGenerator

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
FIXED_TIME = datetime.datetime(2026, 11, 22, 6, 12, 0, 123000, tzinfo=datetime.timezone.utc)


def valid_sample(value, shape):
    """ArgumentGenerator leaves timestamps at 1970 and names enums after the
    member; use a time with milliseconds and the enum's first value."""
    if shape.type_name == "timestamp":
        return FIXED_TIME
    if shape.type_name == "string" and shape.enum:
        return shape.enum[0]
    if shape.type_name == "string":
        return satisfying(value, shape)
    if shape.type_name == "structure":
        return {k: valid_sample(v, shape.members[k]) for k, v in value.items()}
    if shape.type_name == "list":
        return [valid_sample(v, shape.member) for v in value]
    return value


def satisfying(text, shape):
    """The generated text if it meets the shape's length and pattern, else a
    short sample that does."""
    low, high = shape.metadata.get("min", 0), shape.metadata.get("max", 1 << 30)
    pattern = shape.metadata.get("pattern")
    for candidate in (text, "0001", "a1"):
        if low <= len(candidate) <= high and (pattern is None or re.search(pattern, candidate)):
            return candidate
    raise ValueError(f"no sample satisfies {shape.name}")


def to_json(value):
    """The JSON form our codec uses: timestamps as epoch milliseconds."""
    if isinstance(value, datetime.datetime):
        return int((value - EPOCH).total_seconds() * 1000)
    if isinstance(value, dict):
        return {k: to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v) for v in value]
    return value


def main():
    session = botocore.session.get_session()
    model = session.get_service_model("elasticache", api_version="2015-02-02")
    serializer = create_serializer("query")
    generator = ArgumentGenerator(use_member_names=True)
    fixtures = []
    for name in sorted(model.operation_names):
        op = model.operation_model(name)
        fixture = {"operation": name}
        params = {}
        if op.input_shape is not None:
            params = valid_sample(generator.generate_skeleton(op.input_shape), op.input_shape)
        request = serializer.serialize_to_request(params, op)
        fixture["body"] = urllib.parse.urlencode(list(request["body"].items()), doseq=True)
        fixture["input"] = to_json(params)
        if op.output_shape is not None:
            output = valid_sample(generator.generate_skeleton(op.output_shape), op.output_shape)
            fixture["output"] = to_json(output)
        fixtures.append(fixture)
    out = os.path.join(os.path.dirname(__file__), "..", "tests", "unit", "codec", "fixtures", "operations.json")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"generatedFrom": f"botocore {botocore.__version__}", "operations": fixtures}, f, indent=1)
        f.write("\n")
    print(f"wrote {out}: {len(fixtures)} operations")


if __name__ == "__main__":
    import botocore

    main()
