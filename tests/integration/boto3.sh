#!/usr/bin/env bash
# SDK compatibility: the subnet group lifecycle, tags, events and paginators
# through boto3 with an endpoint_url override; errors arrive as the modeled
# exception classes (so the wire codes match the model), with their statuses.
. "$(dirname "$0")/lib.sh"

start_keyfleet
KEYFLEET_ENDPOINT=$(endpoint) "$(boto3_python)" - <<'EOF' || fail "boto3 lifecycle failed (see above)"
import os

import boto3

client = boto3.client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"], region_name="us-east-1",
                      aws_access_key_id="test", aws_secret_access_key="test")
errors = client.exceptions


def check(expected, actual, what):
    assert expected == actual, f"{what}: expected {expected!r}, got {actual!r}"


def refused(exception, status, call, **kwargs):
    try:
        call(**kwargs)
    except exception as error:
        check(status, error.response["ResponseMetadata"]["HTTPStatusCode"], f"HTTP status of {exception.__name__}")
        return error
    raise AssertionError(f"{call.__name__}({kwargs}) should raise {exception.__name__}")


# Create, with tags; the answer is parsed into the modeled shape.
group = client.create_cache_subnet_group(
    CacheSubnetGroupName="SdkGroup", CacheSubnetGroupDescription="from boto3",
    SubnetIds=["subnet-0a0a0a0a", "subnet-0b0b0b0b"], Tags=[{"Key": "owner", "Value": "sdk"}])["CacheSubnetGroup"]
check("sdkgroup", group["CacheSubnetGroupName"], "name")
check("from boto3", group["CacheSubnetGroupDescription"], "description")
check(["subnet-0a0a0a0a", "subnet-0b0b0b0b"], [s["SubnetIdentifier"] for s in group["Subnets"]], "subnets")
assert all(s["SubnetAvailabilityZone"]["Name"].startswith("us-east-1") for s in group["Subnets"]), group
assert group["VpcId"].startswith("vpc-"), group
check("arn:aws:elasticache:us-east-1:000000000000:subnetgroup:sdkgroup", group["ARN"], "ARN")
check(["ipv4"], group["SupportedNetworkTypes"], "SupportedNetworkTypes")

found = client.describe_cache_subnet_groups(CacheSubnetGroupName="SDKGROUP")["CacheSubnetGroups"]
check([group], found, "describe by name returns what create returned")

# Modify.
modified = client.modify_cache_subnet_group(CacheSubnetGroupName="sdkgroup", CacheSubnetGroupDescription="changed",
                                            SubnetIds=["subnet-0c0c0c0c"])["CacheSubnetGroup"]
check("changed", modified["CacheSubnetGroupDescription"], "modified description")
check(["subnet-0c0c0c0c"], [s["SubnetIdentifier"] for s in modified["Subnets"]], "modified subnets")

# Tags.
arn = group["ARN"]
check([{"Key": "owner", "Value": "sdk"}], client.list_tags_for_resource(ResourceName=arn)["TagList"], "tags at create")
tags = client.add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "env", "Value": "test"},
                                                           {"Key": "owner", "Value": "me"}])["TagList"]
check({"env": "test", "owner": "me"}, {t["Key"]: t["Value"] for t in tags}, "tags after add")
tags = client.remove_tags_from_resource(ResourceName=arn, TagKeys=["env"])["TagList"]
check([{"Key": "owner", "Value": "me"}], tags, "tags after remove")

# Errors as the modeled exception classes.
refused(errors.CacheSubnetGroupAlreadyExistsFault, 400, client.create_cache_subnet_group,
        CacheSubnetGroupName="sdkgroup", CacheSubnetGroupDescription="d", SubnetIds=["subnet-0a0a0a0a"])
error = refused(errors.CacheSubnetGroupNotFoundFault, 400, client.describe_cache_subnet_groups,
                CacheSubnetGroupName="missing")
check("CacheSubnetGroupNotFoundFault", error.response["Error"]["Code"], "code")
check("Sender", error.response["Error"]["Type"], "type")
refused(errors.CacheSubnetQuotaExceededFault, 400, client.modify_cache_subnet_group,
        CacheSubnetGroupName="sdkgroup", SubnetIds=[f"subnet-{i:08x}" for i in range(21)])
refused(errors.TagNotFoundFault, 404, client.remove_tags_from_resource, ResourceName=arn, TagKeys=["nope"])
refused(errors.InvalidARNFault, 400, client.list_tags_for_resource, ResourceName="sdkgroup")
refused(errors.CacheClusterNotFoundFault, 404, client.list_tags_for_resource,
        ResourceName="arn:aws:elasticache:us-east-1:000000000000:cluster:nope")
refused(errors.TagQuotaPerResourceExceeded, 400, client.add_tags_to_resource, ResourceName=arn,
        Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
refused(errors.ClientError, 400, client.describe_cache_subnet_groups, MaxRecords=10)

# Paginators follow the Markers: 25 more groups and the default one.
for i in range(25):
    client.create_cache_subnet_group(CacheSubnetGroupName=f"page{i:02d}", CacheSubnetGroupDescription="d",
                                     SubnetIds=[f"subnet-{i + 1:08x}"])
pages = list(client.get_paginator("describe_cache_subnet_groups").paginate(PaginationConfig={"PageSize": 20}))
check([20, 7], [len(p["CacheSubnetGroups"]) for p in pages], "page sizes")
names = [g["CacheSubnetGroupName"] for p in pages for g in p["CacheSubnetGroups"]]
check(sorted(["default", "sdkgroup"] + [f"page{i:02d}" for i in range(25)]), names, "all groups once, in order")
events = [e for p in client.get_paginator("describe_events").paginate(PaginationConfig={"PageSize": 20})
          for e in p["Events"]]
check(27, len(events), "events: 26 creates and a modify")
check(sorted((e["Date"] for e in events), reverse=True), [e["Date"] for e in events], "events newest first")
check("page24", events[0]["SourceIdentifier"], "newest event")
assert events[0]["Date"].tzinfo is not None, "Date parses as an aware timestamp"

# Concurrent creates: one name is created once, different names all are, nothing fails otherwise.
from collections import Counter
from concurrent.futures import ThreadPoolExecutor


def create(name):
    own = boto3.session.Session().client("elasticache", endpoint_url=os.environ["KEYFLEET_ENDPOINT"],
                                         region_name="us-east-1", aws_access_key_id="test",
                                         aws_secret_access_key="test")
    try:
        own.create_cache_subnet_group(CacheSubnetGroupName=name, CacheSubnetGroupDescription="d",
                                      SubnetIds=["subnet-0d0d0d0d"])
        return "created"
    except own.exceptions.ClientError as error:
        return error.response["Error"]["Code"]


with ThreadPoolExecutor(max_workers=16) as pool:
    outcomes = Counter(pool.map(create, ["race"] * 8 + [f"par{i}" for i in range(8)]))
check({"created": 9, "CacheSubnetGroupAlreadyExists": 7}, dict(outcomes), "concurrent creates")

# Delete: the answer is empty apart from metadata, and the group is gone with its tags.
answer = client.delete_cache_subnet_group(CacheSubnetGroupName="SdkGroup")
check(["ResponseMetadata"], list(answer), "delete answer")
refused(errors.CacheSubnetGroupNotFoundFault, 400, client.delete_cache_subnet_group, CacheSubnetGroupName="sdkgroup")
refused(errors.CacheSubnetGroupNotFoundFault, 400, client.list_tags_for_resource, ResourceName=arn)
print("boto3 lifecycle: ok")
EOF
