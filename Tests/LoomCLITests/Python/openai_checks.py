"""Checks of `loom serve` through the official openai Python client (and the standard library's
http.client for what that client cannot send: malformed JSON, an oversized body, an unknown route,
a connection closed in the middle of a stream).

Run one check: python3 openai_checks.py CHECK --base-url http://127.0.0.1:PORT/v1 --model NAME.
A check that fails raises and exits non-zero; the Swift test reports its output.
"""
import argparse
import http.client
import json
import sys
import threading
import time
import urllib.parse

import openai
from openai import OpenAI

WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather in a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city, e.g. Paris"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
CLOCK = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Get the current time in a time zone.",
        "parameters": {
            "type": "object",
            "properties": {"timezone": {"type": "string", "description": "IANA name, e.g. Europe/Paris"}},
            "required": ["timezone"],
        },
    },
}
PERSON = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "age": {"type": "integer"},
        "colour": {"type": "string", "enum": ["red", "green", "blue"]},
        "pets": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
    },
    "required": ["name", "age", "colour", "pets"],
    "additionalProperties": False,
}
SKY = [{"role": "system", "content": "You are a helpful assistant."},
       {"role": "user", "content": "Name one colour the sky can have."}]


def client(args, key=None):
    return OpenAI(base_url=args.base_url, api_key=key or args.api_key or "unused", max_retries=0, timeout=600)


class Raw:
    """A reply read with http.client: status and body."""

    def __init__(self, status, body):
        self.status_code, self.text = status, body.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.text)


def connection(args):
    url = urllib.parse.urlsplit(args.base_url)
    return http.client.HTTPConnection(url.hostname, url.port, timeout=600), url.path


def raw(args, method, path, body=None, key=True):
    """One request outside the openai client; `path` is relative to the base URL (or absolute with '/')."""
    conn, base = connection(args)
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {args.api_key or 'unused'}"
    try:
        conn.request(method, path if path.startswith("/") else f"{base}/{path}", body=body, headers=headers)
        reply = conn.getresponse()
        return Raw(reply.status, reply.read())
    finally:
        conn.close()


class OpenStream:
    """A streamed completion left open; `close` ends it as a client that goes away does."""

    def __init__(self, conn, reply):
        self.conn, self.reply = conn, reply

    def close(self):
        self.reply.close()
        self.conn.close()


def stream_until_content(args, body):
    """Opens a streamed completion, reads until the first content delta, and returns it still open
    (the reply holds the socket: with `Connection: close` the connection object lets go of it)."""
    conn, base = connection(args)
    conn.request("POST", f"{base}/chat/completions", body=json.dumps(body),
                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {args.api_key or 'unused'}"})
    reply = conn.getresponse()
    assert reply.status == 200, reply.read()
    while True:
        line = reply.fp.readline().decode()
        assert line, "the stream ended before any content"
        if line.startswith("data: ") and '"content":"' in line and '"content":""' not in line:
            return OpenStream(conn, reply)


def health(args):
    response = raw(args, "GET", "/health", key=False)
    assert response.status_code == 200, response.text
    return response.json()


def wait_idle(args):
    """Waits (bounded) until no model is generating or has requests waiting."""
    for _ in range(1200):
        if all(not m["running"] and m["waiting"] == 0 for m in health(args)["models"]):
            return
        time.sleep(0.1)
    raise AssertionError(f"the server stayed busy: {health(args)}")


def still_answers(args):
    """The server is up and generates after whatever came before."""
    health(args)
    answer = client(args).chat.completions.create(model=args.model, messages=SKY, max_tokens=2, temperature=0)
    assert answer.choices[0].finish_reason in ("stop", "length"), answer


def check_chat(args):
    c = client(args)
    first = c.chat.completions.create(model=args.model, messages=SKY, max_tokens=24, temperature=0)
    choice = first.choices[0]
    assert first.object == "chat.completion" and first.model == args.model, first
    assert first.id.startswith("chatcmpl-"), first.id
    assert choice.message.role == "assistant" and choice.message.content.strip(), choice
    assert choice.message.tool_calls is None, choice
    assert choice.finish_reason in ("stop", "length"), choice
    usage = first.usage
    assert usage.prompt_tokens > 0 and 0 < usage.completion_tokens <= 24, usage
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens, usage
    # The same request again: greedy gives the same answer, and the prompt's keys and values are reused.
    second = c.chat.completions.create(model=args.model, messages=SKY, max_tokens=24, temperature=0)
    assert second.choices[0].message.content == choice.message.content, (second, first)
    assert second.usage.prompt_tokens == usage.prompt_tokens, second.usage
    assert second.usage.prompt_tokens_details.cached_tokens > 0, second.usage
    models = [m.id for m in c.models.list().data]
    assert args.model in models, models
    # Sampling settings are honoured: a seeded sample is reproducible.
    sampled = [c.chat.completions.create(model=args.model, messages=SKY, max_tokens=16, temperature=1.2, top_p=0.95,
                                         seed=7).choices[0].message.content for _ in range(2)]
    assert sampled[0] == sampled[1], sampled
    # A stop string ends the answer before it.
    stopped = c.chat.completions.create(model=args.model, messages=SKY, max_tokens=24, temperature=0,
                                        stop=[choice.message.content.strip()[1:3]])
    assert choice.message.content.strip()[1:3] not in stopped.choices[0].message.content, stopped
    assert stopped.choices[0].finish_reason == "stop", stopped
    print(json.dumps({"content": choice.message.content, "usage": usage.model_dump()}))


def check_stream(args):
    c = client(args)
    whole = c.chat.completions.create(model=args.model, messages=SKY, max_tokens=24, temperature=0)
    chunks = list(c.chat.completions.create(model=args.model, messages=SKY, max_tokens=24, temperature=0, stream=True,
                                            stream_options={"include_usage": True}))
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks), chunks
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks if chunk.choices)
    assert text == whole.choices[0].message.content, (text, whole)
    pieces = [chunk for chunk in chunks if chunk.choices and chunk.choices[0].delta.content]
    assert len(pieces) > 1, "the answer came in one piece"
    finishes = [chunk.choices[0].finish_reason for chunk in chunks if chunk.choices and chunk.choices[0].finish_reason]
    assert finishes == [whole.choices[0].finish_reason], finishes
    assert chunks[-1].choices == [] and chunks[-1].usage is not None, chunks[-1]
    assert chunks[-1].usage.completion_tokens == whole.usage.completion_tokens, (chunks[-1].usage, whole.usage)
    plain = list(c.chat.completions.create(model=args.model, messages=SKY, max_tokens=4, temperature=0, stream=True))
    assert all(chunk.usage is None for chunk in plain), "usage without include_usage"


def check_tool_auto(args):
    c = client(args)
    messages = [{"role": "user", "content": "What is the weather like in Paris right now?"}]
    first = c.chat.completions.create(model=args.model, messages=messages, tools=[WEATHER, CLOCK], temperature=0,
                                      max_tokens=128)
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.id.startswith("call_"), call
    assert call.function.name == "get_weather", call
    arguments = json.loads(call.function.arguments)
    assert "paris" in arguments["city"].lower(), arguments
    # The tool's result goes back; the conversation goes on.
    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps({"temperature_c": 18, "sky": "cloudy"})})
    second = c.chat.completions.create(model=args.model, messages=messages, tools=[WEATHER, CLOCK], temperature=0,
                                       max_tokens=64)
    assert second.choices[0].finish_reason in ("stop", "tool_calls", "length"), second
    # Without tool use the same question is answered in text.
    plain = c.chat.completions.create(model=args.model, messages=messages[:1], tools=[WEATHER, CLOCK], tool_choice="none",
                                      temperature=0, max_tokens=16)
    assert plain.choices[0].message.tool_calls is None and plain.choices[0].message.content, plain
    # With a response format as well, a model that opens a call at once still calls: the same call.
    report_format = {"type": "json_schema", "json_schema": {"name": "report", "strict": True, "schema": {
        "type": "object", "properties": {"city": {"type": "string"}, "sky": {"type": "string"}},
        "required": ["city", "sky"], "additionalProperties": False}}}
    formatted = c.chat.completions.create(model=args.model, messages=messages[:1], tools=[WEATHER, CLOCK],
                                          response_format=report_format, temperature=0, max_tokens=128)
    assert formatted.choices[0].finish_reason == "tool_calls", formatted
    assert formatted.choices[0].message.tool_calls[0].function.arguments == call.function.arguments, formatted
    # Once the result is in, an answer that is not a call is the format's JSON.
    reported = c.chat.completions.create(model=args.model, messages=messages, tools=[WEATHER, CLOCK],
                                         response_format=report_format, temperature=0, max_tokens=64)
    if reported.choices[0].finish_reason != "tool_calls":
        assert set(json.loads(reported.choices[0].message.content)) == {"city", "sky"}, reported
    print(json.dumps({"call": call.model_dump(), "answer": second.choices[0].message.content,
                      "formatted": reported.choices[0].message.content}))


def valid_call(call):
    arguments = json.loads(call.function.arguments)
    assert isinstance(arguments, dict), arguments
    if call.function.name == "get_weather":
        assert isinstance(arguments["city"], str), arguments
        assert set(arguments) <= {"city", "unit"}, arguments
        assert arguments.get("unit", "celsius") in ("celsius", "fahrenheit"), arguments
    else:
        assert call.function.name == "get_time", call
        assert isinstance(arguments["timezone"], str) and set(arguments) == {"timezone"}, arguments
    return arguments


def check_required(args):
    c = client(args)
    answer = c.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "Hello there!"}],
                                       tools=[WEATHER, CLOCK], tool_choice="required", temperature=0, max_tokens=96)
    choice = answer.choices[0]
    assert choice.finish_reason == "tool_calls", choice
    assert choice.message.tool_calls, choice
    for call in choice.message.tool_calls:
        valid_call(call)
    ids = [call.id for call in choice.message.tool_calls]
    assert len(set(ids)) == len(ids), ids
    single = c.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "Hello there!"}],
                                       tools=[WEATHER, CLOCK], tool_choice="required", parallel_tool_calls=False,
                                       temperature=0, max_tokens=96)
    assert len(single.choices[0].message.tool_calls) == 1, single


def check_named(args):
    c = client(args)
    answer = c.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "What is the weather in Oslo?"}],
                                       tools=[WEATHER, CLOCK], tool_choice={"type": "function", "function": {"name": "get_time"}},
                                       temperature=0, max_tokens=96)
    calls = answer.choices[0].message.tool_calls
    assert len(calls) == 1 and calls[0].function.name == "get_time", calls
    valid_call(calls[0])


def check_stream_tool(args):
    c = client(args)
    request = dict(model=args.model, messages=[{"role": "user", "content": "What time is it in Tokyo?"}],
                   tools=[WEATHER, CLOCK], tool_choice={"type": "function", "function": {"name": "get_time"}},
                   temperature=0, max_tokens=96)
    whole = c.chat.completions.create(**request)
    calls, finish = {}, None
    for chunk in c.chat.completions.create(stream=True, **request):
        if not chunk.choices:
            continue
        finish = chunk.choices[0].finish_reason or finish
        for delta in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(delta.index, {"id": None, "name": None, "arguments": "", "pieces": 0})
            if delta.id:
                entry["id"] = delta.id
            if delta.function and delta.function.name:
                entry["name"] = delta.function.name
            if delta.function and delta.function.arguments:
                entry["arguments"] += delta.function.arguments
                entry["pieces"] += 1
    assert finish == "tool_calls", finish
    assert list(calls) == [0], calls
    streamed = calls[0]
    expected = whole.choices[0].message.tool_calls[0]
    assert streamed["id"] and streamed["name"] == expected.function.name, (streamed, expected)
    assert json.loads(streamed["arguments"]) == json.loads(expected.function.arguments), (streamed, expected)
    assert streamed["arguments"] == expected.function.arguments, (streamed, expected)
    print(json.dumps(streamed))


def check_json_schema(args):
    c = client(args)
    for seed in (1, 2):
        answer = c.chat.completions.create(
            model=args.model, messages=[{"role": "user", "content": "Invent a person with a favourite colour and pets."}],
            response_format={"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON, "strict": True}},
            temperature=0.8, seed=seed, max_tokens=120)
        person = json.loads(answer.choices[0].message.content)
        assert set(person) == {"name", "age", "colour", "pets"}, person
        assert isinstance(person["name"], str) and isinstance(person["age"], int), person
        assert person["colour"] in ("red", "green", "blue"), person
        assert isinstance(person["pets"], list) and len(person["pets"]) <= 3, person
        assert all(isinstance(pet, str) for pet in person["pets"]), person
    anything = c.chat.completions.create(model=args.model, messages=[{"role": "user", "content": "Describe a cat."}],
                                         response_format={"type": "json_object"}, temperature=0, max_tokens=60)
    assert isinstance(json.loads(anything.choices[0].message.content), dict), anything


def check_concurrent(args):
    c = client(args)
    prompts = ["Name a fruit.", "Name a planet."]
    alone = [c.chat.completions.create(model=args.model, messages=[{"role": "user", "content": p}], max_tokens=16,
                                       temperature=0).choices[0].message.content for p in prompts]
    results, errors = [None, None], []

    def ask(index):
        try:
            results[index] = c.chat.completions.create(model=args.model, messages=[{"role": "user", "content": prompts[index]}],
                                                       max_tokens=16, temperature=0).choices[0].message.content
        except Exception as error:  # reported below
            errors.append(repr(error))

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert results == alone, (results, alone)


def check_disconnect(args):
    body = {"model": args.model, "messages": [{"role": "user", "content": "Count from 1 to 1000, one number a line."}],
            "max_tokens": 1500, "temperature": 0, "stream": True}
    stream_until_content(args, body).close()
    # The connection is closed: the generation stops, the server goes on.
    wait_idle(args)
    still_answers(args)


def check_agent(args):
    """A whole agent as the model: the steps stream as reasoning, the answer as content, the trace is named."""
    question = "A train runs at 84 km/h for 3.5 hours and then at 60 km/h for 2 hours. How many kilometres does it cover?"
    steps, content, trace, finish = "", "", None, None
    for chunk in client(args).chat.completions.create(model=args.model, messages=[{"role": "user", "content": question}],
                                                      stream=True):
        trace = (getattr(chunk, "loom", None) or {}).get("trace", trace)
        if chunk.choices:
            delta = chunk.choices[0].delta
            steps += getattr(delta, "reasoning_content", None) or ""
            content += delta.content or ""
            finish = chunk.choices[0].finish_reason or finish
    assert "plan:" in steps and "evaluate" in steps, steps
    assert "414" in content, content  # 84 * 3.5 + 60 * 2
    assert finish == "stop" and trace, (finish, trace)
    # The page lists the run and shows it as `loom trace html` does.
    name = trace.rsplit("/", 1)[-1]
    page = raw(args, "GET", "/", key=False)
    assert page.status_code == 200 and "<title>Loom</title>" in page.text, page.text[:200]
    runs = raw(args, "GET", "/runs").json()["runs"]
    assert name in [run["name"] for run in runs], runs
    shown = raw(args, "GET", "/runs/" + name)
    assert shown.status_code == 200 and "<title>Loom trace</title>" in shown.text, shown.text[:200]
    expect_raw(raw(args, "GET", "/runs/..%2F..%2Fetc%2Fpasswd"), 404, "run_not_found")
    print(json.dumps({"trace": trace, "answer": content}))


def expect_error(call, status, code=None):
    try:
        call()
    except openai.APIStatusError as error:
        assert error.status_code == status, (error.status_code, error.response.text)
        body = error.response.json()["error"]
        assert body["message"] and body["type"], body
        if code:
            assert body["code"] == code, body
        return body
    raise AssertionError(f"expected HTTP {status}")


def expect_raw(response, status, code=None):
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()["error"]
    assert body["message"] and body["type"], body
    if code:
        assert body["code"] == code, body
    return body


def check_errors(args):
    c = client(args)
    user = [{"role": "user", "content": "Hi"}]
    cases = {
        "unknown model": lambda: expect_error(lambda: c.chat.completions.create(model="no-such-model", messages=user), 404,
                                              "model_not_found"),
        "malformed JSON": lambda: expect_raw(raw(args, "POST", "chat/completions", b'{"model": "x", "messages": ['),
                                             400, "invalid_json"),
        "not an object": lambda: expect_raw(raw(args, "POST", "chat/completions", b'[1, 2]'), 400),
        "50 MB body": lambda: expect_raw(raw(args, "POST", "chat/completions", b'{"padding": "' + b"x" * (50 << 20) + b'"}'),
                                         413, "request_too_large"),
        "unknown tool in tool_choice": lambda: expect_error(lambda: c.chat.completions.create(
            model=args.model, messages=user, tools=[WEATHER],
            tool_choice={"type": "function", "function": {"name": "launch_rocket"}}), 400, "unknown_tool"),
        "tool message first": lambda: expect_error(lambda: c.chat.completions.create(
            model=args.model, messages=[{"role": "tool", "tool_call_id": "call_1", "content": "18"}] + user), 400,
            "messages_out_of_order"),
        "unanswered tool call": lambda: expect_error(lambda: c.chat.completions.create(
            model=args.model, messages=user + [
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
                {"role": "user", "content": "And?"}], tools=[WEATHER]), 400, "messages_out_of_order"),
        "unsatisfiable schema": lambda: expect_error(lambda: c.chat.completions.create(
            model=args.model, messages=user, response_format={"type": "json_schema", "json_schema": {
                "name": "never", "strict": True, "schema": {"type": "object", "properties": {"a": {"enum": []}},
                                                           "required": ["a"]}}}), 400, "unsatisfiable_schema"),
        "max_tokens over the cap": lambda: expect_error(lambda: c.chat.completions.create(
            model=args.model, messages=user, max_tokens=10_000_000), 400),
        "unknown role": lambda: expect_error(lambda: c.chat.completions.create(
            model=args.model, messages=[{"role": "robot", "content": "beep"}]), 400),
        "unknown route": lambda: expect_raw(raw(args, "GET", "no-such-route"), 404),
    }
    for name, case in cases.items():
        try:
            case()
            still_answers(args)
        except Exception as error:
            raise AssertionError(f"{name}: {error!r}") from error


def check_auth(args):
    expect_error(lambda: client(args, key="wrong").chat.completions.create(
        model=args.model, messages=SKY, max_tokens=2), 401, "invalid_api_key")
    missing = raw(args, "POST", "chat/completions", json.dumps({"model": args.model, "messages": SKY}), key=False)
    expect_raw(missing, 401)
    expect_error(lambda: client(args, key="wrong").models.list(), 401)
    expect_raw(raw(args, "GET", "/runs", key=False), 401)
    health(args)
    still_answers(args)


def check_busy(args):
    """With no room to wait, a request that arrives while another generates is turned away (429)."""
    body = {"model": args.model, "messages": [{"role": "user", "content": "Count from 1 to 1000, one number a line."}],
            "max_tokens": 1500, "temperature": 0, "stream": True}
    running = stream_until_content(args, body)
    try:
        expect_error(lambda: client(args).chat.completions.create(model=args.model, messages=SKY, max_tokens=2),
                     429, "queue_full")
    finally:
        running.close()
    wait_idle(args)
    still_answers(args)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("check")
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--api-key")
    args = parser.parse_args()
    globals()["check_" + args.check](args)
    print("ok", args.check)


if __name__ == "__main__":
    sys.exit(main())
