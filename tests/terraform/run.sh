#!/usr/bin/env bash
# Runs one Terraform case (a folder under tests/terraform/cases) against a real keyfleet:
# init from the local provider mirror, then per step apply, a plan that must show no
# changes, and the step's checks; finally destroy and the case's after-destroy checks.
# Conventions are in tests/terraform/README.md.
#
#   bash tests/terraform/run.sh tests/terraform/cases/subnet_group
#
# Exit 0 passed, 1 failed, 77 skipped (no terraform or no AWS provider in a local mirror).
set -euo pipefail

[ $# -eq 1 ] || { echo "usage: $0 <case-dir>" >&2; exit 2; }
[ -d "$1" ] || { echo "no case directory: $1" >&2; exit 2; }
CASE_DIR=$(cd "$1" && pwd)
CASE_NAME=$(basename "$CASE_DIR")
HARNESS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

skip() {
    echo "SKIPPED [terraform/$CASE_NAME]: $*"
    exit 77
}

# --- discovery, before anything is started --------------------------------------------

command -v terraform >/dev/null 2>&1 || skip "terraform is not on PATH"
TF_PLATFORM=$(terraform version -json 2>/dev/null | python3 -c 'import json, sys; print(json.load(sys.stdin)["platform"])' 2>/dev/null) ||
    TF_PLATFORM=linux_amd64

# A filesystem mirror holding hashicorp/aws for this platform, in the unpacked layout
# (registry.terraform.io/hashicorp/aws/VERSION/PLATFORM/terraform-provider-aws*) or the
# packed one (registry.terraform.io/hashicorp/aws/terraform-provider-aws_VERSION_PLATFORM.zip).
mirror_roots=()
[ -n "${KEYFLEET_TF_PLUGINS:-}" ] && mirror_roots+=("$KEYFLEET_TF_PLUGINS")
mirror_roots+=(/opt/tf-plugins "$HOME/.terraform.d/plugins" "$HOME/.local/share/terraform/plugins"
    /usr/local/share/terraform/plugins /usr/share/terraform/plugins)
TF_MIRROR=
TF_AWS_VERSION=
for root in "${mirror_roots[@]}"; do
    aws_dir=$root/registry.terraform.io/hashicorp/aws
    [ -d "$aws_dir" ] || continue
    versions=$(
        for binary in "$aws_dir"/*/"$TF_PLATFORM"/terraform-provider-aws*; do
            if [ -f "$binary" ] && [ -x "$binary" ]; then basename "$(dirname "$(dirname "$binary")")"; fi
        done
        for archive in "$aws_dir"/terraform-provider-aws_*_"$TF_PLATFORM".zip; do
            archive=$(basename "$archive")
            if [ -f "$aws_dir/$archive" ]; then archive=${archive#terraform-provider-aws_}; echo "${archive%_"$TF_PLATFORM".zip}"; fi
        done
    )
    if [ -n "$versions" ]; then
        TF_MIRROR=$root
        TF_AWS_VERSION=$(sort -V <<<"$versions" | tail -n 1)
        break
    fi
done
[ -n "$TF_MIRROR" ] ||
    skip "no hashicorp/aws provider for $TF_PLATFORM in a local mirror (searched: ${mirror_roots[*]}; set KEYFLEET_TF_PLUGINS)"

for tool in aws jq curl; do
    command -v "$tool" >/dev/null 2>&1 || { echo "FAIL [terraform/$CASE_NAME]: $tool not found (run tools/setup.sh test)" >&2; exit 1; }
done

# Steps: main.tf first, then the case's other *.tf files in version order (update.tf, ...).
[ -f "$CASE_DIR/main.tf" ] || { echo "FAIL [terraform/$CASE_NAME]: $CASE_DIR has no main.tf" >&2; exit 1; }
steps=(main)
while IFS= read -r name; do
    [ "$name" = main ] || [ "$name" = common ] || steps+=("$name")
done < <(cd "$CASE_DIR" && for f in *.tf; do echo "${f%.tf}"; done | LC_ALL=C sort -V)

# --- server and terraform environment -------------------------------------------------

# lib.sh: the temporary dir, start/stop of keyfleet, ec, fail, assert_eq, expect_error,
# and the EXIT trap that stops the server and removes the temporary dir.
# shellcheck source=../integration/lib.sh
. "$HARNESS_DIR/../integration/lib.sh"
# shellcheck disable=SC2034 # read by lib.sh's fail
TEST_NAME=terraform/$CASE_NAME
# On Ctrl-C or TERM, stop the running terraform first (it is in timeout's own process group,
# so the terminal's signal does not reach it), then exit through lib.sh's EXIT trap.
TF_PID=
on_signal() {
    if [ -n "$TF_PID" ]; then
        kill -TERM "$TF_PID" 2>/dev/null || true
        wait "$TF_PID" 2>/dev/null || true
    fi
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

WORK=$TEST_TMP/work  # the Terraform root module: provider.tf + the current step as case.tf
LOGS=$TEST_TMP/logs
mkdir -p "$WORK" "$LOGS"

export TF_CLI_CONFIG_FILE=$TEST_TMP/terraform.rc
cat >"$TF_CLI_CONFIG_FILE" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$TF_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
export TF_DATA_DIR=$TEST_TMP/tf-data
unset TF_WORKSPACE TF_CLI_ARGS TF_CLI_ARGS_init TF_CLI_ARGS_apply TF_CLI_ARGS_plan TF_CLI_ARGS_destroy TF_PLUGIN_CACHE_DIR
# A debug trace would be lost with the temporary dir: keep it unless told where to write it.
if [ -n "${TF_LOG:-}" ] && [ -z "${TF_LOG_PATH:-}" ]; then
    export TF_LOG_PATH=${TMPDIR:-/tmp}/keyfleet-terraform-$CASE_NAME.log
    : >"$TF_LOG_PATH"
    echo "TF_LOG=$TF_LOG: trace in $TF_LOG_PATH"
fi
TF_TIMEOUT=${KEYFLEET_TF_TIMEOUT:-300}  # seconds per terraform command

# Nodes get the default addressing (127.N.x.y on the port asked for), in a network of
# this case's own; no cluster-node pool, as a case creates at most one cluster-mode group.
reserve_loopback_network
start_keyfleet --loopback-network "$LOOPBACK_NETWORK" --cluster-node-pool 0
export KEYFLEET_ENDPOINT
KEYFLEET_ENDPOINT=$(endpoint)
export TF_VAR_endpoint=$KEYFLEET_ENDPOINT

# Terraform needs no network: every ElastiCache call goes to loopback (never proxied), and
# anything else the provider might try goes to a dead loopback proxy and fails at once.
DEAD_PROXY=http://127.0.0.1:$(free_port)

started=$SECONDS
echo "terraform/$CASE_NAME: terraform $(terraform version -json 2>/dev/null | jq -r .terraform_version)," \
    "hashicorp/aws $TF_AWS_VERSION from $TF_MIRROR, keyfleet at $KEYFLEET_ENDPOINT, steps: ${steps[*]}"

# tf LOG-NAME ARGS...: one terraform command in $WORK, output to $LOGS/LOG-NAME.log.
# Sets TF_RC and TF_LAST_LOG; returns 0 (callers judge the exit code).
command_number=0
tf() {
    local name=$1
    shift
    command_number=$((command_number + 1))
    TF_LAST_LOG=$LOGS/$(printf %02d "$command_number")-$name.log
    local begin=$SECONDS
    TF_RC=0
    HTTPS_PROXY=$DEAD_PROXY HTTP_PROXY=$DEAD_PROXY https_proxy=$DEAD_PROXY http_proxy=$DEAD_PROXY \
        NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost \
        timeout --kill-after=10 "$TF_TIMEOUT" terraform -chdir="$WORK" "$@" >"$TF_LAST_LOG" 2>&1 &
    TF_PID=$!
    wait "$TF_PID" || TF_RC=$?
    TF_PID=
    printf '  %-34s %4ds  exit %d\n' "$name" $((SECONDS - begin)) "$TF_RC"
    [ "$TF_RC" -ne 124 ] || echo "  (killed after ${TF_TIMEOUT}s: KEYFLEET_TF_TIMEOUT)"
}

# tf_must LOG-NAME ARGS...: the command must exit 0, else its output is shown and the case fails.
tf_must() {
    tf "$@"
    [ "$TF_RC" -eq 0 ] && return 0
    echo "--- terraform $2 output ($1) ---" >&2
    cat "$TF_LAST_LOG" >&2
    fail "terraform $2 exited $TF_RC in step '${TF_STEP:-}'"
}

# --- helpers for check scripts (sourced in a subshell; lib.sh's functions also work) -----

# tf_output NAME: a root output as a raw string (as `terraform output -raw` prints it), read
# from the outputs saved after the step's apply: a terraform command per lookup costs ~0.5 s.
tf_output() {
    jq -er --arg name "$1" '.[$name].value // error("no output \($name)") | if type == "string" then . else tostring end' \
        "$WORK/outputs.json"
}

# assert_applied ADDED CHANGED DESTROYED: the step's apply summary, e.g. that an update was
# done in place (0 1 0) rather than by replacement (1 0 1).
# After destroy (check_destroyed.sh) only DESTROYED is compared: "Resources: N destroyed."
assert_applied() {
    local expected="Resources: $1 added, $2 changed, $3 destroyed."
    [ "$TF_STEP" != destroy ] || expected="Resources: $3 destroyed."
    grep -qF "$expected" "$TF_APPLY_LOG" ||
        fail "step '$TF_STEP': expected '$expected', got '$(grep -E '^(Apply complete|Resources:)' "$TF_APPLY_LOG" || echo none)'"
}

# node_processes: the pids of the redis-server processes serving cache nodes of this case's
# keyfleet, one a line: a node runs in its own directory under the data dir's nodes/; the
# pre-started cluster-mode pool (nodes/pool) holds no cache node until it is handed out.
node_processes() {
    local pid cwd
    for pid in $(pgrep -x redis-server || true); do
        cwd=$(readlink "/proc/$pid/cwd" 2>/dev/null) || continue
        case $cwd in
        "$KEYFLEET_DATA"/nodes/pool/*) ;;
        "$KEYFLEET_DATA"/nodes/*) echo "$pid" ;;
        esac
    done
}

# run_check FILE: sources the check in a subshell so that its `fail` or any failing command
# (errexit) ends the check, not the harness.
run_check() {
    local file=$CASE_DIR/$1 status
    [ -f "$file" ] || return 0
    local begin=$SECONDS
    set +e
    (
        set -e
        cd "$WORK"
        # shellcheck disable=SC1090
        . "$file"
    )
    status=$?
    set -e
    printf '  %-34s %4ds  exit %d\n' "$1" $((SECONDS - begin)) "$status"
    [ "$status" -eq 0 ] || fail "$1 failed in step '$TF_STEP'"
}

# --- the case -----------------------------------------------------------------------------

cp "$HARNESS_DIR/provider.tf" "$WORK/provider.tf"
# common.tf (data sources, outputs) goes with every step; steps hold what changes.
[ ! -f "$CASE_DIR/common.tf" ] || cp "$CASE_DIR/common.tf" "$WORK/common.tf"
cp "$CASE_DIR/main.tf" "$WORK/case.tf"
TF_STEP=init
tf_must init init -input=false -no-color

for TF_STEP in "${steps[@]}"; do
    echo " step $TF_STEP"
    cp "$CASE_DIR/$TF_STEP.tf" "$WORK/case.tf"
    tf_must "$TF_STEP-apply" apply -auto-approve -input=false -no-color
    TF_APPLY_LOG=$TF_LAST_LOG
    tf "$TF_STEP-plan" plan -detailed-exitcode -input=false -no-color
    case $TF_RC in
    0) ;;
    2)
        echo "--- plan after applying step '$TF_STEP' is not empty (perpetual diff) ---" >&2
        cat "$TF_LAST_LOG" >&2
        fail "step '$TF_STEP': terraform plan shows changes right after apply"
        ;;
    *)
        cat "$TF_LAST_LOG" >&2
        fail "step '$TF_STEP': terraform plan exited $TF_RC"
        ;;
    esac
    terraform -chdir="$WORK" output -json >"$WORK/outputs.json" || fail "terraform output -json failed in step '$TF_STEP'"
    export TF_STEP TF_APPLY_LOG
    run_check "check_$TF_STEP.sh"
done

TF_STEP=destroy
echo " destroy"
tf_must destroy destroy -auto-approve -input=false -no-color
TF_APPLY_LOG=$TF_LAST_LOG
left=$(terraform -chdir="$WORK" state list 2>&1) || fail "terraform state list: $left"
[ -z "$left" ] || fail "resources left in state after destroy: $left"
run_check check_destroyed.sh

echo "PASSED [terraform/$CASE_NAME] in $((SECONDS - started))s"
