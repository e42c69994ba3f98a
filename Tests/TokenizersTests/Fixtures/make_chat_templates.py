"""Renders conversations with the real chat templates of the Loom test models (jinja2, as Hugging Face
transformers does: trim_blocks, lstrip_blocks, tojson = json.dumps(ensure_ascii=False)) and writes
chat-templates.json (with the template texts themselves, so tests need only the models CI pulls). Usage: python3 make_chat_templates.py MODELS_DIR > chat-templates.json
Needs: pip install jinja2. The GGUF metadata is read by a few lines below (no gguf package needed)."""
import json
import struct
import sys

from jinja2.sandbox import ImmutableSandboxedEnvironment


def gguf_metadata(path):
    data = open(path, "rb").read(64 << 20)
    pos = [4]

    def read(fmt):
        value = struct.unpack_from("<" + fmt, data, pos[0])
        pos[0] += struct.calcsize(fmt)
        return value[0]

    def string():
        n = read("Q")
        pos[0] += n
        return data[pos[0] - n:pos[0]].decode()

    scalar = {0: "B", 1: "b", 2: "H", 3: "h", 4: "I", 5: "i", 6: "f", 7: "?", 10: "Q", 11: "q", 12: "d"}

    def value(kind):
        if kind == 8:
            return string()
        if kind == 9:
            inner, n = read("I"), read("Q")
            return [value(inner) for _ in range(n)]
        return read(scalar[kind])

    read("I"), read("Q")
    return {string(): value(read("I")) for _ in range(read("Q"))}


MODELS = {
    "qwen2.5-coder-0.5b": "qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
    "qwen2.5-coder-1.5b": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "smollm2-135m": "smollm2-135m-instruct-q4_1.gguf",
}
# Object keys are written sorted: Loom's JSONValue objects have no order of their own.
TOOLS = [{"type": "function", "function": {"name": "evaluate", "description": "Evaluate a math expression \u2014 exactly.",
          "parameters": {"properties": {"expression": {"description": "e.g. 2+2", "type": "string"}},
                         "required": ["expression"], "type": "object"}}}]
CONVERSATIONS = {
    "user_only": ([{"role": "user", "content": "What is 17 * 24?"}], []),
    "system_user": ([{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi <|im_end|> there"}], []),
    "multi_turn": ([{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"}, {"role": "user", "content": "c"}], []),
    "tools": ([{"role": "user", "content": "Compute 2^10."},
               {"role": "assistant", "content": "", "tool_calls": [{"name": "evaluate", "arguments": {"expression": "2^10"}}]},
               {"role": "tool", "content": "1024"}, {"role": "tool", "content": "second"},
               {"role": "assistant", "content": "It is 1024."}, {"role": "user", "content": "Thanks"}], TOOLS),
    "tools_system": ([{"role": "system", "content": "You are Loom."}, {"role": "user", "content": "x"},
                      {"role": "assistant", "content": "Let me check.", "tool_calls": [
                          {"name": "evaluate", "arguments": {"digits": 20, "exact": True, "expression": "1/3", "note": "\u00e9\n\"q\""}}]}],
                     TOOLS),
}


def main():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.filters["tojson"] = lambda x, **kw: json.dumps(x, ensure_ascii=False)
    out = {"conversations": {}, "rendered": {}, "templates": {}}
    for name, (messages, tools) in CONVERSATIONS.items():
        out["conversations"][name] = {"messages": messages, "tools": tools}
    for model, file in MODELS.items():
        text = gguf_metadata(sys.argv[1] + "/" + file)["tokenizer.chat_template"]
        out["templates"][model] = text
        template = env.from_string(text)
        for name, (messages, tools) in CONVERSATIONS.items():
            jinja_messages = [dict(m, tool_calls=[{"type": "function", "function": c} for c in m["tool_calls"]])
                              if "tool_calls" in m else m for m in messages]
            out["rendered"][model + "/" + name] = template.render(messages=jinja_messages, tools=tools or None,
                                                                 add_generation_prompt=True)
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)
    print()


main()
