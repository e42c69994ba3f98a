#!/usr/bin/env python3
"""Writes the seed corpora in Fuzz/Corpus/<target>/: small valid inputs of each kind, which libFuzzer
mutates. Run from the repository root: python3 Fuzz/Corpus/make-seeds.py. Inputs that fuzzing found
(crashes turned regression tests) are added by hand as regression-*.
"""
import json
import os
import struct

ROOT = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    os.makedirs(os.path.join(ROOT, target), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(ROOT, target, name), "wb") as f:
        f.write(data)


# --- GGUF (layout: Sources/GGUF/GGUFFile.swift) ---
def gguf_string(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def gguf_value(kind, value):
    scalar = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
    if kind == 8:
        return gguf_string(value)
    if kind == 9:
        element, items = value
        return struct.pack("<IQ", element, len(items)) + b"".join(gguf_value(element, v) for v in items)
    return struct.pack(scalar[kind], value)


def gguf(version, metadata, tensors, alignment=32):
    out = b"GGUF" + struct.pack("<IQQ", version, len(tensors), len(metadata))
    for key, kind, value in metadata:
        out += gguf_string(key) + struct.pack("<I", kind) + gguf_value(kind, value)
    offset = 0
    data = b""
    for name, dims, ggml_type, payload in tensors:
        out += gguf_string(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
        out += struct.pack("<IQ", ggml_type, offset)
        padded = payload + b"\0" * (-len(payload) % alignment)
        data += padded
        offset += len(padded)
    out += b"\0" * (-len(out) % alignment)
    return out + data


def byte_spelling(b):
    printable = lambda x: 0x21 <= x <= 0x7E or 0xA1 <= x <= 0xAC or 0xAE <= x <= 0xFF
    if printable(b):
        return chr(b)
    return chr(256 + sum(1 for x in range(b) if not printable(x)))


f32 = struct.pack("<4f", 1.0, -2.0, 0.5, 3.0)
basic = [("general.architecture", 8, "llama"), ("general.name", 8, "seed"), ("llama.block_count", 4, 1),
         ("llama.rope.freq_base", 6, 10000.0), ("flag", 7, True), ("big", 10, 1 << 40), ("neg", 11, -5),
         ("f64", 12, 0.25), ("u8", 0, 7), ("i8", 1, -7), ("u16", 2, 700), ("i16", 3, -700), ("i32", 5, -70000),
         ("list", 9, (5, [1, 2, 3])), ("names", 9, (8, ["a", "b"]))]
write("fuzz-gguf", "v3-tensors", gguf(3, basic, [("w", [4], 0, f32), ("h", [2, 2], 1, b"\0" * 8)]))
write("fuzz-gguf", "v2", gguf(2, basic[:3], [("w", [4], 0, f32)]))
write("fuzz-gguf", "aligned-64", gguf(3, [("general.alignment", 4, 64)], [("w", [4], 0, f32)], alignment=64))
tokens = [byte_spelling(b) for b in range(256)] + ["Ġt", "he", "<|im_start|>", "<|im_end|>"]
types = [1] * 258 + [3, 3]
chatml = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}")
write("fuzz-gguf", "tokenizer", gguf(3, [
    ("tokenizer.ggml.model", 8, "gpt2"), ("tokenizer.ggml.pre", 8, "qwen2"),
    ("tokenizer.ggml.tokens", 9, (8, tokens)), ("tokenizer.ggml.token_type", 9, (5, types)),
    ("tokenizer.ggml.merges", 9, (8, ["Ġ t", "h e"])), ("tokenizer.ggml.eos_token_id", 4, 259),
    ("tokenizer.chat_template", 8, chatml)], []))

# --- Tokenizer: a mode byte (bit 0: SmolLM rules, bit 1: parse special tokens), then text ---
for i, text in enumerate(["Hello world, the answer is 12345.", "it's they're I'LL\n\n  x\r\n\tend",
                          "<|im_start|>user\nhi<|im_end|><tool_call>", "naïve café 東京 🦙👍🏽 ١٢٣",
                          "    indented\n\n\nlines   ", "a\u0000b\u007f\u00a0c"]):
    write("fuzz-tokenizer", f"text-{i}", bytes([i % 4]) + text.encode())

# --- Manifests: "j" (JSON) or "y" (YAML), then the file ---
with open(os.path.join(ROOT, "../../Plugins/calc/manifest.json")) as f:
    write("fuzz-manifest", "calc.json", "j" + f.read())
write("fuzz-manifest", "full.json", "j" + json.dumps({
    "$schema": "../manifest.schema.json", "name": "probe", "version": "1.0.0", "description": "d",
    "command": ["probe", "--flag"], "env": {"A": "1"},
    "sandbox": {"network": True, "filesystem": {"read_only": ["/opt"], "temp": True}, "cpu_seconds": 1.5,
                "memory_mb": 64, "wall_seconds": 2, "max_output_bytes": 1024, "max_processes": 4},
    "tools": ["a", "b"]}))
write("fuzz-manifest", "small.yaml", "yname: probe\nversion: 1.0.0\ndescription: d\ncommand: [probe]\n"
      "sandbox:\n  network: false\n  filesystem: none\ntools:\n  - a\n")
write("fuzz-manifest", "bad-number.json", 'j{"name": "x", "version": 1e400}')

# --- JSON-RPC: chunk size byte, line limit byte, then what a plugin writes ---
write("fuzz-rpc", "answers", b"\x07\x40" + b'{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}\n'
      b'{"jsonrpc":"2.0","method":"notifications/message","params":{}}\n'
      b'{"jsonrpc":"2.0","id":"p","method":"ping"}\r\n\n  \n'
      b'{"jsonrpc":"2.0","id":2,"error":{"code":-32601,"message":"no"}}\n{"jsonrpc":"2.0","id":3,"res')
write("fuzz-rpc", "junk", b"\x00\x00" + b"[1,2]\nnot json\n\xff\xfe\n" + b"x" * 100 + b"\n")

# --- Traces: the example traces with long strings and lists cut short ---
def shorten(value):
    if isinstance(value, str):
        return value[:60]
    if isinstance(value, list):
        return [shorten(v) for v in value[:4]]
    if isinstance(value, dict):
        return {k: shorten(v) for k, v in value.items()}
    return value


examples = os.path.join(ROOT, "../../examples/traces")
for name in sorted(os.listdir(examples)):
    with open(os.path.join(examples, name)) as f:
        lines = [json.dumps(shorten(json.loads(line)), separators=(",", ":")) for line in f if line.strip()]
    write("fuzz-trace", name, "\n".join(lines) + "\n")
    write("fuzz-trace", "torn-" + name, "\n".join(lines[:2]) + "\n" + lines[2][:30])

# --- HTML: a content-type byte (0 text/html, 1 html utf-8, 2 html windows-1252, 3 json, 4 text, 5 none) ---
pages = os.path.join(ROOT, "../../Plugins/web-fetch/Tests/Fixtures/pages")
for name in sorted(os.listdir(pages)):
    with open(os.path.join(pages, name), "rb") as f:
        write("fuzz-html", name, b"\x00" + f.read())
write("fuzz-html", "sniffed.html", b"\x05<!doctype html><title>T</title><ul><li><a href='/x'>x</a><li>y</ul>"
      b"<pre>code</pre><table><tr><th>a<th>b<tr><td>1<td>2</table><img alt=i src=i.png><script>s()</script>")
write("fuzz-html", "data.json", b'\x03{"a":[1,2,{"b":null}],"c":"\\u00e9"}')
write("fuzz-html", "plain.txt", b"\x04line one\r\nline two\rthree\n\n")

# --- JSON Schema constraint: a schema line, then output ---
write("fuzz-schema", "call", '{"type":"object","properties":{"name":{"type":"string","enum":["evaluate"]},'
      '"arguments":{"type":"object","properties":{"expression":{"type":"string"}},"required":["expression"]}},'
      '"required":["name","arguments"],"additionalProperties":false}\n'
      '{"name":"evaluate","arguments":{"expression":"2^10"}}')
write("fuzz-schema", "plan", '{"type":"object","propertyOrder":["steps"],"properties":{"steps":{"type":"array",'
      '"minItems":1,"maxItems":3,"items":{"type":"object","properties":{"id":{"type":"string"},'
      '"tool":{"type":"string"},"arguments":{"type":"object"}},"required":["id","tool"]}}},"required":["steps"]}\n'
      '{"steps": [{"id":"s1","tool":"evaluate","arguments":{"x":1.5e3}}]}')
write("fuzz-schema", "any-of", '{"anyOf":[{"type":"integer"},{"type":["null","boolean"]},{"const":[1,"a"]}]}\n-12')
write("fuzz-schema", "partial", '{"type":"object","properties":{"s":{"type":"string"}}}\n{"s":"abc\\u00')

# --- Plans and tool calls as a model writes them ---
write("fuzz-plan", "plan", '{"steps":[{"id":"s1","tool":"evaluate","arguments":{"expression":"2^10"}},'
      '{"id":"s2","tool":"calc.evaluate","arguments":{"expression":"{s1} + 1"},"depends_on":["s1"]}]}')
write("fuzz-plan", "plan-ints", '[{"id":1,"tool":"fetch","arguments":{"url":"https://example.org","page":2}},'
      '{"id":2,"tool":"evaluate","arguments":{"expression":"len({s1})"},"depends_on":[1]}]')
write("fuzz-plan", "react", '<tool_call>\n{"name": "evaluate", "arguments": {"expression": "1+1"}}\n</tool_call>')
write("fuzz-plan", "answer", '{"name":"final_answer","arguments":{"answer":"42"}}')
