#!/usr/bin/env bash
# topics train → replay --topic-model: the command line path a user takes with their own model.
# Usage: topics_train_then_replay.sh DIAL_ANALYTICS_EXE REPO_ROOT
exe=$1
root=$2
source "$(dirname "$0")/common.sh"

run topics train --input "$examples/topics/chat-topics.txt" --output "$work/m.bin"
expect_status 0
expect_err "trained $work/m.bin"
run replay --input "$examples/chats-batch.json" --topic-model "$work/m.bin"
expect_status 0
grep -q 'language=en,.*topic=cooking,' "$work/out" || fail "no English cooking chat: $(cat "$work/out")"
grep -q 'language=de,' "$work/out" || fail "no German chat"
# The same model through predict and test.
echo "how long do I boil an egg" >"$work/text.txt"
run topics predict --model "$work/m.bin" --input "$work/text.txt" --k=2
expect_status 0
[[ $(wc -l <"$work/out") == 1 && $(awk -F'\t' '{print NF}' "$work/out") == 4 ]] ||
  fail "predict --k=2 printed: $(cat "$work/out")"
run topics test --model "$work/m.bin" --input "$examples/topics/chat-topics.txt"
expect_status 0
expect_out "accuracy"
