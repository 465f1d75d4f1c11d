#!/usr/bin/python3
"""A model of the NVIDIA Data Flywheel blueprint's dataset preparation, to test ours against.

`dial-analytics flywheel validate|datasets` promise to select, split and write records exactly as
the blueprint's Python code would (its DataValidator, OpenAIFormatValidator, split_records,
format_training_data and format_evaluator, v0.3.x).  Reproducing that byte for byte takes
CPython's `json` and `random` and scikit-learn's `train_test_split`; this script uses the real
ones, so its output is what the blueprint prints and the C++ tool's output can be compared with it.
Run it with /usr/bin/python3 (it needs numpy and scikit-learn; tested with scikit-learn 1.2.1).

    blueprint_datasets.py validate --input FILE [options]              selected records on stdout
    blueprint_datasets.py datasets --input FILE --output DIR [options]  DIR/eval_data.jsonl,
        DIR/training/train_data.jsonl, DIR/validation/val_data.jsonl

Options: --workload-type auto|generic|tool_calling (auto), --eval-size N (100),
--min-total-records N (50), --limit N (1000), --random-seed S, --no-parse-function-arguments,
--stats FILE (the six validation statistics), and for datasets --val-ratio R (0.1).  The input
holds one JSON value per non-blank line ("-" reads standard input); values that are not objects
are records of invalid format.  When the blueprint raises ValueError (the count checks, too few
valid records, a split scikit-learn refuses) this prints "dial-analytics: <message>" on stderr
and exits with status 1.

What is modelled, step by step:

1. Workload type (identify_workload_type): tool_calling as soon as one record, in input order, has
   truthy `response.choices[0].message.tool_calls`; otherwise generic.
2. Validation (DataValidator.validate_records): the three count checks on the raw count; the
   OpenAI chat-format rule with the 8-tool-properties limit; for tool calling, the quality filter
   (the first choice with truthy tool_calls decides: every call must have type "function") and
   parsing string tool-call arguments of the response with json.loads; deduplication on the tuple
   of user contents; the sufficiency check; random.sample of min(limit, n) records.
3. Split (split_records): labels are the first tool call's function name or "no_tool"; labels
   seen once become "others"; the eval part is train_test_split(test_size=min(eval_size, n)),
   stratified when there are more than one class and no more classes than eval records; the rest
   is split with test_size=val_ratio (a float, so never stratified).
4. Formats: format_training_data for train and validation ({"messages"} or, for tool calling,
   {"tools", "messages"} with the response's content emptied and null assistant contents of the
   history turned into ""), format_evaluator for eval (the whole record, with object arguments of
   the request history's tool calls turned into json.dumps strings).
5. Serialisation: json.dumps defaults (", " and ": ", ASCII with \\u escapes, NaN and Infinity as
   bare words), lines joined by "\\n" with no newline after the last.

Deliberate differences from the blueprint, which dial-analytics makes too:

a. Seeds.  With --random-seed S, random.seed(S) runs before random.sample even when S is 0 (the
   blueprint skips a falsy seed), and both train_test_split calls get random_state=S.  S must be
   in 0..4294967295 (what numpy accepts).  Without a seed nothing is seeded.
b. Workload detection skips records on which the lookup raises anything (the blueprint only
   skips KeyError and IndexError and crashes on TypeError and AttributeError).
c. Split labels never raise: "unknown" where get_tool_name would raise (a message that is not an
   object, a first tool call without function.name, ...) or the name is null, a list or a dict
   (unhashable, or a None numpy cannot sort with strings). Numbers and bools stay as they are,
   as the blueprint returns them.
d. A stratified eval split that scikit-learn refuses with ValueError (a lone "others" or other
   one-member class, a train part smaller than the number of classes) is redone unstratified with
   the same random_state, in a fresh call; if that fails too, its error is the failure.
   val_ratio 0 gives an empty validation part without a second call (the blueprint fails).
e. format_training_data drops records whose request messages are not all objects, or whose
   response message is not an object in a tool-calling workload (the blueprint crashes with
   TypeError); records it drops for KeyError or IndexError are dropped the same way.
f. format_evaluator leaves alone a request message that is not an object, tool_calls that is
   truthy but not a list, a tool call that is not an object, and a function that is not an
   object (the blueprint may crash on them).
"""

import argparse
import copy
import json
import os
import random
import sys
from collections import Counter

GENERIC = "generic"
TOOL_CALLING = "tool_calling"
LIMIT_TOOL_PROPERTIES = 8
STAT_KEYS = (
    "total_records",
    "valid_openai_format",
    "invalid_format",
    "removed_quality_filters",
    "deduplicated_queries",
    "final_selected",
)


class InputError(Exception):
    """The input cannot be read (not the blueprint's refusal, but reported the same way)."""


# ---------------------------------------------------------------------------------------------
# Reading


def read_records(path):
    """One JSON value per non-blank line (blank: only spaces, tabs and carriage returns)."""
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise InputError(f"cannot read {path}: {e.strerror}") from e
    records = []
    # Only "\n" ends a line: str.splitlines() would also split at U+2028 and friends.
    for number, raw in enumerate(data.split(b"\n"), start=1):
        if not raw.strip(b" \t\r"):
            continue
        try:
            records.append(json.loads(raw.decode("utf-8")))
        except (UnicodeDecodeError, ValueError) as e:
            raise InputError(f"line {number}: not JSON: {e}") from e
    return records


# ---------------------------------------------------------------------------------------------
# Workload type (util.identify_workload_type, difference b)


def identify_workload_type(records):
    for record in records:
        try:
            tool_calls = record["response"]["choices"][0]["message"].get("tool_calls")
            if tool_calls and len(tool_calls) > 0:
                return TOOL_CALLING
        except Exception:  # the blueprint: only (KeyError, IndexError)
            continue
    return GENERIC


# ---------------------------------------------------------------------------------------------
# OpenAIFormatValidator


def tool_properties_within_limit(request):
    """Every tool's function.parameters.properties has at most 8 entries (missing keys: {})."""
    try:
        for tool in request.get("tools", []):
            properties = tool.get("function", {}).get("parameters", {}).get("properties", {})
            if len(properties) > LIMIT_TOOL_PROPERTIES:
                return False  # "Tool function has N properties, exceeding limit of 8"
        return True
    except (KeyError, TypeError, AttributeError):
        return False  # "Error validating tool properties: ..."


def is_chat_completion(record):
    """validate_chat_completion_format: any exception means invalid."""
    try:
        if not isinstance(record, dict):
            return False  # `"request" in record` raises or the lookups below would
        if "request" not in record or "response" not in record:
            return False
        request = record["request"]
        if not isinstance(request, dict) or "messages" not in request:
            return False
        if not isinstance(request["messages"], list) or len(request["messages"]) == 0:
            return False
        if "tools" in request and not tool_properties_within_limit(request):
            return False
        response = record["response"]
        if not isinstance(response, dict) or "choices" not in response:
            return False
        if not isinstance(response["choices"], list) or len(response["choices"]) == 0:
            return False
        for choice in response["choices"]:
            if not isinstance(choice, dict) or "message" not in choice:
                return False
        return True
    except Exception:
        return False


def has_tool_calls(record):
    """The quality filter: the first choice with truthy tool_calls decides; every call must be an
    object with type "function".  Any exception fails the record."""
    try:
        for choice in record.get("response", {}).get("choices", []):
            tool_calls = choice.get("message", {}).get("tool_calls")
            if tool_calls:
                return all(call.get("type") == "function" for call in tool_calls)
        return False
    except Exception:
        return False


def parse_function_arguments(record):
    """String arguments of the response's tool calls become json.loads of them, in place.  False
    (reject) when one is not JSON or the structure raises KeyError, TypeError or AttributeError."""
    try:
        for choice in record.get("response", {}).get("choices", []):
            tool_calls = choice.get("message", {}).get("tool_calls", [])
            if tool_calls:
                for tool_call in tool_calls:
                    function = tool_call.get("function", {})
                    arguments = function.get("arguments")
                    if isinstance(arguments, str):
                        try:
                            function["arguments"] = json.loads(arguments)
                        except json.JSONDecodeError:
                            return False  # "Failed to parse function arguments: ..."
        return True
    except (KeyError, TypeError, AttributeError):
        return False  # "Error parsing function arguments: ..."


# ---------------------------------------------------------------------------------------------
# DataValidator


def check_counts(count, min_total_records, eval_size, limit):
    if count < min_total_records:
        raise ValueError(
            "Not enough records found for the given workload. "
            f"A minimum of {min_total_records} records is required, "
            f"but only {count} were found."
        )
    if eval_size > count:
        raise ValueError(
            "eval_size cannot be larger than the total number of records. "
            f"eval_size is {eval_size}, but only {count} records were found."
        )
    if limit < min_total_records:
        raise ValueError(
            "limit cannot be less than the minimum number of records. "
            f"limit is {limit}, but the minimum number of records is {min_total_records}."
        )


def deduplicate(records, stats):
    """Keeps the first record of each tuple of truthy user contents; records without one, with
    messages that are not a list, or with unhashable contents (lists, objects) are always kept."""
    seen = set()
    unique = []
    for record in records:
        try:
            messages = record.get("request", {}).get("messages", [])
            if not isinstance(messages, list):
                unique.append(record)
                continue
            user_contents = [
                message["content"]
                for message in messages
                if isinstance(message, dict) and message.get("role") == "user" and message.get("content")
            ]
            key = tuple(user_contents) if user_contents else None
            if key and key not in seen:
                seen.add(key)
                unique.append(record)
            elif key:
                stats["deduplicated_queries"] += 1
            else:
                unique.append(record)
        except (KeyError, TypeError):
            unique.append(record)
    return unique


def validate_records(records, workload, config, stats):
    """Returns the selected records (a random permutation), changed in place by argument parsing."""
    stats["total_records"] = len(records)
    check_counts(len(records), config.min_total_records, config.eval_size, config.limit)

    valid = []
    for record in records:
        if is_chat_completion(record):
            valid.append(record)
        else:
            stats["invalid_format"] += 1
    stats["valid_openai_format"] = len(valid)

    if workload == TOOL_CALLING:
        filtered = []
        for record in valid:
            if has_tool_calls(record):
                filtered.append(record)
            else:
                stats["removed_quality_filters"] += 1
        if config.parse_function_arguments:
            parsed = []
            for record in filtered:
                if parse_function_arguments(record):
                    parsed.append(record)
                else:
                    stats["removed_quality_filters"] += 1
            filtered = parsed
    else:
        filtered = valid

    unique = deduplicate(filtered, stats)
    if len(unique) < config.min_total_records:
        raise ValueError(
            f"Insufficient valid records. Found {len(unique)} but need {config.min_total_records}. "
            f"Total records: {len(records)}, valid OpenAI format: {len(valid)}, "
            f"after quality filters: {len(filtered)}. "
            f"Please provide more valid records."
        )

    if config.random_seed is not None:  # difference a: the blueprint skips seed 0
        random.seed(config.random_seed)
    selected = random.sample(unique, min(config.limit, len(unique)))
    stats["final_selected"] = len(selected)
    return selected


# ---------------------------------------------------------------------------------------------
# split_records


def tool_label(record):
    """get_tool_name, with "unknown" where it would raise or the name is null/list/dict (c)."""
    try:
        message = record["response"]["choices"][0]["message"]
        if not isinstance(message, dict):
            return "unknown"
        tool_calls = message.get("tool_calls")
        if tool_calls and len(tool_calls) > 0:
            name = tool_calls[0]["function"]["name"]
            return name if isinstance(name, (str, int, float)) else "unknown"
        return "no_tool"
    except Exception:
        return "unknown"


def stratification_labels(records):
    labels = [tool_label(record) for record in records]
    counts = Counter(labels)
    return [label if counts[label] > 1 else "others" for label in labels]


def split_once(records, test_size, seed):
    """train_test_split, stratified where the blueprint would stratify; a stratified split
    scikit-learn refuses is redone unstratified (difference d).  Returns (rest, test)."""
    from sklearn.model_selection import train_test_split

    labels = stratification_labels(records)
    classes = len(set(labels))
    if classes > 1 and test_size >= classes:
        try:
            return train_test_split(records, test_size=test_size, stratify=labels, random_state=seed)
        except ValueError:
            pass
    return train_test_split(records, test_size=test_size, stratify=None, random_state=seed)


def split_records(records, config):
    rest, eval_records = split_once(records, min(config.eval_size, len(records)), config.random_seed)
    if config.val_ratio == 0:  # difference d: scikit-learn refuses test_size=0.0
        return eval_records, rest, []
    train_records, val_records = split_once(rest, config.val_ratio, config.random_seed)
    return eval_records, train_records, val_records


# ---------------------------------------------------------------------------------------------
# Formats


def format_training_data(records, workload):
    training = []
    for record in records:
        try:
            messages = copy.deepcopy(record["request"]["messages"])
            if not record["response"]["choices"]:
                raise IndexError("No choices found in response")
            entry = {}
            for message in messages:
                if not isinstance(message, dict):
                    raise TypeError("a request message is not an object")  # difference e
                if message["role"] == "assistant" and message["content"] is None:
                    message["content"] = ""
            response_message = record["response"]["choices"][0]["message"]
            if workload == TOOL_CALLING:
                if not isinstance(response_message, dict):
                    raise TypeError("the response message is not an object")  # difference e
                response_message["content"] = ""  # on the record itself, as the blueprint does
                entry["tools"] = record["request"]["tools"]
            messages.append(response_message)
            entry["messages"] = messages
            training.append(entry)
        except (KeyError, IndexError, TypeError):
            continue  # "Error processing record: ..."
    return training


def format_evaluator(records):
    formatted = []
    for record in records:
        record = copy.deepcopy(record)
        if "request" in record and "messages" in record["request"]:
            for message in record["request"]["messages"]:
                if not isinstance(message, dict):
                    continue  # difference f
                tool_calls = message.get("tool_calls")
                if not tool_calls or not isinstance(tool_calls, list):
                    continue  # difference f for truthy non-lists
                for tool_call in tool_calls:
                    if not isinstance(tool_call, dict) or "function" not in tool_call:
                        continue
                    function = tool_call["function"]
                    if not isinstance(function, dict) or "arguments" not in function:
                        continue
                    if isinstance(function["arguments"], dict):
                        function["arguments"] = json.dumps(function["arguments"])
        formatted.append(record)
    return formatted


# ---------------------------------------------------------------------------------------------
# Output


def jsonl(records):
    """As the blueprint writes a dataset file: no newline after the last line."""
    return "\n".join(json.dumps(record) for record in records)


def write_text(path, text):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(text)


def write_stats(path, stats):
    write_text(path, json.dumps(stats) + "\n")


# ---------------------------------------------------------------------------------------------
# Command line


def seed_value(text):
    seed = int(text)
    if not 0 <= seed <= 0xFFFFFFFF:
        raise argparse.ArgumentTypeError("a seed is an integer from 0 to 4294967295")
    return seed


def ratio_value(text):
    ratio = float(text)
    if not 0 <= ratio < 1:
        raise argparse.ArgumentTypeError("the validation ratio must be at least 0 and below 1")
    return ratio


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("validate", "datasets"):
        command = commands.add_parser(name)
        command.add_argument("--input", required=True)
        if name == "datasets":
            command.add_argument("--output", required=True)
            command.add_argument("--val-ratio", type=ratio_value, default=0.1)
        command.add_argument("--workload-type", choices=("auto", GENERIC, TOOL_CALLING), default="auto")
        command.add_argument("--eval-size", type=int, default=100)
        command.add_argument("--min-total-records", type=int, default=50)
        command.add_argument("--limit", type=int, default=1000)
        command.add_argument("--random-seed", type=seed_value, default=None)
        command.add_argument(
            "--no-parse-function-arguments", dest="parse_function_arguments", action="store_false"
        )
        command.add_argument("--stats")
    return parser.parse_args(argv)


def run(config):
    records = read_records(config.input)
    workload = identify_workload_type(records) if config.workload_type == "auto" else config.workload_type
    stats = dict.fromkeys(STAT_KEYS, 0)
    selected = validate_records(records, workload, config, stats)
    if config.stats:
        write_stats(config.stats, stats)
    if config.command == "validate":
        sys.stdout.write("".join(json.dumps(record) + "\n" for record in selected))
        return
    eval_records, train_records, val_records = split_records(selected, config)
    # Training formats first, as the blueprint does; eval records are never among them.
    train = format_training_data(train_records, workload)
    val = format_training_data(val_records, workload)
    evaluation = format_evaluator(eval_records)
    os.makedirs(os.path.join(config.output, "training"), exist_ok=True)
    os.makedirs(os.path.join(config.output, "validation"), exist_ok=True)
    write_text(os.path.join(config.output, "eval_data.jsonl"), jsonl(evaluation))
    write_text(os.path.join(config.output, "training", "train_data.jsonl"), jsonl(train))
    write_text(os.path.join(config.output, "validation", "val_data.jsonl"), jsonl(val))


def main(argv=None):
    config = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run(config)
    except (ValueError, InputError) as e:
        sys.stdout.flush()
        sys.stderr.write(f"dial-analytics: {e}\n")
        return 1
    except OSError as e:  # an output that cannot be written
        sys.stderr.write(f"dial-analytics: cannot write {e.filename}: {e.strerror}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
