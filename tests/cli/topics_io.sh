#!/usr/bin/env bash
# What `dial-analytics topics predict/test` do with gzip inputs and outputs they cannot write.
# Usage: topics_io.sh DIAL_ANALYTICS_EXE REPO_ROOT CASE
exe=$1
root=$2
source "$(dirname "$0")/common.sh"

run topics train --input "$examples/topics/chat-topics.txt" --output "$work/m.bin" --epoch 5
expect_status 0
labelled=$examples/topics/chat-topics.txt
grep -v '^#' "$labelled" | sed 's/^__label__[^ ]* //' | head -2000 >"$work/text.txt"

case $3 in
full_disk)
  # A full disk is an error with a message, not an abort and not a truncated success.
  for command in predict test; do
    input=$work/text.txt
    [[ $command == test ]] && input=$labelled
    status=0
    "$exe" topics $command --model "$work/m.bin" --input "$input" >/dev/full 2>"$work/err" ||
      status=$?
    expect_status 1
    expect_err "dial-analytics: cannot write the output: No space left on device"
    if grep -q -i "terminate\|abort" "$work/err"; then fail "aborted: $(cat "$work/err")"; fi
  done
  ;;
gzip_input)
  # gzip input (two members) gives what its text gives.
  run topics predict --model "$work/m.bin" --input "$work/text.txt"
  expect_status 0
  cp "$work/out" "$work/plain.out"
  head -n 700 "$work/text.txt" | gzip -c >"$work/text.gz"
  tail -n +701 "$work/text.txt" | gzip -c >>"$work/text.gz"
  run topics predict --model "$work/m.bin" --input "$work/text.gz"
  expect_status 0
  same_output "$work/plain.out"
  run topics test --model "$work/m.bin" --input "$labelled"
  cp "$work/out" "$work/plain.out"
  gzip -c "$labelled" >"$work/labelled.gz"
  status=0
  "$exe" topics test --model "$work/m.bin" --input - <"$work/labelled.gz" >"$work/out" 2>"$work/err" ||
    status=$?
  expect_status 0
  same_output "$work/plain.out"
  { gzip -c "$work/text.txt"; echo garbage; } >"$work/bad.gz"
  run topics predict --model "$work/m.bin" --input "$work/bad.gz"
  expect_status 1
  expect_err "is not valid gzip data"
  ;;
*)
  fail "unknown case $3"
  ;;
esac
