#!/usr/bin/env bash
# `dial-analytics flywheel validate|datasets` against a Python model of the NVIDIA Data Flywheel
# blueprint (tests/tools/blueprint_datasets.py, which runs the real json, random and scikit-learn):
# checked-in expected outputs, randomized inputs compared with the model, and the manifest.
# Usage: flywheel_datasets.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
#   golden_<name>       the outputs for tests/data/flywheel/datasets/expected/<name>/args equal the
#                       expected files byte for byte (validate also from standard input)
#   randomized_<kind>   inputs from `make_dataset_inputs.py wide` (kind: tool_calling or generic)
#                       with random options give the model's outputs; exits 77 (skipped) when
#                       /usr/bin/python3 cannot import scikit-learn.  FLYWHEEL_DATASETS_RUNS sets
#                       the number of runs (10), FLYWHEEL_DATASETS_SEED the first seed (1), and
#                       FLYWHEEL_DATASETS_KEEP a directory to keep differing runs in.
#   manifest_stats      DIR/manifest.json's "validation" object holds the expected statistics
exe=$1
root=$2
source "$(dirname "$0")/common.sh"
data=$root/tests/data/flywheel/datasets
tools=$root/tests/tools
py=/usr/bin/python3

# The three dataset files, relative to the output directory.
dataset_files=(eval_data.jsonl training/train_data.jsonl validation/val_data.jsonl)

# case_args CASE_DIR OUT: the case's arguments (one a line) with @INPUT@ and @OUT@ replaced, in
# the array `args`.
case_args() {
  mapfile -t args < <(sed -e "s|@INPUT@|$data|g" -e "s|@OUT@|$2|g" "$1/args")
}

# first_difference EXPECTED GOT: where two files first differ, as a line number and both lines
# around the first differing character.
first_difference() {
  "$py" - "$1" "$2" <<'PY'
import sys
a, b = (open(p, "rb").read().split(b"\n") for p in sys.argv[1:3])
for n, (x, y) in enumerate(zip(a, b), start=1):
    if x != y:
        c = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
        lo = max(0, c - 150)
        print(f"line {n}, byte {c + 1}:\n  expected: ...{x[lo:c + 150].decode(errors='replace')}...\n"
              f"  got:      ...{y[lo:c + 150].decode(errors='replace')}...")
        break
else:
    print(f"one is a prefix of the other: {len(a)} vs {len(b)} lines")
PY
}

# same_file EXPECTED GOT WHAT: fails unless the files are equal byte for byte.
same_file() {
  [[ -f $2 ]] || fail "$3: $2 was not written"
  cmp -s "$1" "$2" || fail "$3 differs from $1: $(first_difference "$1" "$2")"
}

golden() {
  local dir=$data/expected/$1 out=$work/result
  [[ -f $dir/args ]] || fail "no case $dir"
  mkdir -p "$out"
  case_args "$dir" "$out"
  run flywheel "${args[@]}"
  expect_status "$(cat "$dir/status")"
  if [[ $status != 0 ]]; then
    grep -qxF -- "$(cat "$dir/stderr")" "$work/err" || fail "stderr lacks '$(cat "$dir/stderr")': $(cat "$work/err")"
    return
  fi
  if [[ ${args[0]} == validate ]]; then
    same_output "$dir/stdout"
  else
    for f in "${dataset_files[@]}"; do
      same_file "$dir/$f" "$out/$f" "$f"
    done
  fi
  [[ ! -f $dir/stats.json ]] || same_file "$dir/stats.json" "$out/stats.json" "the --stats file"
  if [[ ${args[0]} == validate ]]; then
    # The same from standard input.
    local i input
    for ((i = 0; i < ${#args[@]}; i++)); do
      [[ ${args[i]} != --input ]] || { input=${args[i + 1]}; args[i + 1]=-; }
    done
    status=0
    "$exe" flywheel "${args[@]}" <"$input" >"$work/out" 2>"$work/err" || status=$?
    expect_status 0
    same_output "$dir/stdout"
  fi
}

# random_options SEED KIND COUNT: one run's options (one a line, after the command), drawn for
# SEED.
random_options() {
  "$py" - "$@" <<'PY'
import random, sys
seed, kind, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
rng = random.Random(seed * 7919 + (kind == "generic"))
command = "validate" if rng.random() < 0.2 else "datasets"
opts = [command]
workload = rng.choice(["auto"] * 6 + ["generic", "tool_calling"])
if workload != "auto":
    opts += ["--workload-type", workload]
minimum = rng.choice([1, 2, 5, 10, 20, count // 4])
eval_size = rng.randint(1, max(1, count // 5))
limit = rng.choice([1000, 1000, count, count // 2 + eval_size, minimum + eval_size + 5, minimum + 1, minimum - 1])
opts += ["--min-total-records", str(minimum), "--eval-size", str(eval_size), "--limit", str(limit)]
if command == "datasets":
    opts += ["--val-ratio", rng.choice(["0", "0.05", "0.1", "0.15", "0.2", "0.25", "0.33", "0.5", "0.9"])]
opts += ["--random-seed", str(rng.choice([0, 1, 42, 4294967295, rng.randrange(2**32), rng.randrange(2**32)]))]
if rng.random() < 0.2:
    opts.append("--no-parse-function-arguments")
print("\n".join(opts))
PY
}

# run_both NAME: runs the model and the tool on $work/NAME.jsonl with the options in the array
# `opts`; stdout, stderr, status and outputs under $work/NAME/{model,tool}.
run_both() {
  local name=$1 who
  for who in model tool; do
    local out=$work/$name/$who
    mkdir -p "$out/result"
    local cmd=("${opts[0]}" --input "$work/$name.jsonl" "${opts[@]:1}" --stats "$out/stats.json")
    [[ ${opts[0]} == validate ]] || cmd+=(--output "$out/result")
    local rc=0
    if [[ $who == model ]]; then
      "$py" "$tools/blueprint_datasets.py" "${cmd[@]}" >"$out/stdout" 2>"$out/stderr" || rc=$?
    else
      "$exe" flywheel "${cmd[@]}" >"$out/stdout" 2>"$out/stderr" || rc=$?
    fi
    echo "$rc" >"$out/status"
  done
}

# compare_runs NAME: prints each difference between the model's and the tool's run; status 1 if any.
compare_runs() {
  local m=$work/$1/model t=$work/$1/tool differ=0 f
  if [[ $(cat "$m/status") != "$(cat "$t/status")" ]]; then
    echo "  exit status $(cat "$t/status"), the model's $(cat "$m/status"); model stderr: $(cat "$m/stderr"); tool stderr: $(head -c 1000 "$t/stderr")"
    return 1
  fi
  if [[ $(cat "$m/status") != 0 ]]; then
    grep -qxF -- "$(cat "$m/stderr")" "$t/stderr" && return 0
    echo "  stderr lacks the model's '$(cat "$m/stderr")': $(head -c 1000 "$t/stderr")"
    return 1
  fi
  local files=(stats.json)
  if [[ ${opts[0]} == validate ]]; then
    files+=(stdout)
  else
    files+=("${dataset_files[@]/#/result/}")
  fi
  for f in "${files[@]}"; do
    if [[ ! -f $t/$f ]]; then
      echo "  $f: not written"
      differ=1
    elif ! cmp -s "$m/$f" "$t/$f"; then
      echo "  $f differs: $(first_difference "$m/$f" "$t/$f")"
      differ=1
    fi
  done
  return $differ
}

randomized() {
  local kind=$1 runs=${FLYWHEEL_DATASETS_RUNS:-10} first=${FLYWHEEL_DATASETS_SEED:-1} failures=0 seed
  "$py" -c 'import sklearn.model_selection' 2>/dev/null || {
    echo "SKIP: $py cannot import scikit-learn, which the blueprint model needs"
    exit 77
  }
  for ((seed = first; seed < first + runs; seed++)); do
    local count=$(( (seed * 37 % 5) * 90 + 30 )) name=run$seed
    "$py" "$tools/make_dataset_inputs.py" wide --seed "$seed" --count "$count" --kind "$kind" >"$work/$name.jsonl" ||
      fail "the input generator failed"
    mapfile -t opts < <(random_options "$seed" "$kind" "$count")
    run_both "$name"
    local report
    if report=$(compare_runs "$name"); then
      echo "same: seed $seed, $count $kind records, ${opts[*]} (exit $(cat "$work/$name/model/status"))"
    else
      failures=$((failures + 1))
      echo "DIFFERENT: make_dataset_inputs.py wide --seed $seed --count $count --kind $kind | dial-analytics flywheel ${opts[*]} --input -"
      echo "$report"
      if [[ -n ${FLYWHEEL_DATASETS_KEEP:-} ]]; then
        mkdir -p "$FLYWHEEL_DATASETS_KEEP" && cp -r "$work/$name" "$work/$name.jsonl" "$FLYWHEEL_DATASETS_KEEP/"
      fi
    fi
  done
  [[ $failures == 0 ]] || fail "$failures of $runs randomized runs differ from the model"
}

manifest_stats() {
  local c dir
  for c in tool_calling_seed42 generic_seed7; do
    dir=$data/expected/$c
    mkdir -p "$work/$c"
    case_args "$dir" "$work/$c"
    run flywheel "${args[@]}"
    expect_status 0
    [[ -f $work/$c/manifest.json ]] || fail "$c: no manifest.json in the output directory"
    "$py" - "$work/$c/manifest.json" "$dir/stats.json" <<'PY' || fail "$c: the manifest's validation statistics differ"
import json, sys
manifest = json.load(open(sys.argv[1]))
expected = json.load(open(sys.argv[2]))
got = manifest.get("validation")
if not isinstance(got, dict) or any(got.get(k) != v for k, v in expected.items()):
    print(f"manifest validation {got}, expected {expected}", file=sys.stderr)
    sys.exit(1)
PY
  done
}

case $3 in
golden_*) golden "${3#golden_}" ;;
randomized_tool_calling) randomized tool_calling ;;
randomized_generic) randomized generic ;;
manifest_stats) manifest_stats ;;
*) fail "unknown case $3" ;;
esac
