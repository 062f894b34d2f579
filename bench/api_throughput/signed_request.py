#!/usr/bin/env python3
# Builds the one SigV4-signed DescribeCacheSubnetGroups request the benchmark replays,
# seeds the subnet groups it describes, and checks a server answers it with 200.
#
#   signed_request.py seed ENDPOINT COUNT          create COUNT subnet groups (signed, via botocore)
#   signed_request.py prepare ENDPOINT OUT.lua [BODY]
#                                                  sign, send once, require 200, write a wrk request table;
#                                                  BODY (form) defaults to DescribeCacheSubnetGroups
#
# The signature stays valid for SigV4's 15-minute clock-skew window, so one signed
# request can be replayed for the whole run. Host is part of the signature: sign
# once per server.
import sys
import urllib.error
import urllib.request

import botocore.session
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
BODY = "Action=DescribeCacheSubnetGroups&Version=2015-02-02"


def client(endpoint):
    session = botocore.session.get_session()
    return session.create_client(
        "elasticache", region_name=REGION, endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        config=Config(retries={"max_attempts": 1}))


def seed(endpoint, count):
    ec = client(endpoint)
    for i in range(1, count + 1):
        ec.create_cache_subnet_group(
            CacheSubnetGroupName=f"bench-{i}",
            CacheSubnetGroupDescription=f"benchmark subnet group {i}",
            SubnetIds=[f"subnet-{i:04x}{j:013x}" for j in range(3)])


def sign(endpoint, body=BODY):
    """Method, path, headers and body of a signed request, as sent on the wire."""
    request = AWSRequest(method="POST", url=endpoint + "/", data=body,
                         headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials(ACCESS_KEY, SECRET_KEY), "elasticache", REGION).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = endpoint.split("://", 1)[1]   # what botocore signed; wrk must send the same
    return "POST", "/", headers, body


def send(endpoint, method, path, headers, body):
    """One request exactly as signed: (status, body)."""
    sent = urllib.request.Request(endpoint + path, data=body.encode(), method=method, headers=headers)
    try:
        with urllib.request.urlopen(sent, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def lua_string(text):
    level = "="
    while f"]{level}]" in text:
        level += "="
    return f"[{level}[{text}]{level}]"


def prepare(endpoint, out, request_body=BODY):
    method, path, headers, body = sign(endpoint, request_body)
    status, answer = send(endpoint, method, path, headers, body)
    action = dict(pair.split("=", 1) for pair in body.split("&"))["Action"]
    # A benchmark of 403s is worthless: the replayed request must succeed.
    if status != 200 or f"<{action}Result>" not in answer:
        sys.exit(f"{endpoint} answered the signed request with HTTP {status}:\n{answer[:600]}")
    groups = answer.count("<CacheSubnetGroupName>")
    parameters = answer.count("<ParameterName>")
    with open(out, "w") as lua:
        lua.write("return {\n")
        lua.write(f"  method = {lua_string(method)},\n  path = {lua_string(path)},\n  body = {lua_string(body)},\n")
        lua.write("  headers = {\n")
        for name, value in headers.items():
            lua.write(f"    [ {lua_string(name)} ] = {lua_string(value)},\n")
        lua.write("  },\n}\n")
    what = f"{parameters} parameters" if action == "DescribeCacheParameters" else f"{groups} subnet groups"
    print(f"{endpoint}: signed request answered 200, {what}, {len(answer)} bytes")


if __name__ == "__main__":
    command = sys.argv[1:2]
    if command == ["seed"] and len(sys.argv) == 4:
        seed(sys.argv[2], int(sys.argv[3]))
    elif command == ["prepare"] and len(sys.argv) in (4, 5):
        prepare(*sys.argv[2:])
    else:
        sys.exit("usage: signed_request.py seed ENDPOINT COUNT | prepare ENDPOINT OUT.lua [BODY]")
