#!/usr/bin/env python3
"""Sends one ElastiCache Query API request, signed by botocore, and prints the raw answer.

Used by the integration tests to look at the wire (status, XML) and to send requests the
aws CLI never sends: skewed clocks, tampered signatures, bodies changed after signing,
presigned GET URLs, requests for another region or service.

    signed_request.py [options] Action=DescribeCacheSubnetGroups MaxRecords=20 ...

Prints the HTTP status on the first line, then (with --headers) the response headers as
`name: value` lines and an empty line, then the body. Version=2015-02-02 is added unless
given or --no-version. Exits 0 whatever the status; non-zero only when it cannot send.
"""
import argparse
import datetime
import http.client
import os
import sys
import urllib.parse

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", default=os.environ.get("KEYFLEET_ENDPOINT"))
    parser.add_argument("--method", default="POST", choices=["POST", "GET"])
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", "us-east-1"))
    parser.add_argument("--service", default="elasticache")
    parser.add_argument("--access-key", default=os.environ.get("AWS_ACCESS_KEY_ID", "test"))
    parser.add_argument("--secret", default=os.environ.get("AWS_SECRET_ACCESS_KEY", "test"))
    parser.add_argument("--skew", type=int, default=0, help="sign as if the clock were this many seconds ahead")
    parser.add_argument("--presign", action="store_true", help="a presigned GET URL (SigV4QueryAuth)")
    parser.add_argument("--expires", type=int, default=300, help="X-Amz-Expires of a presigned URL")
    parser.add_argument("--tamper-signature", action="store_true", help="change one hex digit of the signature")
    parser.add_argument("--alter-body", default=None, help="append this to the body after signing")
    parser.add_argument("--date-header", action="store_true",
                        help="carry the signing time in a Date header instead of X-Amz-Date (SigV4 allows either)")
    parser.add_argument("--no-version", action="store_true")
    parser.add_argument("--headers", action="store_true", help="print the response headers too")
    parser.add_argument("params", nargs="*", help="Name=Value query parameters, in order")
    args = parser.parse_args()
    if not args.endpoint:
        parser.error("--endpoint or KEYFLEET_ENDPOINT is required")

    params = [tuple(p.split("=", 1)) if "=" in p else (p, "") for p in args.params]
    if not args.no_version and not any(name == "Version" for name, _ in params):
        params.append(("Version", "2015-02-02"))

    if args.skew:
        real_now = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: real_now(*a, **k) + datetime.timedelta(seconds=args.skew)

    credentials = Credentials(args.access_key, args.secret)
    url = args.endpoint.rstrip("/") + "/"
    if args.presign or args.method == "GET":
        request = AWSRequest(method="GET", url=url, params=params)
    else:
        request = AWSRequest(
            method="POST",
            url=url,
            data=urllib.parse.urlencode(params),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    if args.date_header:
        request.headers["Date"] = "set by botocore when signing"
    if args.presign:
        botocore.auth.SigV4QueryAuth(credentials, args.service, args.region, expires=args.expires).add_auth(request)
    else:
        botocore.auth.SigV4Auth(credentials, args.service, args.region).add_auth(request)
    prepared = request.prepare()

    headers = dict(prepared.headers)
    target_url = prepared.url
    body = prepared.body
    if isinstance(body, str):
        body = body.encode()
    if args.tamper_signature:
        if args.presign:
            head, _, signature = target_url.rpartition("X-Amz-Signature=")
            target_url = head + "X-Amz-Signature=" + flip(signature[:1]) + signature[1:]
        else:
            head, _, signature = headers["Authorization"].rpartition("Signature=")
            headers["Authorization"] = head + "Signature=" + flip(signature[:1]) + signature[1:]
    if args.alter_body is not None:
        body = (body or b"") + args.alter_body.encode()
        headers.pop("Content-Length", None)

    parts = urllib.parse.urlsplit(target_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    path = parts.path + ("?" + parts.query if parts.query else "")
    connection.request(prepared.method, path, body=body, headers=headers)
    response = connection.getresponse()
    out = [str(response.status)]
    if args.headers:
        out += [f"{name}: {value}" for name, value in response.getheaders()] + [""]
    out.append(response.read().decode("utf-8", "replace"))
    sys.stdout.write("\n".join(out))
    if not out[-1].endswith("\n"):
        sys.stdout.write("\n")


def flip(hex_digit):
    return "1" if hex_digit == "0" else "0"


if __name__ == "__main__":
    main()
