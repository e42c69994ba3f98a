"""Writes word-dev.jsonl: grade-school word problems to develop against, from GSM8K's train split.

The held-out set (heldout/make_heldout.py) shuffles GSM8K's train split with a fixed seed and keeps the
first problems that qualify; this script walks the same order *after* those and keeps the next ones, so
the two sets never share a problem. The test split is never read.

    python3 make_word_dev.py                                 # from data/gsm8k_train_dev_sample.jsonl
    python3 make_word_dev.py --gsm8k-train PATH/train.jsonl  # draw the sample again
"""
import argparse
import hashlib
import json
import os
import random
import re

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "data", "gsm8k_train_dev_sample.jsonl")
OUT = os.path.join(HERE, "word-dev.jsonl")
HELDOUT_SAMPLE = os.path.join(HERE, "heldout", "data", "gsm8k_train_sample.jsonl")

# The same file, digest and order as the held-out set's sample.
GSM8K_TRAIN_SHA256 = "17f347dc51477c50d4efb83959dbb7c56297aba886e5544ee2aaed3024813465"
GSM8K_SEED = 20261207
HELDOUT_COUNT = 72
DEV_COUNT = 30


def numbers(text):
    return [float(t.replace(",", "")) for t in re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)]


def qualifies(row):
    gold = row["answer"].split("####")[-1].strip().replace(",", "")
    return re.fullmatch(r"-?\d+", gold) is not None and float(gold) not in numbers(row["question"])


def draw(train_path):
    with open(train_path, "rb") as source:
        raw = source.read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != GSM8K_TRAIN_SHA256:
        raise SystemExit(f"{train_path}: sha256 {digest}, expected {GSM8K_TRAIN_SHA256}")
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    order = list(range(len(rows)))
    random.Random(GSM8K_SEED).shuffle(order)
    qualifying = [index for index in order if qualifies(rows[index])]
    with open(HELDOUT_SAMPLE) as source:
        heldout = {json.loads(line)["line"] for line in source if line.strip()}
    if {index + 1 for index in qualifying[:HELDOUT_COUNT]} != heldout:
        raise SystemExit("the held-out sample is not the first problems of this order; refusing to draw")
    chosen = qualifying[HELDOUT_COUNT:HELDOUT_COUNT + DEV_COUNT]
    os.makedirs(os.path.dirname(SAMPLE), exist_ok=True)
    with open(SAMPLE, "w") as out:
        for index in chosen:
            row = rows[index]
            out.write(json.dumps({"line": index + 1, "question": row["question"], "answer": row["answer"]},
                                 ensure_ascii=False) + "\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--gsm8k-train", help="GSM8K's grade_school_math/data/train.jsonl, to draw the sample again")
    options = parser.parse_args()
    if options.gsm8k_train:
        draw(options.gsm8k_train)
    with open(SAMPLE) as source:
        rows = [json.loads(line) for line in source if line.strip()]
    with open(HELDOUT_SAMPLE) as source:
        heldout = {json.loads(line)["line"] for line in source if line.strip()}
    assert not heldout & {row["line"] for row in rows}, "a development problem is in the held-out set"
    with open(OUT, "w") as out:
        for number, row in enumerate(rows, 1):
            gold = row["answer"].split("####")[-1].strip().replace(",", "")
            case = {"id": f"w-dev-{number:02d}", "category": "word", "agent": "math", "question": row["question"],
                    "expected": gold, "check": "number", "tolerance": 0}
            out.write(json.dumps(case, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
