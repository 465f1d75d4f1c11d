#!/usr/bin/env python3
"""Writes the bundled sample DIAL log stream (examples/data/) and the replay golden inputs.

Development tool only: the generated files are committed, nothing at build or test time runs it.
Records follow DIAL Core's prompt-log shape (docs/line-protocol.md): one JSON object per request,
bodies as JSON strings, `request.time` in UTC without a zone, `response.status` a string.
"""
import json
import pathlib

ROOT = pathlib.Path(__file__).resolve().parent.parent


def record(uri, time, body, *, deployment, project="team-alpha", chat="c-7f3a", user="u-5d41402a",
           title="Data Scientist", status="200", upstream=None, assembled=None, response_body="",
           usage=None, trace=None, parent=None, path=None, method="POST"):
    rec = {
        "apiType": "DialOpenAI",
        "chat": {"id": chat},
        "project": {"id": project},
        "user": {"id": user, "title": title},
        "deployment": deployment,
        "request": {"protocol": "HTTP/1.1", "method": method, "uri": uri, "time": time,
                    "body": body if isinstance(body, str) or body is None else json.dumps(body)},
        "response": {"status": status, "upstream_uri": upstream, "body": response_body},
    }
    if usage is not None:
        rec["token_usage"] = usage
    if trace is not None:
        rec["trace"] = trace
    if parent is not None:
        rec["parent_deployment"] = parent
    if path is not None:
        rec["execution_path"] = path
    if assembled is not None:
        rec["assembled_response"] = assembled if isinstance(assembled, str) else json.dumps(assembled)
    return rec


def usage(prompt, completion, cached=0, cache_write=0, reasoning=0, price=None, deployment_price=None):
    u = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
         "prompt_tokens_details": {"cached_tokens": cached, "cache_write_tokens": cache_write},
         "completion_tokens_details": {"reasoning_tokens": reasoning}}
    if deployment_price is not None:
        u["deployment_price"] = deployment_price
    if price is not None:
        u["price"] = price
    return u


def trace(t, s, p=None):
    out = {"trace_id": t, "core_span_id": s}
    if p:
        out["core_parent_span_id"] = p
    return out


def chat_response(rid, text, model="gpt-4o-2024-08-06", streamed=False, u=None):
    key = "delta" if streamed else "message"
    return {"id": rid, "object": "chat.completion", "created": 1732270000, "model": model,
            "choices": [{"index": 0, key: {"role": "assistant", "content": text}, "finish_reason": "stop"}],
            "usage": u or {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


T1 = "5dca3d6ed5d22b6ab574f27a6ab5ec14"
records = [
    record("/openai/deployments/gpt-4o/chat/completions", "2024-11-22T09:15:02.114",
           {"model": "gpt-4o", "messages": [{"role": "system", "content": "You are a concise assistant."},
                                            {"role": "user", "content": "What is the capital of France?"}]},
           deployment="gpt-4o", upstream="https://eastus.api.cognitive.microsoft.com/openai/deployments/gpt-4o/chat/completions",
           assembled=chat_response("chatcmpl-AQ1", "The capital of France is Paris."),
           usage=usage(24, 8, price=0.00018, deployment_price=0.00018),
           trace=trace(T1, "9ade2b6fef0a716d"), path=["gpt-4o"]),
    # a streamed answer: DIAL Core < 0.22.1 kept `delta` in the assembled response
    record("/openai/deployments/gpt-4o-mini/chat/completions?api-version=2024-06-01", "2024-11-22T09:15:03.500",
           {"model": "gpt-4o-mini", "stream": True, "messages": [{"role": "user", "content": [{"type": "text", "text": "Write a haiku about logs."}]}]},
           deployment="gpt-4o-mini", upstream="https://eastus.api.cognitive.microsoft.com/openai/deployments/gpt-4o-mini/chat/completions",
           assembled=chat_response("chatcmpl-AQ2", "Lines scroll in the dark,\nevery request leaves a trace,\nmorning finds the cost.", streamed=True),
           response_body="data: {\"id\":\"chatcmpl-AQ2\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Lines\"}}]}\n\ndata: [DONE]\n",
           usage=usage(14, 22, cached=0, price=0.0000153, deployment_price=0.0000153),
           trace=trace("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331")),
    # an application calling a model: parent span (app) and child span (model)
    record("/openai/deployments/gpt-4o/chat/completions", "2024-11-22T09:15:05.021",
           {"model": "gpt-4o", "messages": [{"role": "user", "content": "What's the weather like in Berlin?"},
                                            {"role": "assistant", "content": None, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Berlin\"}"}}]},
                                            {"role": "tool", "tool_call_id": "call_1", "content": "12°C, light rain"},
                                            {"role": "user", "content": "Should I take an umbrella?"}],
            "tools": [{"type": "function", "function": {"name": "get_weather"}}]},
           deployment="gpt-4o", parent="weather-assistant", path=["weather-assistant", "gpt-4o"],
           upstream="https://eastus.api.cognitive.microsoft.com/openai/deployments/gpt-4o/chat/completions",
           assembled=chat_response("chatcmpl-AQ3", "Yes — light rain is expected, so take an umbrella."),
           usage=usage(118, 14, cached=64, price=0.000295, deployment_price=0.000295),
           trace=trace("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", "53995c3f42cd8ad8")),
    record("/openai/deployments/weather-assistant/chat/completions", "2024-11-22T09:15:05.480",
           {"messages": [{"role": "user", "content": "Should I take an umbrella in Berlin today?"}]},
           deployment="weather-assistant", path=["weather-assistant"],
           assembled=chat_response("chatcmpl-AQ4", "Yes — light rain is expected, so take an umbrella.", model="weather-assistant"),
           usage=usage(118, 14, price=0.000512, deployment_price=0.000217),
           trace=trace("4bf92f3577b34da6a3ce929d0e0e4736", "53995c3f42cd8ad8")),
    # non-English conversation, reasoning tokens, a title with a comma and spaces
    record("/openai/deployments/o3-mini/chat/completions", "2024-11-22T09:16:11.907",
           {"model": "o3-mini", "messages": [{"role": "user", "content": "Longtemps, je me suis couché de bonne heure. Qui a écrit cela ?"}]},
           deployment="o3-mini", title="Lead, Research & Development", project="équipe-paris",
           assembled=chat_response("chatcmpl-AQ5", "C'est la première phrase de « Du côté de chez Swann » de Marcel Proust."),
           usage=usage(31, 412, reasoning=384, price=0.0018469, deployment_price=0.0018469),
           trace=trace("d4cda95b652f4a1592b449d5929fda1b", "6e0c63257de34c92")),
    record("/openai/deployments/text-embedding-3-small/embeddings", "2024-11-22T09:16:20.000",
           {"input": ["invoice 2024-11 overdue", "customer asks for refund"], "model": "text-embedding-3-small"},
           deployment="text-embedding-3-small", chat="", upstream="https://eastus.api.cognitive.microsoft.com/openai/deployments/text-embedding-3-small/embeddings",
           response_body=json.dumps({"object": "list", "data": [{"index": 0, "embedding": [0.01, -0.02]}, {"index": 1, "embedding": [0.03, 0.04]}],
                                     "model": "text-embedding-3-small", "usage": {"prompt_tokens": 11, "total_tokens": 11}}),
           usage={"prompt_tokens": 11, "total_tokens": 11, "deployment_price": 2.2e-07, "price": 2.2e-07},
           trace=trace("8f3c2a1b0d9e4f5a6b7c8d9e0f1a2b3c", "1a2b3c4d5e6f7a8b")),
    record("/v1/gpt-4o/rate", "2024-11-22T09:16:30.250", {"responseId": "chatcmpl-AQ1", "rate": True}, deployment="gpt-4o"),
    record("/v1/gpt-4o/rate", "2024-11-22T09:16:31.750", {"responseId": "chatcmpl-AQ3", "rate": False}, deployment="gpt-4o"),
    record("/v1/toolset/jira-tools/mcp", "2024-11-22T09:17:00.010",
           {"jsonrpc": "2.0", "id": 7, "method": "tools/call", "params": {"name": "search_issues", "arguments": {"jql": "project = DIAL"}}},
           deployment="jira-tools", parent="support-agent", path=["support-agent", "jira-tools"], upstream="http://jira-mcp.tools:8080/mcp",
           response_body="{\"jsonrpc\":\"2.0\",\"id\":7,\"result\":{\"content\":[]}}", trace=trace("2c5f9e1a7b3d4c6e8f0a1b2c3d4e5f60", "3d4e5f60718293a4", "4e5f60718293a4b5")),
    record("/v1/deployments/support-agent/mcp", "2024-11-22T09:17:00.500",
           {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}, deployment="support-agent", upstream="http://support-agent:5000/mcp"),
    record("/v1/deployments/support-agent/route/api/v2/tickets?status=open", "2024-11-22T09:17:10.000", "", deployment="support-agent",
           method="GET", upstream="http://support-agent:5000/api/v2/tickets?status=open", path=["support-agent"]),
    record("/openai/v1/responses", "2024-11-22T09:18:00.000",
           {"model": "gpt-5", "input": [{"role": "developer", "content": [{"type": "input_text", "text": "Answer in one sentence."}]},
                                        {"role": "user", "content": "Why is the sky blue?"}], "reasoning": {"effort": "low"}},
           deployment="gpt-5", upstream="https://api.openai.com/v1/responses",
           assembled={"id": "resp_68a1", "object": "response", "model": "gpt-5", "status": "completed",
                      "output": [{"id": "rs_1", "type": "reasoning", "summary": [{"type": "summary_text", "text": "Rayleigh scattering."}], "content": []},
                                 {"id": "msg_1", "type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Shorter blue wavelengths scatter more in the atmosphere (Rayleigh scattering)."}]}],
                      "usage": {"input_tokens": 25, "output_tokens": 80, "total_tokens": 105}},
           usage=usage(25, 80, reasoning=64, price=0.00083125, deployment_price=0.00083125),
           trace=trace("7be2f0d1c3a4b5968778695a4b3c2d1e", "5a4b3c2d1e0f9a8b")),
    record("/anthropic/v1/messages", "2024-11-22T09:18:30.000",
           {"model": "claude-sonnet-4", "max_tokens": 1024, "system": "You are a code reviewer.",
            "messages": [{"role": "user", "content": [{"type": "text", "text": "Is `x = x++` defined in C?"}]}]},
           deployment="claude-sonnet-4", upstream="https://api.anthropic.com/v1/messages",
           assembled={"id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": "claude-sonnet-4",
                      "content": [{"type": "thinking", "thinking": "sequence points...", "signature": "sig"},
                                  {"type": "text", "text": "No: it modifies x twice without a sequence point, so the behaviour is undefined."}],
                      "stop_reason": "end_turn", "usage": {"input_tokens": 40, "cache_read_input_tokens": 0, "output_tokens": 60}},
           usage=usage(40, 60, cache_write=40, price=0.00102, deployment_price=0.00102),
           trace=trace("a1b2c3d4e5f60718293a4b5c6d7e8f90", "9f8e7d6c5b4a3928")),
    # an upstream error: no point
    record("/openai/deployments/gpt-4o/chat/completions", "2024-11-22T09:19:00.000",
           {"model": "gpt-4o", "messages": [{"role": "user", "content": "hello"}]}, deployment="gpt-4o", status="429",
           response_body="{\"error\":{\"code\":\"429\",\"message\":\"Rate limit exceeded\"}}"),
    # an endpoint the analytics do not cover: no point, a warning
    record("/openai/deployments/dall-e-3/images/generations", "2024-11-22T09:19:10.000",
           {"prompt": "a lighthouse"}, deployment="dall-e-3"),
    # an invalid request body: logged, the point is still written without request data
    record("/openai/deployments/gpt-4o/chat/completions", "2024-11-22T09:19:20.000",
           "{\"model\": \"gpt-4o\", \"messages\": [", deployment="gpt-4o",
           assembled=chat_response("chatcmpl-AQ9", "Sorry, could you repeat?"), usage=usage(3, 6, price=0.00007, deployment_price=0.00007)),
]

events = [{"file": "/app/log/aidial.log", "host": "dial-core-7d9f", "message": json.dumps(r, ensure_ascii=False),
           "source_type": "file", "timestamp": "2024-11-22T09:20:00.%06dZ" % i} for i, r in enumerate(records)]
# Two broken events, as a real stream may carry: not an object, and a message that is not JSON.
events.insert(6, "not an event")
events.insert(12, {"message": "{\"request\": {\"uri\": \"/openai/deployments/gpt-4o/chat/completions\""})

data = ROOT / "examples" / "data"
data.mkdir(parents=True, exist_ok=True)
(data / "vector-batch.json").write_text(json.dumps(events, ensure_ascii=False, indent=1) + "\n")
(data / "prompts.log").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
replay = ROOT / "tests" / "data" / "replay"
replay.mkdir(parents=True, exist_ok=True)
(replay / "vector_batch.input").write_text(json.dumps(events, ensure_ascii=False) + "\n")
(replay / "vector_batch.args").write_text("--deterministic-ids --topic-model echo\n")
(replay / "prompts_log.input").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records))
(replay / "prompts_log.args").write_text("--deterministic-ids\n")

# Chats on several topics and in several languages, for the demo's language and topic summary.
CHATS = [
    ("en", "How long should I roast a whole chicken with lemon and garlic?", "About 80 minutes at 200 °C, until the juices run clear; rest it for ten minutes before carving."),
    ("en", "My Python script crashes with a KeyError when I read the config file, how do I debug it?", "Print the keys you actually load, and use dict.get with a default for optional settings."),
    ("en", "Which telescope should a beginner buy to see the rings of Saturn?", "A 70–90 mm refractor or a 130 mm reflector shows the rings clearly on a steady night."),
    ("en", "Should I pay off my credit card debt before investing in an index fund?", "Usually yes: card interest is far higher than the expected return of an index fund."),
    ("en", "How often should I water tomato plants in pots during a hot summer?", "Daily, early in the morning, and twice on very hot days; check that the soil is moist."),
    ("en", "How do I stop my puppy from biting my hands when we play?", "Stop the game when teeth touch skin and offer a chew toy instead; be consistent."),
    ("en", "What should I pack for a one week hiking trip in the Alps in October?", "Layers, a waterproof jacket, warm hat and gloves, good boots and a map of the huts."),
    ("en", "How can I improve my marathon time in sixteen weeks of training?", "Add one tempo run and one long run a week, and increase the distance gradually."),
    ("de", "Wie lange muss ich Kartoffeln kochen, damit sie für Kartoffelsalat fest bleiben?", "Etwa zwanzig Minuten in Salzwasser, dann abgießen und gut ausdampfen lassen."),
    ("fr", "Pouvez-vous m'expliquer pourquoi Pluton n'est plus considérée comme une planète ?", "Depuis 2006, une planète doit avoir fait le ménage sur son orbite, ce que Pluton n'a pas fait."),
    ("es", "¿Cuál es la mejor manera de ahorrar dinero cada mes con un sueldo pequeño?", "Aparta una cantidad fija el día de cobro y revisa tus gastos fijos cada trimestre."),
    ("it", "Come posso insegnare al mio cane a camminare al guinzaglio senza tirare?", "Fermati ogni volta che tira e premialo quando il guinzaglio resta morbido."),
    ("ru", "Посоветуйте, пожалуйста, как правильно ухаживать за орхидеей после цветения.", "Обрежьте цветонос над почкой, поливайте умеренно и держите растение в светлом месте."),
    ("zh", "请问初学者学习吉他应该先练习哪些和弦？每天练习多长时间比较合适？", "先练习C、G、D、Em和Am和弦，每天练习二十到三十分钟，坚持比时长更重要。"),
]
chat_records = []
for i, (_, question, answer) in enumerate(CHATS):
    chat_records.append(record(
        "/openai/deployments/gpt-4o-mini/chat/completions", "2024-11-22T10:%02d:00.000" % i,
        {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": question}]},
        deployment="gpt-4o-mini", chat="c-demo-%02d" % i, user="u-%02d" % (i % 5),
        upstream="https://eastus.api.cognitive.microsoft.com/openai/deployments/gpt-4o-mini/chat/completions",
        assembled=chat_response("chatcmpl-D%02d" % i, answer, model="gpt-4o-mini-2024-07-18"),
        usage=usage(20 + i, 30 + 2 * i, price=0.00002 + i * 0.000001, deployment_price=0.00002 + i * 0.000001),
        trace=trace("%032x" % (0xd1a1 + i), "%016x" % (0xc0de + i)), path=["gpt-4o-mini"]))
chat_events = [{"file": "/app/log/aidial.log", "host": "dial-core-7d9f", "message": json.dumps(r, ensure_ascii=False),
                "source_type": "file", "timestamp": "2024-11-22T10:20:00.%06dZ" % i} for i, r in enumerate(chat_records)]
(data / "chats-batch.json").write_text(json.dumps(chat_events, ensure_ascii=False, indent=1) + "\n")

# Records without Core prices for `replay --model-rates` (docs/pricing.md): a three-level trace
# logged child-first (model → research app → portal app), cached and tiered tokens, a character
# rate, a model without a rate, and a Core-priced record that must stay as it is.
RATES = {
    "gpt-4o-mini": {"prompt_price": "0.00000015", "cached_prompt_price": "0.000000075", "completion_price": "0.0000006"},
    "research-agent": {"prompt_price": "0.000001", "completion_price": "0"},
    "claude-sonnet-4": {"prompt_price": "0.000003", "cached_prompt_price": "0.0000003",
                        "cache_write_prompt_price": "0.00000375", "completion_price": "0.000015",
                        "tiers": [{"above_prompt_tokens": 200000, "prompt_price": "0.000006", "completion_price": "0.0000225"}]},
    "chat-bison@001": {"unit": "char_without_whitespace", "prompt_price": "0.0000005", "completion_price": "0.0000005"},
}
T3 = "7d1e0c9a4b3f2e1d0c9b8a7f6e5d4c3b"
def unpriced(u):
    return {k: v for k, v in u.items() if k not in ("price", "deployment_price")}
rate_records = [
    record("/openai/deployments/gpt-4o-mini/chat/completions", "2024-11-22T11:00:00.100",
           {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "Summarise the incident report."}]},
           deployment="gpt-4o-mini", parent="research-agent", path=["portal", "research-agent", "gpt-4o-mini"],
           assembled=chat_response("chatcmpl-R1", "Two services were down for 12 minutes.", model="gpt-4o-mini"),
           usage=unpriced(usage(1200, 40, cached=1000)), trace=trace(T3, "c1c1c1c1c1c1c1c1", "b2b2b2b2b2b2b2b2")),
    record("/openai/deployments/research-agent/chat/completions", "2024-11-22T11:00:00.900",
           {"messages": [{"role": "user", "content": "What happened last night?"}]},
           deployment="research-agent", parent="portal", path=["portal", "research-agent"],
           assembled=chat_response("chatcmpl-R2", "Two services were down for 12 minutes.", model="research-agent"),
           usage=unpriced(usage(1300, 40)), trace=trace(T3, "b2b2b2b2b2b2b2b2", "a3a3a3a3a3a3a3a3")),
    record("/openai/deployments/portal/chat/completions", "2024-11-22T11:00:01.200",
           {"messages": [{"role": "user", "content": "What happened last night?"}]},
           deployment="portal", path=["portal"],
           assembled=chat_response("chatcmpl-R3", "Two services were down for 12 minutes.", model="portal"),
           usage=unpriced(usage(1300, 40)), trace=trace(T3, "a3a3a3a3a3a3a3a3")),
    record("/openai/deployments/claude-sonnet-4/chat/completions", "2024-11-22T11:01:00.000",
           {"model": "claude-sonnet-4", "messages": [{"role": "user", "content": "Review this contract."}]},
           deployment="claude-sonnet-4", assembled=chat_response("chatcmpl-R4", "It looks standard.", model="claude-sonnet-4"),
           usage=unpriced(usage(250000, 1000, cached=200000, cache_write=10000)), trace=trace("e" * 32, "d4d4d4d4d4d4d4d4")),
    record("/openai/deployments/chat-bison@001/chat/completions", "2024-11-22T11:02:00.000",
           {"messages": [{"role": "user", "content": "hi"}]}, deployment="chat-bison@001",
           assembled=chat_response("chatcmpl-R5", "hello", model="chat-bison@001"),
           usage=unpriced(usage(2, 1)), trace=trace("f" * 32, "e5e5e5e5e5e5e5e5")),
    record("/openai/deployments/llama-local/chat/completions", "2024-11-22T11:03:00.000",
           {"messages": [{"role": "user", "content": "ping"}]}, deployment="llama-local",
           assembled=chat_response("chatcmpl-R6", "pong", model="llama-local"),
           usage=unpriced(usage(5, 1)), trace=trace("1" * 32, "f6f6f6f6f6f6f6f6")),
    record("/openai/deployments/gpt-4o-mini/chat/completions", "2024-11-22T11:04:00.000",
           {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "ping"}]}, deployment="gpt-4o-mini",
           assembled=chat_response("chatcmpl-R7", "pong", model="gpt-4o-mini"),
           usage=usage(5, 1, price=0.0000042, deployment_price=0.0000042), trace=trace("2" * 32, "a7a7a7a7a7a7a7a7")),
]
(replay / "model_rates.input").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rate_records))
(replay / "model_rates.rates.json").write_text(json.dumps(RATES, indent=1) + "\n")
(replay / "model_rates.args").write_text("--deterministic-ids --language none --model-rates @DATA@/model_rates.rates.json\n")
