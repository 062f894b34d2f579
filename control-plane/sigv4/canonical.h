// The steps of AWS Signature Version 4, one pure function per step of the spec
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace keyfleet::sigv4 {

using Headers = std::vector<std::pair<std::string, std::string>>;  // as received: any case, repeats allowed

// The path normalized (dot segments removed, repeated slashes collapsed) and
// percent-encoded per segment; the wire path is taken as already encoded once,
// so '%' is encoded again, exactly as the signing SDKs do.
std::string canonical_uri(std::string_view wire_path);

// Every pair percent-decoded, re-encoded with RFC 3986, sorted by name then
// value; pairs named in `excluded` (X-Amz-Signature for presigned URLs) dropped.
// The spec reads '+' literally; form-style clients (botocore's GET) send '+'
// for a space they signed as %20, hence plus_is_space.
std::string canonical_query(std::string_view raw_query, std::string_view excluded = {}, bool plus_is_space = false);

// Lowercase names, values trimmed with inner runs of spaces folded, repeated
// headers joined with ','; only the headers listed in `signed_headers` (already
// lowercase, ';'-separated), in that sorted order. Each line ends with '\n'.
std::string canonical_headers(Headers const& headers, std::string_view signed_headers);

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash);

// AWS4-HMAC-SHA256 \n <amz date> \n <scope> \n hex(sha256(canonical request))
std::string string_to_sign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// HMAC chain: "AWS4"+secret -> date -> region -> service -> "aws4_request".
std::string signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service);

// hex(HMAC-SHA256(signing key, string to sign))
std::string signature(std::string_view signing_key, std::string_view string_to_sign);

// Constant-time comparison for signatures.
bool equal_constant_time(std::string_view a, std::string_view b);

}  // namespace keyfleet::sigv4
