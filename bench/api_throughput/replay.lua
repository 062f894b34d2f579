-- wrk script: replays one pre-signed request (a table written by signed_request.py,
-- path in $REPLAY_REQUEST) and prints the results as one JSON line for run.sh.
local request = dofile(os.getenv("REPLAY_REQUEST"))
wrk.method = request.method
wrk.path = request.path
wrk.body = request.body
wrk.headers = request.headers

-- Durations are in microseconds; errors.status counts answers with status > 399.
function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'REPLAY_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"status_errors": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.status, errors.connect + errors.read + errors.write + errors.timeout))
end
