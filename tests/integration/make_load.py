#!/usr/bin/env python3
"""Writes Vector batches of chat records with unique ids, for the fault-injection run.

Each record is the first chat record of examples/data/vector-batch.json with its own time,
response id and trace ids, so every acknowledged record is one distinct InfluxDB point whose
response_id tag identifies it. Every POISON-th record (when POISON > 0) has a token count InfluxDB
must never see as a float (prompt_tokens 24.5): the server must answer an error status for it.

Usage: make_load.py TEMPLATE_BATCH OUT_DIR BATCHES PER_BATCH FIRST_ID [POISON]
Writes OUT_DIR/batch-<n>.json and OUT_DIR/batch-<n>.ids (one response id per event, in order).
"""
import copy
import datetime
import json
import os
import sys


def main() -> None:
    template_path, out_dir, batches, per_batch, first = sys.argv[1:6]
    poison = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    batches, per_batch, first = int(batches), int(per_batch), int(first)
    with open(template_path, encoding="utf-8") as f:
        template = json.loads(json.load(f)[0]["message"])
    base = datetime.datetime(2024, 11, 22, 9, 0, 0)
    os.makedirs(out_dir, exist_ok=True)
    n = first
    for b in range(batches):
        events, ids = [], []
        for _ in range(per_batch):
            record = copy.deepcopy(template)
            record["request"]["time"] = (base + datetime.timedelta(milliseconds=n)).isoformat(
                timespec="microseconds")
            rid = f"load-{n:08d}"
            response = json.loads(record["assembled_response"])
            response["id"] = rid
            record["assembled_response"] = json.dumps(response)
            record["trace"]["trace_id"] = f"{n:032x}"
            record["trace"]["core_span_id"] = f"{n:016x}"
            if poison and n % poison == poison - 1:
                record["token_usage"]["prompt_tokens"] = 24.5
                rid = "poison"
            events.append({"message": json.dumps(record)})
            ids.append(rid)
            n += 1
        with open(os.path.join(out_dir, f"batch-{first + b * per_batch:08d}.json"), "w") as f:
            json.dump(events, f)
        with open(os.path.join(out_dir, f"batch-{first + b * per_batch:08d}.ids"), "w") as f:
            f.write("\n".join(ids) + "\n")


if __name__ == "__main__":
    main()
