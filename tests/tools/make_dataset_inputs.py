#!/usr/bin/python3
"""Inputs and expected outputs for the `flywheel validate` / `flywheel datasets` tests.

    make_dataset_inputs.py inputs [DIR]
        (Re)writes DIR/tool_calling.jsonl and DIR/generic.jsonl (DIR: tests/data/flywheel/datasets),
        the same bytes every time.
    make_dataset_inputs.py expected [DIR]
        Runs blueprint_datasets.py (needs /usr/bin/python3 with scikit-learn) for every case
        directory DIR/expected/<case>/ and rewrites its expected files from the case's `args`.
    make_dataset_inputs.py wide --seed S [--count N] [--kind tool_calling|generic]
        Prints N records drawn at random for seed S (the same seed gives the same records), for
        randomized comparisons of dial-analytics with the model.

The fixed inputs hold valid records of several tools with unequal class sizes and singleton tool
names, the invalid shapes of the blueprint's validator tests, tool-call arguments in every form
Python's json.loads treats specially, request-history tool calls with object arguments, null
assistant contents, duplicate and near-duplicate user queries, multi-turn, multimodal and numeric
contents, Unicode (non-ASCII, astral, lone surrogates, control characters, U+2028), extra
top-level keys of both producers (the OpenAI SDK's and the NeMo Agent Toolkit's), int and ISO
timestamps, and lines that are JSON but not objects.

A case directory holds `args`: one argument per line, the command (validate or datasets) first;
`@INPUT@` stands for the input file's directory and `@OUT@` for the output directory.  Its
expected files: `status` (the exit status), `stdout`, `stderr`, and for datasets
`eval_data.jsonl`, `training/train_data.jsonl`, `validation/val_data.jsonl`, plus `stats.json`
when the args ask for `--stats @OUT@/stats.json`.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_DIR = os.path.normpath(os.path.join(HERE, "..", "data", "flywheel", "datasets"))
MODEL = os.path.join(HERE, "blueprint_datasets.py")

# ---------------------------------------------------------------------------------------------
# Building blocks


def tool(name, *properties, flat=False):
    parameters = {"type": "object", "properties": {p: {"type": "string"} for p in properties}}
    if flat:
        return {"name": name, "parameters": parameters}
    return {"type": "function", "function": {"name": name, "parameters": parameters}}


TOOLS = {
    "get_weather": tool("get_weather", "location", "unit"),
    "search_docs": tool("search_docs", "query", "top_k"),
    "book_meeting": tool("book_meeting", "title", "start", "attendees"),
    "send_email": tool("send_email", "to", "subject", "body"),
    "translate_text": tool("translate_text", "text", "target"),
    "convert_units": tool("convert_units", "value", "from", "to"),
    "m\u00e9t\u00e9o": tool("m\u00e9t\u00e9o", "ville"),
    # Class order is by code point (numpy sorts labels so): U+FF21 before U+1F30D, the reverse
    # of UTF-16 order.
    "\uff21lpha": tool("\uff21lpha", "x"),
    "\U0001f30d_lookup": tool("\U0001f30d_lookup", "place"),
}

QUESTIONS = {
    "get_weather": "What's the weather in {}?",
    "search_docs": "Find the documentation about {}.",
    "book_meeting": "Book a meeting about {} tomorrow.",
    "send_email": "Email the team about {}.",
    "translate_text": "Translate '{}' into French.",
    "convert_units": "Convert {} miles to kilometres.",
    "m\u00e9t\u00e9o": "Quel temps fait-il \u00e0 {} ?",
    "\uff21lpha": "Alpha check {}.",
    "\U0001f30d_lookup": "Where is {} \U0001f30d?",
}

PLACES = ["Paris", "Berlin", "Oslo", "Lima", "Kyiv", "Quito", "Accra", "Hanoi", "Perth", "Cork",
          "Z\u00fcrich", "S\u00e3o Paulo", "\u4f60\u597d\u5e02", "Reykjav\u00edk", "Montr\u00e9al"]

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


def arguments_for(name, i):
    place = PLACES[i % len(PLACES)]
    if name == "get_weather":
        return {"location": place, "unit": "celsius" if i % 2 else "fahrenheit"}
    if name == "search_docs":
        return {"query": f"topic {i}", "top_k": i % 7 + 1}
    if name == "book_meeting":
        return {"title": f"Sync {i}", "start": "2025-01-0%dT10:00:00Z" % (i % 9 + 1), "attendees": ["a", "b"]}
    if name == "send_email":
        return {"to": f"team{i}@example.com", "subject": f"Update {i}"}
    return {"value": place, "n": i}


def tool_call(name, arguments, i, with_id=True):
    call = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if with_id:
        call = {"id": f"call_{i:04d}", **call}
    return call


def response(message, dialect, i, finish="stop", extra_choices=()):
    """The response in one of the two producers' shapes: the OpenAI SDK's model_dump() (with null
    keys) or the AIVA sample data's minimal one."""
    if dialect == "aiva":
        return {"choices": [{"message": message}, *extra_choices]}
    sdk_message = {"content": None, "refusal": None, "role": "assistant", "audio": None,
                   "function_call": None, "tool_calls": None}
    sdk_message.update(message)
    return {
        "id": f"chatcmpl-{i:06d}",
        "object": "chat.completion",
        "created": 1746138417 + i,
        "model": "gpt-4o-mini",
        "choices": [{"finish_reason": finish, "index": 0, "logprobs": None, "message": sdk_message},
                    *extra_choices],
        "usage": {"completion_tokens": 10 + i % 13, "prompt_tokens": 40 + i % 17, "total_tokens": 50 + i % 30},
    }


def document(request, resp, i, dialect="sdk", timestamp=None, extra=None):
    """A logged document; the key order is the producer's."""
    timestamp = 1746138417 + 37 * i if timestamp is None else timestamp
    if dialect == "aiva":
        doc = {"request": request, "response": resp, "workload_id": "primary_assistant",
               "client_id": "aiva-1", "timestamp": timestamp}
    elif dialect == "nat":
        doc = {"timestamp": timestamp, "workload_id": "agent_node", "client_id": "nat-dev",
               "request": request, "response": resp, "contract_version": "1.0", "error_details": None}
    else:
        doc = {"timestamp": timestamp, "workload_id": "chat", "client_id": "dial",
               "request": request, "response": resp}
    doc.update(extra or {})
    return doc


def tool_record(name, i, dialect=None, arguments=None, question=None, tools=None, history=None):
    """A valid tool-calling record: one call of `name` (string arguments unless given)."""
    dialect = dialect or ("aiva", "sdk", "nat")[i % 3]
    if arguments is None:
        arguments = arguments_for(name, i)
        if dialect != "aiva":  # the SDK logs strings; AIVA data holds objects
            arguments = json.dumps(arguments, separators=(",", ":") if i % 2 else (", ", ": "))
    if question is None:
        question = QUESTIONS.get(name, "Please call {}.").format(PLACES[i % len(PLACES)] + f" #{i}")
    messages = [SYSTEM, *(history or []), {"role": "user", "content": question}]
    request = {"model": "gpt-4o-mini", "messages": messages,
               "tools": tools if tools is not None else [TOOLS.get(name, tool(name, "value"))],
               "temperature": 0.2}
    message = {"role": "assistant", "content": "" if dialect == "aiva" else None,
               "tool_calls": [tool_call(name, arguments, i, with_id=dialect != "aiva")]}
    resp = response(message, "aiva" if dialect == "aiva" else "sdk", i, finish="tool_calls")
    if dialect == "nat":
        resp["usage"] = {"prompt_tokens": 12, "completion_tokens": 3, "total_tokens": 15,
                         "token_usage": {"prompt_tokens": 12, "completion_tokens": 3, "cached_tokens": 0}}
    return document(request, resp, i, dialect)


def chat_record(i, question=None, answer=None, dialect=None, system=True, history=None, extra=None):
    """A valid generic record."""
    dialect = dialect or ("sdk", "aiva", "nat")[i % 3]
    question = question if question is not None else f"Question {i}: how do I {('reset', 'renew', 'share', 'export')[i % 4]} item {i}?"
    messages = ([SYSTEM] if system else []) + list(history or []) + [{"role": "user", "content": question}]
    request = {"model": "gpt-4o-mini", "messages": messages, "temperature": (0.7, 1.0, 0)[i % 3], "max_tokens": 256}
    answer = answer if answer is not None else f"Answer {i}."
    resp = response({"role": "assistant", "content": answer}, "aiva" if dialect == "aiva" else "sdk", i)
    return document(request, resp, i, dialect, extra=extra)


def dumps_styled(value, i):
    """One line, in one of three spellings (the tool must not care)."""
    styles = (
        lambda v: json.dumps(v),
        lambda v: json.dumps(v, ensure_ascii=False, separators=(",", ":")),
        lambda v: json.dumps(v, ensure_ascii=False),
    )
    line = styles[i % 3](value)
    try:
        line.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates travel as \u escapes only
        line = json.dumps(value)
    return line


# ---------------------------------------------------------------------------------------------
# Edge records shared by the fixed inputs and the wide generator.  Each is a line of text.


def invalid_format_lines(with_calls=True):
    """The blueprint validator tests' invalid shapes (I1-I7 and the parametrized ones), each
    carrying a tool call (with_calls) so that only the format rule rejects it.  Without calls for
    generic inputs: workload detection looks at every record, valid or not."""
    call = {"role": "assistant", "content": "Invalid anyway."}
    if with_calls:
        call = {"role": "assistant", "content": None,
                "tool_calls": [tool_call("get_weather", '{"location": "Nowhere"}', 0)]}
    good_req = {"messages": [{"role": "user", "content": "Invalid but asks for weather"}]}
    good_resp = {"choices": [{"message": call}]}
    user = [{"role": "user", "content": "q"}]
    shapes = [
        {"response": {"choices": []}},                                   # I1
        {"request": {"messages": []}},                                   # I2
        {"request": "a string", "response": good_resp},                  # I3
        {"request": {}, "response": {"choices": []}},                    # I4
        {"request": {"messages": "a string"}, "response": good_resp},    # I5
        {"request": {"messages": []}, "response": {}},                   # I6
        {"request": good_req, "response": {"choices": "a string"}},      # I7
        {"request": {"messages": []}, "response": {"choices": []}},
        {"response": good_resp},
        {"request": good_req},
        {"request": good_req, "response": "a string"},
        {},
        {"request": None, "response": good_resp},
        {"request": good_req, "response": {"not_choices": []}},
        {"request": good_req, "response": {"choices": {"0": {"message": call}}}},
        {"request": good_req, "response": {"choices": ["a string"]}},
        {"request": good_req, "response": {"choices": [{"message": call}, "invalid choice"]}},
        {"request": good_req, "response": {"choices": [{"index": 0, "finish_reason": "stop"}]}},
        {"request": {"messages": None}, "response": good_resp},
        {"request": good_req, "response": {"choices": None}},
        {"request": {"messages": user, "tools": None}, "response": good_resp},
        {"request": {"messages": user, "tools": ["x"]}, "response": good_resp},
        {"request": {"messages": user, "tools": [{"type": "function", "function": None}]}, "response": good_resp},
        {"request": {"messages": user, "tools": [tool("nine", *[f"prop{k}" for k in range(1, 10)])]}, "response": good_resp},
        {"request": {"messages": user, "tools": [{"type": "function", "function": {"name": "p", "parameters": None}}]}, "response": good_resp},
        {"request": {"messages": user, "tools": [{"type": "function", "function": {"name": "p", "parameters": {"properties": None}}}]}, "response": good_resp},
        {"request": {"messages": user, "tools": [{"type": "function", "function": {"name": "p", "parameters": {"properties": "abcdefghij"}}}]}, "response": good_resp},
        {"request": {"messages": user, "tools": [{"type": "function", "function": {"name": "p", "parameters": {"properties": 5}}}]}, "response": good_resp},
        {"request": {"messages": user, "tools": {"get_weather": TOOLS["get_weather"]}}, "response": good_resp},
        {"request": {"messages": user, "tools": "abc"}, "response": good_resp},
        {"request": {"messages": user, "tools": 7}, "response": good_resp},
    ]
    lines = [dumps_styled(shape, k) for k, shape in enumerate(shapes)]
    lines += ["null", "[]", "5", '"s"', "true", "[{\"request\": {}}]", "-0", "1e400"]
    return lines


def tool_argument_lines(base):
    """Records of `base` (a tool name) whose call's arguments take every form json.loads treats
    specially, in both the SDK and the AIVA producers' shapes."""
    strings = [
        '{"location": "Paris", "unit": "celsius"}',
        ' {"location": "Padded", "unit": "kelvin"} \n',
        '{"location": "Cut"',                  # not JSON: rejected
        "",                                     # rejected
        "   \n\t   ",                           # rejected
        '{"a": 1}{}',                           # trailing garbage: rejected
        "\ufeff{}",                             # a BOM: rejected
        "{'single': 'quotes'}",                 # rejected
        '{"threshold": NaN, "max": Infinity, "min": -Infinity}',
        '{"location": "Rome", "unit": "c", "location": "Milan"}',
        '{"count": 123456789012345678901234567890, "neg": -98765432109876543210, "z": -0}',
        '{"a": 1e16, "b": 1E-7, "c": 0.1, "d": -0.0, "e": 1.5e300, "f": 1e400, "g": -1e400, "h": 1e-400}',
        '{"i": 1.0, "j": 100.50, "k": 1e22, "l": 123456789.123456789, "m": 5e-324, "n": 1.7976931348623157e308, "o": 1e15, "p": 2.5E+3}',
        "[1, 2]",
        '"just a string"',
        "5",
        "null",
        "true",
        '{"city": "S\\u00e3o Paulo", "emoji": "\\ud83c\\udf0d", "lone": "\\ud800", "ctl": "\\u0001\\u001f\\u007f"}',
        '{"ville": "Z\u00fcrich \u4f60\u597d \U0001f30d", "sep": "\u2028"}',
        '{"nested": {"data": ["item1", "item2"], "config": {"key": "value"}}}',
        '{"deep": [[[[[[[[[[{"x": [1, [2, [3]]]}]]]]]]]]]]}',
        '{"esc": "quote \\" backslash \\\\ slash \\/ tab \\t"}',
    ]
    lines = []
    for k, arguments in enumerate(strings):
        lines.append(dumps_styled(tool_record(base, 600 + k, dialect=("sdk", "nat")[k % 2], arguments=arguments,
                                              question=f"Arguments case {k}: weather please"), k))
    # Arguments that are not strings: left as they are.
    for k, arguments in enumerate([{"location": "Lyon", "unit": "c"}, None, 5, [1, "two"], {"d": 1e400, "e": -0.0}]):
        lines.append(dumps_styled(tool_record(base, 640 + k, dialect="aiva", arguments=arguments,
                                              question=f"Object arguments case {k}"), k))
    return lines


def quality_lines(i0):
    """Records that only the tool-calling quality filter or the argument parser decides on."""
    user = lambda text: [SYSTEM, {"role": "user", "content": text}]  # noqa: E731
    tools = [TOOLS["get_weather"], TOOLS["search_docs"]]

    def rec(text, choices, k, tools=tools):
        return dumps_styled(document({"model": "m", "messages": user(text), "tools": tools},
                                     {"choices": choices}, i0 + k, "sdk"), k)

    typed = lambda name, args, n=0: {"id": f"c{n}", "type": "function", "function": {"name": name, "arguments": args}}  # noqa: E731
    msg = lambda calls, content=None: {"role": "assistant", "content": content, "tool_calls": calls}  # noqa: E731
    return [
        # No tool calls at all: removed.
        rec("Quality: no tool calls", [{"message": {"role": "assistant", "content": "Sure."}}], 0),
        rec("Quality: empty tool calls", [{"message": msg([], "x")}], 1),
        rec("Quality: null tool calls", [{"message": msg(None, "x")}], 2),
        rec("Quality: finish_reason only", [{"finish_reason": "tool_calls", "message": {"role": "assistant", "content": "x"}}], 3),
        # Call types.
        rec("Quality: untyped call", [{"message": msg([{"function": {"name": "get_weather", "arguments": "{}"}}])}], 4),
        rec("Quality: not_function type", [{"message": msg([{"type": "not_function", "function": {"name": "get_weather", "arguments": "{}"}}])}], 5),
        rec("Quality: second call untyped", [{"message": msg([typed("get_weather", "{}"), {"function": {"name": "x"}}])}], 6),
        rec("Quality: call is a string", [{"message": msg(["get_weather"])}], 7),
        rec("Quality: tool_calls is a string", [{"message": msg("not a list")}], 8),
        rec("Quality: tool_calls is an object", [{"message": msg({"type": "function"})}], 9),
        rec("Quality: message is null", [{"message": None}, {"message": msg([typed("get_weather", "{}")])}], 10),
        # The first choice with calls decides.
        rec("Quality: second choice decides, badly",
            [{"message": msg([])}, {"message": msg([{"type": "x"}])}, {"message": msg([typed("get_weather", "{}")])}], 11),
        rec("Quality: first typed, second not",
            [{"message": msg([typed("get_weather", '{"location": "Bern"}')])}, {"message": msg([{"type": "x", "function": {"name": "y", "arguments": "{"}}])}], 12),
        rec("Quality: content first, call second (label no_tool) A",
            [{"message": {"role": "assistant", "content": "Let me check."}}, {"message": msg([typed("search_docs", '{"query": "a"}')])}], 13),
        rec("Quality: content first, call second (label no_tool) B",
            [{"message": msg(None, "Let me look.")}, {"message": msg([typed("get_weather", '{"location": "b"}')])}], 14),
        rec("Quality: content first, call second (label no_tool) C",
            [{"message": msg([], "Hmm.")}, {"message": msg([typed("get_weather", '{"location": "c"}')])}], 15),
        rec("Quality: content first, call second (label no_tool) D",
            [{"message": {"role": "assistant"}}, {"message": msg([typed("search_docs", {"query": "d"})])}], 16),
        # Passes the filter, then the parser rejects it (or keeps it without parsing).
        rec("Parse: later choice message null", [{"message": msg([typed("get_weather", '{"location": "E"}')])}, {"message": None}], 17),
        rec("Parse: later choice bad arguments",
            [{"message": msg([typed("get_weather", '{"location": "F"}')])}, {"message": msg([typed("get_weather", "{bad")])}], 18),
        rec("Parse: second call bad after first parsed",
            [{"message": msg([typed("get_weather", '{"location": "G"}'), typed("search_docs", "nope", 1)])}], 19),
        rec("Parse: function null", [{"message": msg([{"type": "function", "function": None}])}], 20),
        rec("Parse: function is a list", [{"message": msg([{"type": "function", "function": ["arguments"]}])}], 21),
        rec("Parse: later tool_calls a string",
            [{"message": msg([typed("get_weather", '{"location": "H"}')])}, {"message": msg("oops")}], 22),
        # Accepted, with labels the blueprint's get_tool_name would crash on.
        rec("Label: call without function A", [{"message": msg([{"type": "function", "id": "x"}])}], 23),
        rec("Label: call without function B", [{"message": msg([{"type": "function"}])}], 24),
        rec("Label: function without name", [{"message": msg([{"type": "function", "function": {"arguments": '{"q": 1}'}}])}], 25),
        rec("Label: name is a number", [{"message": msg([{"type": "function", "function": {"name": 42, "arguments": "{}"}}])}], 26),
        rec("Label: name is null", [{"message": msg([{"type": "function", "function": {"name": None, "arguments": "[]"}}])}], 27),
        # Two calls, both parsed; calls in a later choice parsed too.
        rec("Two calls parsed",
            [{"message": msg([typed("get_weather", '{"location": "I"}'), typed("search_docs", '{"query": "i"}', 1)])},
             {"message": msg([typed("search_docs", '{"query": "later"}', 2)])}], 28),
    ]


def tools_shape_lines(i0):
    """Valid-format tool lists that look odd: exactly 8 properties, 9 entries of which two share
    a key (8 once parsed), flat tools, tools without function, empty lists."""
    call = lambda name: {"role": "assistant", "content": None,  # noqa: E731
                         "tool_calls": [tool_call(name, '{"p": "v"}', i0)]}
    eight = tool("eight", *[f"prop{k}" for k in range(1, 9)])
    nine_text = ('{"type": "function", "function": {"name": "dup", "parameters": {"type": "object", "properties": '
                 + "{" + ", ".join(f'"prop{k}": {{"type": "string"}}' for k in range(1, 9))
                 + ', "prop1": {"type": "integer"}}}}}')
    out = []
    for k, (tools, name) in enumerate([
        ([eight], "eight"),
        ([tool("flat", *[f"p{k}" for k in range(12)], flat=True)], "flat"),
        ([{"type": "function"}], "bare"),
        ([], "no_tools_listed"),
        ({}, "no_tools_object"),
        ("", "no_tools_string"),
        ([{"type": "function", "function": {"name": "few", "parameters": {"properties": "abc"}}}], "few"),
    ]):
        doc = document({"model": "m", "messages": [{"role": "user", "content": f"Tool shapes {k}"}], "tools": tools},
                       {"choices": [{"message": call(name)}]}, i0 + k)
        out.append(dumps_styled(doc, k))
    # Nine property entries, two with the same key: eight properties once parsed, so valid.
    out.append('{"request": {"messages": [{"role": "user", "content": "Tool shapes dup"}], "tools": [' + nine_text
               + ']}, "response": {"choices": [{"message": {"role": "assistant", "content": null, "tool_calls": '
               '[{"type": "function", "function": {"name": "dup", "arguments": "{\\"prop1\\": 1}"}}]}}]}}')
    return out


def history_lines(i0, tool_name=None):
    """Request histories the formats treat specially.  With tool_name the response calls that
    tool (tool-calling file), otherwise it answers in text (generic file)."""

    def rec(k, messages, tools=True, resp_message=None, **kw):
        if resp_message is None:
            if tool_name:
                resp_message = {"role": "assistant", "content": None,
                                "tool_calls": [tool_call(tool_name, json.dumps(arguments_for(tool_name, k)), i0 + k)]}
            else:
                resp_message = {"role": "assistant", "content": f"History answer {k}."}
        request = {"model": "m", "messages": messages}
        if tools:
            request["tools"] = [TOOLS.get(tool_name or "get_weather")]
        return dumps_styled(document(request, response(resp_message, "aiva", i0 + k), i0 + k, **kw), k)

    hist_call = lambda args, n=0, name="get_weather": {"id": f"h{n}", "type": "function",  # noqa: E731
                                                       "function": {"name": name, "arguments": args}}
    return [
        # As in the blueprint's dataset-creator test: null and empty assistant contents, a tool
        # message, flat tools, a response content null.
        dumps_styled(document(
            {"model": "m", "messages": [
                SYSTEM, {"role": "user", "content": "History: weather in Oslo then tell me"},
                {"role": "assistant", "content": None, "tool_calls": [hist_call({"location": "Oslo"})]},
                {"role": "tool", "tool_call_id": "h0", "content": "12C"},
                {"role": "assistant", "content": ""}],
             "tools": [tool(tool_name or "get_weather", "location", flat=True)]},
            {"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": [
                tool_call(tool_name or "get_weather", '{"location": "Oslo"}', 1)] if tool_name else None}}]},
            i0 + 50, "aiva"), 0),
        rec(1, [{"role": "user", "content": "History: objects become strings"},
                {"role": "assistant", "content": None, "tool_calls": [
                    hist_call({"location": "New York", "unit": "celsius"}),
                    hist_call({"q": "\u00e9\u4f60\U0001f30d", "n": 1e16, "x": float("nan")}, 1),
                    hist_call('{"already": "a string"}', 2),
                    hist_call([1, 2], 3),
                    hist_call(None, 4)]},
                {"role": "tool", "content": "ok"},
                {"role": "user", "content": "and now?"}]),
        rec(2, [{"role": "user", "content": "History: odd tool calls left alone"},
                {"role": "assistant", "content": "", "tool_calls": [
                    "a string", {"function": "not an object"}, {"no_function": 1},
                    {"function": {"name": "no_arguments"}}, {"function": ["arguments"]},
                    {"type": "function", "function": {"name": "f", "arguments": {"kept": False}}}]}]),
        rec(3, [{"role": "user", "content": "History: tool_calls a string"},
                {"role": "assistant", "content": "x", "tool_calls": "function arguments"}]),
        rec(4, [{"role": "user", "content": "History: tool_calls an object"},
                {"role": "assistant", "content": "x", "tool_calls": {"function": {"arguments": {"a": 1}}}}]),
        rec(5, [None, {"role": "user", "content": "History: a null message"}]),
        rec(6, ["a string message", {"role": "user", "content": "History: a string message"},
                {"role": "assistant", "content": None, "tool_calls": [hist_call({"s": 1})]}]),
        rec(7, [{"content": "no role"}, {"role": "user", "content": "History: a message without role"}]),
        rec(8, [{"role": "user", "content": "History: assistant without content"},
                {"role": "assistant", "tool_calls": [hist_call({"z": 0})]}]),
        rec(9, [{"role": "user", "content": "History: no tools in the request"}], tools=False),
        rec(10, [{"role": "user", "content": "History: response without content"}],
            resp_message={"role": "assistant", "tool_calls": [tool_call(tool_name, {"location": "Nowhere"}, 9)]}
            if tool_name else {"role": "assistant"}),
        rec(11, [{"role": "user", "content": "History: role not a string"}, {"role": ["assistant"], "content": None}]),
        rec(12, [{"role": "developer", "content": "Be brief."}, {"role": "user", "content": "History: developer role"},
                 {"role": "assistant", "content": None, "refusal": None}, {"role": "user", "content": "again"}]),
        rec(13, [{"role": "user", "content": "History: NAT shape"}], dialect="nat"),
    ]


def content_lines(i0, tool_name=None):
    """Deduplication and Unicode: duplicate and near-duplicate queries, multi-turn tuples,
    multimodal and numeric contents, strings Python escapes in its own way."""

    def rec(k, contents, extra=None, timestamp=None, system=True):
        history = []
        for c in contents[:-1]:
            history += [{"role": "user", "content": c}, {"role": "assistant", "content": f"ok {k}"}]
        if tool_name:
            doc = json.loads(json.dumps(tool_record(tool_name, i0 + k, question=contents[-1], history=history)))
            if not system:
                doc["request"]["messages"] = doc["request"]["messages"][1:]
        else:
            doc = chat_record(i0 + k, question=contents[-1], history=history, system=system)
        if timestamp is not None:
            doc["timestamp"] = timestamp
        doc.update(extra or {})
        return dumps_styled(doc, k)

    weather = "What's the weather in Paris?"
    return [
        rec(0, [weather]),
        rec(1, [weather], system=False),                # exact duplicate: dropped
        rec(2, [weather.lower()]),                      # case differs: kept
        rec(3, [weather + " "]),                        # trailing space: kept
        rec(4, [weather], timestamp="2023-01-01T00:00:00Z"),   # duplicate again: dropped
        rec(5, ["Hello", "How are you?"]),
        rec(6, ["How are you?", "Hello"]),              # another order: kept
        rec(7, ["Hello", "How are you?"]),              # the same tuple: dropped
        rec(8, ["Hello", "", "How are you?"]),          # an empty content is not part of the key: dropped
        rec(9, [""]),                                   # no key: kept
        rec(10, [""]),                                  # no key: kept again
        rec(11, [[{"type": "text", "text": "Describe"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]]),
        rec(12, [[{"type": "text", "text": "Describe"}, {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}]]),
        rec(13, [{"type": "text", "text": "an object content"}]),
        rec(14, [{"type": "text", "text": "an object content"}]),
        rec(15, [1]),
        rec(16, [1.0]),                                 # equal to 1 in Python: dropped
        rec(17, [True]),                                # equal to 1 too: dropped
        rec(18, [0]),                                   # falsy: no key, kept
        rec(19, [2.5e-8]),
        rec(20, [float("nan")]),                        # NaN never equals NaN: kept
        rec(21, [float("nan")]),
        rec(22, ["Unicode: caf\u00e9 \u4f60\u597d \U0001f30d \u00ff \u2028 \u2029 end"]),
        rec(23, ["Escapes: \ud800 lone, \udc00\ud800 reversed, \U0001f600 pair"]),
        rec(24, ["Controls: \u0000\u0001\u001f\u007f \t\n\r\b\f and \"quotes\" \\ / </script>"]),
        rec(25, ["caf\u00e9"]),
        rec(26, ["cafe\u0301"]),                        # not normalised: kept
        rec(27, ["Extra keys"], extra={"metadata": {"team": "x"}, "id": "abc"}),
        rec(28, ["Timestamp as ISO"], timestamp="2025-05-01T12:00:00.123+02:00"),
        rec(29, ["Timestamp as float"], timestamp=1.7e9),
        rec(30, ["Timestamp missing"], extra={"timestamp": None}),
        rec(31, ["A long one " + "word " * 200]),
    ] + [
        # Spellings only a JSON parser sees: raw U+2028, raw DEL, escaped slash, duplicate keys,
        # numbers Python re-prints.
        '{"timestamp": 1746138417, "timestamp": 1746138418, "request": {"messages": [{"role": "user", "content": "Raw \u2028 line separator and raw \x7f DEL \\/ slash"}], '
        '"temperature": 0.70, "top_p": 1E0, "n": -0, "seed": 123456789012345678901234567890, "max_tokens": 1e400, "tools": ['
        + json.dumps(TOOLS.get(tool_name or "get_weather")) + ']}, "response": {"choices": [{"message": '
        + (json.dumps({"role": "assistant", "content": None, "tool_calls": [tool_call(tool_name, '{"k": 1.10}', 77)]})
           if tool_name else '{"role": "assistant", "content": "Numbers \\u00e9", "score": -0.0, "big": 1e16}')
        + '}]}, "workload_id": "w", "client_id": "c", "workload_id": "w2"}',
        '  {"request": {"messages": [{"role": "user", "content": "Leading and trailing spaces on the line"}], "tools": []}, '
        '"response": {"choices": [{"message": '
        + (json.dumps({"role": "assistant", "content": "", "tool_calls": [tool_call(tool_name, {"a": 1}, 78)]})
           if tool_name else '{"role": "assistant", "content": "spaces"}')
        + "}]}}  \r",
    ]


# ---------------------------------------------------------------------------------------------
# The fixed inputs


def detection_crash_lines():
    """Records on which the blueprint's workload detection raises TypeError or AttributeError
    (it crashes; we skip them)."""
    return ['{"request": {"messages": [{"role": "user", "content": "message null"}]}, "response": {"choices": [{"message": null}]}}',
            '{"response": {"choices": [{"message": "a string message"}]}}', '{"response": "a string"}']


def tool_calling_lines():
    rng = random.Random(20250501)
    sizes = [("get_weather", 40), ("search_docs", 22), ("book_meeting", 12), ("send_email", 6),
             ("m\u00e9t\u00e9o", 3), ("\uff21lpha", 2), ("\U0001f30d_lookup", 2),
             ("translate_text", 1), ("convert_units", 1)]
    valid = [dumps_styled(tool_record(name, i), i) for i, name in enumerate(
        name for name, count in sizes for _ in range(count))]
    # Text answers in a tool-calling workload: the quality filter removes them.
    valid += [dumps_styled(chat_record(300 + k), k) for k in range(6)]
    edge = (invalid_format_lines() + tool_argument_lines("get_weather") + quality_lines(400)
            + tools_shape_lines(450) + history_lines(500, "search_docs") + content_lines(700, "get_weather"))
    lines = valid + edge
    rng.shuffle(lines)
    # First, records the blueprint's workload detection crashes on (we skip them), then a blank line.
    return detection_crash_lines() + [""] + lines


def generic_odd_lines():
    """Generic records with odd response messages and tool_calls no detection may count."""
    odd = [
        # Response messages that are not objects (valid format; "unknown" split label).
        document({"messages": [{"role": "user", "content": "Generic: message null"}]}, {"choices": [{"message": None}]}, 1),
        document({"messages": [{"role": "user", "content": "Generic: message string"}]}, {"choices": [{"message": "plain text"}]}, 2),
        document({"messages": [{"role": "user", "content": "Generic: message list"}]}, {"choices": [{"message": ["a", 1]}]}, 3),
        document({"messages": [{"role": "user", "content": "Generic: message number"}]}, {"choices": [{"message": 5}]}, 4),
        document({"messages": [{"role": "user", "content": "Generic: message true"}]}, {"choices": [{"message": True}]}, 5),
        # No tool calls in the first choice; a later choice may have some.
        document({"messages": [{"role": "user", "content": "Generic: empty tool_calls"}]},
                 {"choices": [{"message": {"role": "assistant", "content": "a", "tool_calls": []}}]}, 6),
        document({"messages": [{"role": "user", "content": "Generic: tool call in choice 2"}]},
                 {"choices": [{"message": {"role": "assistant", "content": "b"}},
                              {"message": {"role": "assistant", "content": None, "tool_calls": [tool_call("get_weather", {"x": 1}, 5)]}}]}, 7),
        document({"messages": [{"role": "system", "content": "Only a system prompt"}, {"role": "assistant", "content": "hello"}]},
                 {"choices": [{"message": {"role": "assistant", "content": "c"}}]}, 8),
        document({"messages": [{"role": "system", "content": "Only a system prompt"}, {"role": "assistant", "content": "hello"}]},
                 {"choices": [{"message": {"role": "assistant", "content": "d"}}]}, 9),
        document({"messages": [{"role": "user", "content": "Generic: message without role key"}]},
                 {"choices": [{"message": {"content": "no role"}}]}, 10),
        # Truthy tool_calls without a length: the blueprint's detection would crash; skipped.
        document({"messages": [{"role": "user", "content": "Generic: tool_calls a number"}]},
                 {"choices": [{"message": {"role": "assistant", "content": "e", "tool_calls": 5}}]}, 11),
        document({"messages": [{"role": "user", "content": "Generic: tool_calls true"}]},
                 {"choices": [{"message": {"role": "assistant", "content": "f", "tool_calls": True}}]}, 12),
    ]
    return [dumps_styled(w, k) for k, w in enumerate(odd)]


def generic_lines():
    rng = random.Random(20250502)
    valid = [dumps_styled(chat_record(i, system=i % 4 != 0,
                                      history=[{"role": "user", "content": f"Earlier {i}"}, {"role": "assistant", "content": None if i % 5 == 0 else "Earlier answer."}]
                                      if i % 6 == 0 else None), i)
             for i in range(150)]
    edge = (generic_odd_lines() + invalid_format_lines(with_calls=False)[7:]
            + history_lines(500) + content_lines(700))
    lines = valid + edge
    rng.shuffle(lines)
    return ['{"response": {"choices": [{"message": null}]}}', '{"request": {"messages": [{"role": "user", "content": "x"}]}, "response": {"choices": ["s"]}}'] + lines


def write_lines(path, lines):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(line + "\n" for line in lines))


# ---------------------------------------------------------------------------------------------
# Wide random inputs


def wide_lines(seed, count, kind):
    rng = random.Random(seed)
    names = list(TOOLS) + [f"tool_{k}" for k in range(12)]
    rng.shuffle(names)
    tools_used = names[: rng.randint(1, 9)]
    weights = [rng.choice((1, 1, 2, 5, 20, 60)) for _ in tools_used]
    singles = names[9:9 + rng.randint(0, 3)]
    edge_pool = invalid_format_lines(kind != "generic") + content_lines(900, None if kind == "generic" else "get_weather") \
        + history_lines(950, None if kind == "generic" else "search_docs")
    if kind == "tool_calling":
        edge_pool += tool_argument_lines("get_weather") + quality_lines(800) + tools_shape_lines(850)
    else:
        edge_pool += generic_odd_lines()
    edge_share = rng.choice((0.0, 0.05, 0.2, 0.5))
    dup_share = rng.choice((0.0, 0.05, 0.3))
    lines, questions = [], []
    for i in range(count):
        r = rng.random()
        if r < edge_share:
            lines.append(rng.choice(edge_pool))
            continue
        if questions and r < edge_share + dup_share:
            question = rng.choice(questions)
            if rng.random() < 0.3:
                question = question.upper() if rng.random() < 0.5 else question + " "
        else:
            question = None
        if kind == "generic":
            doc = chat_record(i, question=question, system=rng.random() < 0.7, dialect=rng.choice(("sdk", "aiva", "nat")))
        else:
            if singles and rng.random() < 0.02:
                name = rng.choice(singles)
                singles.remove(name)
            else:
                name = rng.choices(tools_used, weights)[0]
            doc = tool_record(name, i, dialect=rng.choice(("sdk", "aiva", "nat")), question=question)
        questions.append(doc["request"]["messages"][-1]["content"])
        lines.append(dumps_styled(doc, rng.randrange(3)))
    if rng.random() < 0.5:
        lines[:0] = detection_crash_lines()[: rng.randint(1, 3)]
    return lines


# ---------------------------------------------------------------------------------------------
# Expected outputs


def case_args(case_dir, data_dir, out_dir):
    with open(os.path.join(case_dir, "args"), encoding="utf-8") as f:
        args = [line.rstrip("\n") for line in f if line.strip()]
    return [a.replace("@INPUT@", data_dir).replace("@OUT@", out_dir) for a in args]


def write_expected(data_dir):
    expected = os.path.join(data_dir, "expected")
    for case in sorted(os.listdir(expected)):
        case_dir = os.path.join(expected, case)
        for name in os.listdir(case_dir):
            if name != "args":
                path = os.path.join(case_dir, name)
                shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
        args = case_args(case_dir, data_dir, case_dir)
        result = subprocess.run([sys.executable, MODEL, *args], capture_output=True)
        for name, data in (("stdout", result.stdout), ("stderr", result.stderr),
                           ("status", f"{result.returncode}\n".encode())):
            with open(os.path.join(case_dir, name), "wb") as f:
                f.write(data)
        print(f"{case}: exit {result.returncode} {result.stderr.decode().strip()}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("inputs", "expected"):
        commands.add_parser(name).add_argument("dir", nargs="?", default=DEFAULT_DIR)
    wide = commands.add_parser("wide")
    wide.add_argument("--seed", type=int, required=True)
    wide.add_argument("--count", type=int, default=200)
    wide.add_argument("--kind", choices=("tool_calling", "generic"), default="tool_calling")
    args = parser.parse_args()
    if args.command == "inputs":
        os.makedirs(args.dir, exist_ok=True)
        write_lines(os.path.join(args.dir, "tool_calling.jsonl"), tool_calling_lines())
        write_lines(os.path.join(args.dir, "generic.jsonl"), generic_lines())
    elif args.command == "expected":
        write_expected(args.dir)
    else:
        sys.stdout.buffer.write("".join(line + "\n" for line in wide_lines(args.seed, args.count, args.kind)).encode("utf-8"))


if __name__ == "__main__":
    main()
