# Sourced by the command line tests: run the tool and check what it did.
# Usage in a test: exe=$1; root=$2; source "$(dirname "$0")/common.sh"
set -u
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
replay_data=$root/tests/data/replay
examples=$root/examples/data

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# run ARGS...: runs the tool; stdout in $work/out, stderr in $work/err, exit status in $status.
run() {
  status=0
  "$exe" "$@" >"$work/out" 2>"$work/err" || status=$?
}

expect_status() {
  [[ $status == "$1" ]] || fail "exit status $status, expected $1; stderr: $(cat "$work/err")"
}

# expect_err TEXT: stderr holds TEXT (literally).
expect_err() {
  grep -qF -- "$1" "$work/err" || fail "stderr does not contain '$1': $(cat "$work/err")"
}

# expect_out TEXT: stdout holds TEXT (literally).
expect_out() {
  grep -qF -- "$1" "$work/out" || fail "stdout does not contain '$1': $(head -c 2000 "$work/out")"
}

# same_output FILE: stdout is byte for byte FILE.
same_output() {
  cmp -s "$1" "$work/out" || fail "stdout differs from $1: $(diff "$1" "$work/out" | head -5)"
}
