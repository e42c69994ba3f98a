"""BFCL categories against an OpenAI-compatible server (`loom serve`), scored by BFCL's own AST checker.

Each case's functions go to the server as OpenAI `tools` (BFCL's types mapped to JSON Schema as BFCL's
own OpenAI handler maps them, "." in names replaced by "_"), with `tool_choice: "auto"`, temperature 0.
The calls that come back are scored with `bfcl_eval`'s `ast_checker`; an irrelevance case passes when no
call comes back. Prints one line per category (passed/total, 95 % Wilson interval) and writes every
case's outcome to --out.
"""
import argparse
import copy
import json
import math
import random
import sys
import time
import types
from importlib import resources

CATEGORIES = {
    "simple": "BFCL_v4_simple_python.json",
    "multiple": "BFCL_v4_multiple.json",
    "parallel": "BFCL_v4_parallel.json",
    "parallel_multiple": "BFCL_v4_parallel_multiple.json",
    "irrelevance": "BFCL_v4_irrelevance.json",
    "live_simple": "BFCL_v4_live_simple.json",
}


def checker():
    # BFCL's model_config imports every provider's SDK; its checker needs only whether a model's function
    # names had "." replaced by "_", which is so for OpenAI-style APIs such as this one.
    config = types.ModuleType("bfcl_eval.constants.model_config")

    class Underscored:
        underscore_to_dot = True

    class Mapping(dict):
        def __getitem__(self, key):
            return Underscored()

    config.MODEL_CONFIG_MAPPING = Mapping()
    sys.modules["bfcl_eval.constants.model_config"] = config
    from bfcl_eval.constants.enums import Language
    from bfcl_eval.eval_checker.ast_eval.ast_checker import ast_checker
    return lambda functions, output, answer, category: ast_checker(functions, output, answer, Language.PYTHON,
                                                                   category, "loom")


def openai_type(schema, mapping):
    schema = dict(schema)
    kind = schema.get("type", "string")
    schema["type"] = mapping.get(kind, "string")
    if "properties" in schema:
        schema["properties"] = {key: openai_type(value, mapping) for key, value in schema["properties"].items()}
    if "items" in schema and isinstance(schema["items"], dict):
        schema["items"] = openai_type(schema["items"], mapping)
    return schema


def tools(functions):
    from bfcl_eval.constants.type_mappings import GORILLA_TO_OPENAPI
    converted = []
    for function in copy.deepcopy(functions):
        parameters = openai_type(function["parameters"], GORILLA_TO_OPENAPI)
        parameters["type"] = "object"
        converted.append({"type": "function", "function": {
            "name": function["name"].replace(".", "_"), "description": function.get("description", ""),
            "parameters": parameters}})
    return converted


def wilson(passed, total, z=1.96):
    if total == 0:
        return 0.0, 0.0
    p = passed / total
    centre = (p + z * z / (2 * total)) / (1 + z * z / total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total)) / (1 + z * z / total)
    return max(0.0, centre - half), min(1.0, centre + half)


def lines(name):
    text = (resources.files("bfcl_eval") / "data" / name).read_text()
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base-url", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--per-category", type=int, default=25, help="cases drawn per category (seeded), 0 for all")
    parser.add_argument("--categories", default=",".join(CATEGORIES))
    parser.add_argument("--max-tokens", type=int, default=512)
    parser.add_argument("--out", default="bfcl-results.json")
    args = parser.parse_args()

    import openai
    client = openai.OpenAI(base_url=args.base_url, api_key="unused", timeout=600, max_retries=0)
    check = checker()
    results = []
    for category in args.categories.split(","):
        cases = lines(CATEGORIES[category])
        answers = {} if category == "irrelevance" else {a["id"]: a for a in lines("possible_answer/" + CATEGORIES[category])}
        if args.per_category:
            cases = random.Random(0).sample(cases, min(args.per_category, len(cases)))
        for case in cases:
            started = time.monotonic()
            outcome = {"id": case["id"], "category": category, "passed": False, "unparseable": 0, "calls": 0}
            try:
                reply = client.chat.completions.create(model=args.model, messages=case["question"][0],
                                                       tools=tools(case["function"]), tool_choice="auto",
                                                       temperature=0, max_tokens=args.max_tokens)
                calls = reply.choices[0].message.tool_calls or []
                output = []
                for call in calls:
                    try:
                        output.append({call.function.name: json.loads(call.function.arguments)})
                    except json.JSONDecodeError:
                        outcome["unparseable"] += 1
                outcome["calls"] = len(calls)
                outcome["output"] = output
                if category == "irrelevance":
                    outcome["passed"] = not calls
                elif output and not outcome["unparseable"]:
                    verdict = check(case["function"], output, answers[case["id"]]["ground_truth"], category)
                    outcome["passed"] = bool(verdict["valid"])
                    if not verdict["valid"]:
                        outcome["error"] = verdict.get("error_type")
            except openai.APIError as error:
                outcome["error"] = f"{type(error).__name__}: {error}"[:300]
            outcome["seconds"] = round(time.monotonic() - started, 2)
            results.append(outcome)
            print(json.dumps({key: outcome[key] for key in ("id", "passed", "calls", "seconds")}), file=sys.stderr, flush=True)

    json.dump(results, open(args.out, "w"), indent=1)
    print(f"{'category':18} {'passed':>9}  95 % interval   unparseable  several calls  s/case")
    for category in args.categories.split(","):
        rows = [r for r in results if r["category"] == category]
        passed = sum(r["passed"] for r in rows)
        low, high = wilson(passed, len(rows))
        print(f"{category:18} {passed:>3}/{len(rows):<4}  {100 * low:5.1f}–{100 * high:5.1f} %   "
              f"{sum(r['unparseable'] for r in rows):>5}        {sum(r['calls'] > 1 for r in rows):>5}       "
              f"{sum(r['seconds'] for r in rows) / max(1, len(rows)):6.1f}")
    errors = [r for r in results if str(r.get("error", "")).startswith(("API", "BadRequest", "Internal"))]
    print(f"requests refused or failed: {len(errors)}")


if __name__ == "__main__":
    main()
