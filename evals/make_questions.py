"""Writes questions.jsonl: the evaluation set with answers computed here, independently of Loom.

Arithmetic uses Python's exact integers and fractions, symbolic answers use SymPy, page answers use
the numbers in site/*.html, code answers run the reference computation. Run: python3 make_questions.py
"""
import json
import math
from fractions import Fraction as F

import sympy as sp

cases = []


def add(cid, category, agent, question, expected, check, tolerance=None):
    item = {"id": cid, "category": category, "agent": agent, "question": question,
            "expected": str(expected), "check": check}
    if tolerance is not None:
        item["tolerance"] = tolerance
    cases.append(item)


# Arithmetic word problems with big or fractional numbers (math agent, calc).
add("arith-01", "arithmetic", "math",
    "A warehouse holds 48,976,123 boxes with 7,345 screws in each box. Another 1,234,567 screws are loose. How many screws are there in total?",
    48976123 * 7345 + 1234567, "number", 0)
add("arith-02", "arithmetic", "math",
    "What is 2 to the power 100, minus 3 to the power 50?", 2**100 - 3**50, "number", 0)
add("arith-03", "arithmetic", "math",
    "A recipe uses 3/8 of a cup of sugar per batch. How many cups are needed for 14 batches, plus a further 5/6 of a cup for icing? Give an exact fraction.",
    F(3, 8) * 14 + F(5, 6), "contains")
add("arith-04", "arithmetic", "math",
    "Compute the product of 123456789 and 987654321, then subtract 111111111.", 123456789 * 987654321 - 111111111, "number", 0)
add("arith-05", "arithmetic", "math",
    "A tank holds 2/3 of 9,450 litres. 1/5 of that water is used. How many litres remain?", F(2, 3) * 9450 * F(4, 5), "number", 0)
add("arith-06", "arithmetic", "math",
    "What is 30 factorial divided by 25 factorial?", math.factorial(30) // math.factorial(25), "number", 0)
add("arith-07", "arithmetic", "math",
    "A loan of 250,000 euros grows by 4.5% per year for 12 years, compounded yearly. What is it worth at the end? Round to the nearest cent.",
    round(250000 * 1.045 ** 12, 2), "number", 1e-6)
add("arith-08", "arithmetic", "math",
    "Add 1/2, 1/3, 1/5 and 1/7 and give the exact fraction.", F(1, 2) + F(1, 3) + F(1, 5) + F(1, 7), "contains")
add("arith-09", "arithmetic", "math",
    "Seven friends share a prize of 1,000,000 euros equally, then each gives 1/4 of their share to charity. How much does each keep? Give the exact fraction.",
    F(1000000, 7) * F(3, 4), "contains")
add("arith-10", "arithmetic", "math",
    "What is the sum of all the integers from 1 to 1,000,000?", 1000000 * 1000001 // 2, "number", 0)
add("arith-11", "arithmetic", "math",
    "A factory makes 2,847 parts per hour for 19 hours a day, 23 days a month. How many parts does it make in 12 months?",
    2847 * 19 * 23 * 12, "number", 0)
add("arith-12", "arithmetic", "math",
    "What is the greatest common divisor of 1,234,567,890 and 9,876,543,210, and what is the first number divided by it?",
    1234567890 // math.gcd(1234567890, 9876543210), "number", 0)
add("arith-13", "arithmetic", "math",
    "What is the remainder when 7 to the power 222 is divided by 1000?", pow(7, 222, 1000), "number", 0)
add("arith-14", "arithmetic", "math",
    "A rope is 17 and 3/4 metres long. It is cut into pieces of 5/8 of a metre. How many whole pieces are there?",
    int(F(71, 4) / F(5, 8)), "number", 0)

# Symbolic mathematics (math agent, calc).
x = sp.symbols("x")
add("sym-01", "symbolic", "math", "Differentiate x^3*sin(x) with respect to x, then evaluate the derivative at x = pi/2. Give a decimal to 6 places.",
    round(float(sp.diff(x**3 * sp.sin(x), x).subs(x, sp.pi / 2)), 6), "number", 1e-6)
add("sym-02", "symbolic", "math", "Integrate x^2 from 0 to 3, then multiply the result by 5.",
    sp.integrate(x**2, (x, 0, 3)) * 5, "number", 0)
add("sym-03", "symbolic", "math", "Solve x^2 - 5x - 14 = 0 and give the larger solution multiplied by 3.", 21, "number", 0)
add("sym-04", "symbolic", "math", "Factor x^3 - 6x^2 + 11x - 6 and give the sum of the squares of its roots.", 14, "number", 0)
add("sym-05", "symbolic", "math", "What is the limit of sin(x)/x as x approaches 0, plus the limit of (1+1/n)^n as n goes to infinity? Give a decimal to 6 places.",
    round(1 + math.e, 6), "number", 1e-5)
add("sym-06", "symbolic", "math", "Expand (x+2)^5 and give the coefficient of x^2.",
    sp.Poly(sp.expand((x + 2) ** 5), x).coeff_monomial(x**2), "number", 0)
add("sym-07", "symbolic", "math", "Compute the sum of k^2 for k from 1 to 100, then divide it by 5.",
    F(sum(k * k for k in range(1, 101)), 5), "number", 0)
add("sym-08", "symbolic", "math", "Integrate 1/(1+x^2) from 0 to 1 and multiply by 4. Give the value to 8 decimal places.",
    round(math.pi, 8), "number", 1e-7)
add("sym-09", "symbolic", "math", "What is the determinant of the matrix [[2,1,3],[0,4,5],[1,0,6]] times 7?",
    sp.Matrix([[2, 1, 3], [0, 4, 5], [1, 0, 6]]).det() * 7, "number", 0)

# Questions over the local test site (research agent: web-fetch + calc).
add("site-01", "site", "research", "According to {{site}}/shop.html, how much do 12 kg of cherries cost after the bulk discount the page describes? Answer in euros.",
    round(12 * 12.80 * 0.85, 2), "number", 1e-6)
add("site-02", "site", "research", "Using {{site}}/towns.html, what was the combined 2020 population of all four river towns?",
    52907 + 16844 + 118021 + 11302, "number", 0)
add("site-03", "site", "research", "Using {{site}}/towns.html, by how many people did Carrow grow between the 2010 and 2020 censuses?",
    118021 - 103455, "number", 0)
add("site-04", "site", "research", "Using {{site}}/company.html, what was Northwind Looms' total revenue for the year, in thousands of euros?",
    1284 + 1517 + 1396 + 1903, "number", 0)
add("site-05", "site", "research", "Using {{site}}/company.html, what was the average revenue per loom sold, in thousands of euros? Round to two decimals.",
    round((1284 + 1517 + 1396 + 1903) / 214, 2), "number", 1e-3)
add("site-06", "site", "research", "The bread recipe at {{site}}/recipe.html makes 2 loaves. How many grams of flour are needed for 7 loaves?",
    750 * 7 // 2, "number", 0)
add("site-07", "site", "research", "Using {{site}}/trains.html, what does a single ticket from Brindle to Dunmere cost, in euros?",
    round((131 - 38) * 0.18, 2), "number", 1e-6)
add("site-08", "site", "research", "Using {{site}}/trains.html, how many minutes does the train take from Ashford to Dunmere?",
    (10 * 60 + 17) - (8 * 60 + 15), "number", 0)
add("site-09", "site", "research", "Using {{site}}/planets.html, how many seconds does light take to travel Mars' mean distance from the Sun? Round to the nearest second.",
    round(227.9e6 / 299792.458), "number", 0.002)
add("site-10", "site", "research", "Who is the chief executive of Northwind Looms according to {{site}}/company.html, and in which year was the company founded?",
    "1998", "contains")
add("site-11", "site", "research", "Read {{site}}/notice.html. On what date is the summer fair, and how much is adult entry?",
    "14 June", "contains")
add("site-12", "site", "research", "Using {{site}}/planets.html, how many moons do the five planets listed have in total?", 0 + 0 + 1 + 2 + 95, "number", 0)

# Code to run (coder agent: code-runner, Self-Debug).
add("code-01", "code", "coder", "Write and run a Python program that prints how many prime numbers there are below 100,000.",
    sum(1 for n in range(2, 100000) if all(n % d for d in range(2, int(n**0.5) + 1))), "number", 0)
add("code-02", "code", "coder", "Run Python to find the 40th Fibonacci number, where F(1) = F(2) = 1.", 102334155, "number", 0)
add("code-03", "code", "coder", "Run Python to compute the sum of the digits of 2 to the power 1000.", sum(map(int, str(2**1000))), "number", 0)
add("code-04", "code", "coder", "Run Python to count how many integers from 1 to 10,000 are divisible by 3 or 5 but not by 15.",
    sum(1 for n in range(1, 10001) if (n % 3 == 0 or n % 5 == 0) and n % 15 != 0), "number", 0)
add("code-05", "code", "coder", "Use Python to find the smallest positive integer that is divisible by every number from 1 to 20.",
    math.lcm(*range(1, 21)), "number", 0)
add("code-06", "code", "coder", "Run Python to reverse the string 'stressed desserts loom' and print it.", "stressed desserts loom"[::-1], "contains")
add("code-07", "code", "coder", "Use Python to count the number of distinct words in the sentence 'the cat and the dog and the bird'.", 5, "number", 0)
add("code-08", "code", "coder", "Use Python to compute 100 factorial and print how many trailing zeros it has.", 24, "number", 0)

# Mixed: the default agent with every plugin.
add("mixed-01", "mixed", "default", "What is 17 percent of 2,340,000, divided among 8 people? Give the exact amount per person.",
    F(17, 100) * 2340000 / 8, "number", 0)
add("mixed-02", "mixed", "default", "Using {{site}}/shop.html, what do 3 kg of apples and 2 kg of walnuts cost together, in euros?",
    round(3 * 3.25 + 2 * 15.60, 2), "number", 1e-6)

def jsonable(value):
    if isinstance(value, F):
        return f"{value.numerator}/{value.denominator}" if value.denominator != 1 else str(value.numerator)
    return value

import re


def numbers(text):
    return [float(t.replace(",", "")) for t in re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)]


# A number check passes when any number in the answer matches, so the expected value must not
# already be written in the question (an answer that restates the question would pass).
for case in cases:
    if case["check"] == "number":
        assert float(case["expected"]) not in numbers(case["question"]), case["id"]

with open("questions.jsonl", "w") as out:
    for case in cases:
        out.write(json.dumps(case, ensure_ascii=False) + "\n")
print(len(cases), "questions")
