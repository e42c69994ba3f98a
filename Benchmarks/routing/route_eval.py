"""Where a routing agent sends each question of an evaluation file, against the agent the file names.

Usage: route_eval.py LOOM QUESTIONS.jsonl MODEL ROUTER. Runs `loom agents route --json` once over all the
questions (`{{site}}` filled with a local address) and prints how many went to the file's agent, per
category, which agent each kind went to, and the routing call's time. The file's `default` agent
(questions that need several kinds of tools) counts as expecting `general`, `math-plan` as `math`.
Prints aggregates only, never a question, so it may be run on the held-out set to report.
"""
import collections, json, subprocess, sys
loom, path, model = sys.argv[1:4]
router = sys.argv[4]
cases = [json.loads(line) for line in open(path) if line.strip()]
questions = [c["question"].replace("{{site}}", "http://127.0.0.1:8000") for c in cases]
out = subprocess.run([loom, "agents", "route", "--agent", router, "--model", model, "--json", *questions],
                     capture_output=True, text=True)
if out.returncode: sys.exit(out.stderr[-2000:])
out = out.stdout.splitlines()
choices = [json.loads(line) for line in out]
per = collections.defaultdict(lambda: [0, 0]); confusion = collections.Counter(); seconds = []
for case, choice in zip(cases, choices):
    expected = {"default": "general", "math-plan": "math"}.get(case["agent"], case["agent"])
    per[case["category"]][0] += choice["agent"] == expected
    per[case["category"]][1] += 1
    confusion[(expected, choice["agent"])] += 1
    seconds.append(choice["seconds"])
total = sum(v[0] for v in per.values()), sum(v[1] for v in per.values())
print(f"routed as labelled: {total[0]}/{total[1]}  " + "  ".join(f"{k} {v[0]}/{v[1]}" for k, v in sorted(per.items())))
print("expected -> chosen: " + ", ".join(f"{e}->{c} {n}" for (e, c), n in sorted(confusion.items())))
seconds.sort(); print(f"routing call: median {seconds[len(seconds)//2]:.2f} s, max {seconds[-1]:.2f} s")
