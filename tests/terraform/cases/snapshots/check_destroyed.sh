# shellcheck shell=bash
# After destroy: the final snapshots were taken as the group and the cluster went, and stay
# with the manual one; no node is left.
assert_applied 0 0 3
snapshots=$(ec describe-snapshots --query 'Snapshots[].[SnapshotName, SnapshotStatus, SnapshotSource]' --output text |
    sort | tr '\t' ' ' | paste -sd ';')
assert_eq "tf-snap-manual available manual;tf-snap-single-final available manual;tf-snap-source-final available manual" \
    "$snapshots" "the snapshots left"
assert_eq "" "$(node_processes | tr '\n' ' ')" "redis-server processes of cache nodes left"
