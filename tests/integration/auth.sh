#!/usr/bin/env bash
# SigV4 against the real server: every way a signature can be wrong answers
# AWS's code, HTTP status and <ErrorResponse> XML; a presigned GET URL works;
# and each credential set of --credentials is its own account, so one group
# name in two accounts and two regions is four separate resources.
. "$(dirname "$0")/lib.sh"

signature_mismatch="The request signature we calculated does not match the signature you provided. \
Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

printf '%s\n' "# extra credential sets: access key, secret, account" \
    "AKIDSECONDACCOUNT secondsecret 111111111111" >"$TEST_TMP/credentials"
start_keyfleet --credentials "$TEST_TMP/credentials"

# A correctly signed request, for contrast.
send Action=DescribeCacheSubnetGroups
assert_eq 200 "$STATUS" "a correctly signed request"
assert_eq default "$(xml /DescribeCacheSubnetGroupsResponse/DescribeCacheSubnetGroupsResult/CacheSubnetGroups/CacheSubnetGroup/CacheSubnetGroupName)" \
    "a correctly signed request is answered"

# One hex digit of the signature changed.
send --tamper-signature Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch "$signature_mismatch"

# Signed with the wrong secret, by the aws CLI and on the wire.
expect_error SignatureDoesNotMatch env AWS_SECRET_ACCESS_KEY=wrong \
    aws elasticache --endpoint-url "$(endpoint)" describe-cache-subnet-groups
send --secret wrong Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch "$signature_mismatch"

# An access key nobody has.
expect_error InvalidClientTokenId env AWS_ACCESS_KEY_ID=AKIDNOBODY \
    aws elasticache --endpoint-url "$(endpoint)" describe-cache-subnet-groups
send --access-key AKIDNOBODY Action=DescribeCacheSubnetGroups
expect_wire_error 403 InvalidClientTokenId "The security token included in the request is invalid."

# No Authorization header at all.
send_curl -X POST "$(endpoint)/" -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
    --data 'Action=DescribeCacheSubnetGroups&Version=2015-02-02'
expect_wire_error 403 MissingAuthenticationToken "Request is missing Authentication Token"

# An Authorization header missing its parts (AWS's exact words: at the end).
amz_date=$(date -u +%Y%m%dT%H%M%SZ)
authorization="AWS4-HMAC-SHA256 Credential=test/${amz_date:0:8}/us-east-1/elasticache/aws4_request"
send_curl -X POST "$(endpoint)/" -H "Authorization: $authorization" -H "X-Amz-Date: $amz_date" \
    -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
    --data 'Action=DescribeCacheSubnetGroups&Version=2015-02-02'
expect_wire_error 400 IncompleteSignature

# Signed 20 minutes ago, or 20 minutes ahead: outside AWS's 15 minutes.
send --skew -1200 Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch
[[ $(xml /ErrorResponse/Error/Message) =~ ^Signature\ expired:\ [0-9]{8}T[0-9]{6}Z\ is\ now\ earlier\ than\ [0-9]{8}T[0-9]{6}Z\ \([0-9]{8}T[0-9]{6}Z\ -\ [0-9]+\ min\.\)$ ]] ||
    fail "expired signature message: $(xml /ErrorResponse/Error/Message)"
send --skew 1200 Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch
[[ $(xml /ErrorResponse/Error/Message) == "Signature not yet current: "*" is still later than "*" + "*" min.)" ]] ||
    fail "future signature message: $(xml /ErrorResponse/Error/Message)"
# Within the window is fine.
send --skew -300 Action=DescribeCacheSubnetGroups
assert_eq 200 "$STATUS" "signed 5 minutes ago"

# The credential scope names another service, or no region at all.
send --service s3 Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch
send --region nowhere Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch "Credential should be scoped to a valid region, not 'nowhere'. "

# The body changed after signing.
send --alter-body '&MaxRecords=20' Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch "$signature_mismatch"

# A presigned GET URL is a signature too; tampered or expired, it is refused.
send --presign Action=DescribeCacheSubnetGroups
assert_eq 200 "$STATUS" "presigned GET"
assert_eq default "$(xml /DescribeCacheSubnetGroupsResponse/DescribeCacheSubnetGroupsResult/CacheSubnetGroups/CacheSubnetGroup/CacheSubnetGroupName)" \
    "presigned GET answer"
send --presign --tamper-signature Action=DescribeCacheSubnetGroups
expect_wire_error 403 SignatureDoesNotMatch "$signature_mismatch"
send --presign --expires 60 --skew -120 Action=DescribeCacheSubnetGroups
expect_wire_error 400 RequestExpired

# Each credential set is an account; each SigV4 region a region.
second=(env AWS_ACCESS_KEY_ID=AKIDSECONDACCOUNT AWS_SECRET_ACCESS_KEY=secondsecret)
expect_error SignatureDoesNotMatch env AWS_ACCESS_KEY_ID=AKIDSECONDACCOUNT AWS_SECRET_ACCESS_KEY=test \
    aws elasticache --endpoint-url "$(endpoint)" describe-cache-subnet-groups
declare -A arns=(
    [000000000000/us-east-1]=""
    [000000000000/eu-west-1]=""
    [111111111111/us-east-1]=""
    [111111111111/eu-west-1]=""
)
for where in "${!arns[@]}"; do
    account=${where%/*} region=${where#*/}
    caller=()
    [ "$account" = 111111111111 ] && caller=("${second[@]}")
    out=$(AWS_DEFAULT_REGION=$region "${caller[@]}" aws elasticache --endpoint-url "$(endpoint)" --output json \
        create-cache-subnet-group --cache-subnet-group-name shared --cache-subnet-group-description "$where" \
        --subnet-ids subnet-5a5a5a5a)
    assert_eq "arn:aws:elasticache:$region:$account:subnetgroup:shared" "$(jqr .CacheSubnetGroup.ARN "$out")" \
        "ARN of shared in $where"
done
# Delete one; the other three are untouched and each still sees its own.
AWS_DEFAULT_REGION=eu-west-1 "${second[@]}" aws elasticache --endpoint-url "$(endpoint)" \
    delete-cache-subnet-group --cache-subnet-group-name shared
expect_error CacheSubnetGroupNotFoundFault env AWS_DEFAULT_REGION=eu-west-1 "${second[@]}" \
    aws elasticache --endpoint-url "$(endpoint)" describe-cache-subnet-groups --cache-subnet-group-name shared
for where in 000000000000/us-east-1 000000000000/eu-west-1 111111111111/us-east-1; do
    account=${where%/*} region=${where#*/}
    caller=()
    [ "$account" = 111111111111 ] && caller=("${second[@]}")
    out=$(AWS_DEFAULT_REGION=$region "${caller[@]}" aws elasticache --endpoint-url "$(endpoint)" --output json \
        describe-cache-subnet-groups --cache-subnet-group-name shared)
    assert_eq "$where|arn:aws:elasticache:$region:$account:subnetgroup:shared" \
        "$(jqr '.CacheSubnetGroups[0] | .CacheSubnetGroupDescription + "|" + .ARN' "$out")" "shared seen from $where"
done
# Tags follow the same scoping: the second account cannot reach the first's ARN.
expect_error CacheSubnetGroupNotFoundFault "${second[@]}" aws elasticache --endpoint-url "$(endpoint)" \
    list-tags-for-resource --resource-name arn:aws:elasticache:us-east-1:000000000000:subnetgroup:shared

# A request signed with the Date header instead of X-Amz-Date: SigV4 allows either, and botocore
# signs so when a request carries a Date header.
send --date-header Action=DescribeCacheSubnetGroups
assert_eq 200 "$STATUS" "signed with a Date header instead of X-Amz-Date ($(xml /ErrorResponse/Error/Message))"

# AWS's words for a malformed Authorization header: each missing part named, then the header
# quoted whole; a part without '=' quoted with the header.
amz_date=$(date -u +%Y%m%dT%H%M%SZ)
for authorization in "AWS4-HMAC-SHA256 Credential=test/${amz_date:0:8}/us-east-1/elasticache/aws4_request" \
    "AWS4-HMAC-SHA256 Credential=test/${amz_date:0:8}/us-east-1/elasticache/aws4_request, SignedHeaders=host;x-amz-date, Signature"; do
    send_curl -X POST "$(endpoint)/" -H "Authorization: $authorization" -H "X-Amz-Date: $amz_date" \
        -H 'Content-Type: application/x-www-form-urlencoded; charset=utf-8' \
        --data 'Action=DescribeCacheSubnetGroups&Version=2015-02-02'
    case $authorization in
    *Signature) expected="'Signature' not a valid key=value pair (missing equal-sign) in Authorization header: '$authorization'." ;;
    *) expected="Authorization header requires 'Signature' parameter. \
Authorization header requires 'SignedHeaders' parameter. Authorization=$authorization" ;;
    esac
    expect_wire_error 400 IncompleteSignature "$expected"
done

# AWS writes apostrophes in text as they are (&apos; is valid XML, but not what AWS sends).
send --region nowhere Action=DescribeCacheSubnetGroups
[[ $BODY == *"<Message>Credential should be scoped to a valid region, not 'nowhere'. </Message>"* ]] ||
    fail "raw message text expected with plain apostrophes: $BODY"
