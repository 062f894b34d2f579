#!/usr/bin/env bash
# The README as a new user meets it: in a copy of the checkout (its files as they
# stand, nothing built), the README's run command exactly as written, with only the
# port and the loopback network changed (appended flags: the last one wins); then
# the README's "Use it" and "Cache nodes" examples pasted into a shell, with only the
# port changed, against the real aws CLI and redis-cli; then SIGINT, after which no
# redis-server it started may be left. When the README changes, this test follows.
. "$(dirname "$0")/lib.sh"
require_tool redis-cli redis-server git python3

readme=$KEYFLEET_ROOT/README.md
# block SECTION_HEADING: the first ```sh block after that heading line.
block() {
    python3 - "$readme" "$1" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
start = lines.index(sys.argv[2])
inside = False
for line in lines[start + 1:]:
    if not inside and line.strip() == "```sh":
        inside = True
    elif inside and line.strip() == "```":
        break
    elif inside:
        print(line)
PY
}
first_block=$(block "# keyfleet")
run_line=$(grep -m1 '^tools/run.sh' <<<"$first_block")
run_line=${run_line%%#*}  # the command, without its comment
[ -n "$run_line" ] || fail "the README's first sh block has no tools/run.sh line"
use_it=$(block "## Use it")
cache_nodes=$(block "### Cache nodes")
[[ $use_it == *"4566"* && $cache_nodes == *"redis-cli"* ]] || fail "README examples not found: $use_it / $cache_nodes"

# --- A copy of the checkout: tracked and new files as they stand, no build ---------------------
checkout=$TEST_TMP/checkout
mkdir -p "$checkout"
(cd "$KEYFLEET_ROOT" && git ls-files -z --cached --others --exclude-standard |
    tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$checkout"
[ ! -e "$checkout/build" ] && [ -x "$checkout/tools/run.sh" ] || fail "the copy of the checkout is not clean"

# --- The run command as written, from the copy's root ------------------------------------------
reserve_loopback_network
KEYFLEET_PORT=$(free_port)
KEYFLEET_DATA=$checkout/.keyfleet  # the README's data dir, relative to the checkout
(cd "$checkout" && exec $run_line --port "$KEYFLEET_PORT" --loopback-network "$LOOPBACK_NETWORK") \
    >>"$KEYFLEET_LOG" 2>&1 </dev/null &
KEYFLEET_PID=$!
start_aws_driver
# The copy builds first: ccache shares the checkout's objects (tools/build.sh).
deadline=$((SECONDS + 540))
until keyfleet_healthy 2>/dev/null; do
    kill -0 "$KEYFLEET_PID" 2>/dev/null || fail "tools/run.sh exited before serving"
    [ "$SECONDS" -lt "$deadline" ] || fail "tools/run.sh did not serve within 540 s"
    sleep 0.1
done
[ "$(readlink "/proc/$KEYFLEET_PID/exe")" = "$checkout/build/keyfleet" ] ||
    fail "the server should be the copy's own build, exec'd by tools/run.sh"

# --- The examples, pasted into a shell as they are (only the port changed) ---------------------
paste() { sed "s/127\.0\.0\.1:4566/127.0.0.1:$KEYFLEET_PORT/g" <<<"$1"; }
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_DEFAULT_REGION HOME="$TEST_TMP" \
    bash -euo pipefail <<<"$(paste "$use_it")"$'\n'"$(paste "$cache_nodes")" >"$TEST_TMP/examples.out" 2>&1 ||
    fail "the README's examples failed: $(cat "$TEST_TMP/examples.out")"
out=$(cat "$TEST_TMP/examples.out")
[[ $out == *'"CacheSubnetGroupName": "mysubnetgroup"'* ]] || fail "Use it: no subnet group in: $out"
primary=$(grep -m1 -E "^127\.$LOOPBACK_NETWORK\.[0-9]+\.[0-9]+$" <<<"$out") ||
    fail "Cache nodes: no primary address in 127.$LOOPBACK_NETWORK.0.0/16 printed: $out"
assert_eq "OK hello" "$(tail -n 2 <<<"$out" | tr '\n' ' ' | sed 's/ $//')" "the last two lines (SET, GET)"
assert_eq hello "$(rc "$primary:6379" GET greeting)" "the key, read back through redis-cli"
[ -n "$(node_pids "$checkout/.keyfleet")" ] || fail "no redis-server under the README's data dir"

# --- Ctrl-C: the server stops, and every node with it ----------------------------------------
stop_keyfleet INT
assert_eq 0 "$KEYFLEET_EXIT_STATUS" "exit status of tools/run.sh after SIGINT"
no_nodes_left "$checkout/.keyfleet" || fail "redis-server left after SIGINT: $(node_pids "$checkout/.keyfleet")"
