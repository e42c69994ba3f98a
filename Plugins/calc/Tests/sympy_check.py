#!/usr/bin/env python3
"""Checks calc results against expected answers with SymPy, mathematically rather than as strings.

Reads a JSON list of cases from the file named on the command line and prints a JSON list of
{"id", "ok", "detail"}. A case is {"id", "kind", "got", "expected", "decimal", "extra"} where `got` and
`decimal` are calc's result lines (Giac syntax), `expected` is SymPy syntax, and `kind` is one of:

  equal           got equals expected (lists elementwise, in order)
  set             got and expected are lists holding the same values in any order
  float           got is a decimal agreeing with expected to extra["digits"] significant digits
  antiderivative  d(got)/d(extra["variable"]) equals expected (the integrand)
  factored        got equals expected and is written as a product or power
  ifactored       got equals expected and is a product of prime powers
  expanded        got equals expected and has no product of sums left
  simplest        got equals expected and has no more operations (SymPy's count_ops) than
                  SymPy's simplify(expected)
  eigenvectors    every column of got is an eigenvector of the matrix extra["matrix"], n of them
  nullspace       got is a basis of the null space of extra["matrix"]

For every case that has a decimal line, the decimal must also agree with the exact result.
"""
import json
import random
import sys

import sympy
from sympy.parsing.sympy_parser import (convert_xor, implicit_multiplication_application, parse_expr,
                                        standard_transformations)

TRANSFORMS = standard_transformations + (convert_xor,)
NAMES = {
    "ln": sympy.log, "log": sympy.log, "i": sympy.I, "I": sympy.I, "e": sympy.E, "E": sympy.E,
    "pi": sympy.pi, "infinity": sympy.oo, "inf": sympy.oo, "oo": sympy.oo, "abs": sympy.Abs,
    "euler_gamma": sympy.EulerGamma, "sqrt": sympy.sqrt, "exp": sympy.exp, "atan": sympy.atan,
    "asin": sympy.asin, "acos": sympy.acos, "sign": sympy.sign, "floor": sympy.floor,
    "log10": lambda x: sympy.log(x, 10),
}
for letter in "abcdfghjklmnpqrstuvwxyz":
    NAMES.setdefault(letter, sympy.Symbol(letter))


def parse(text, evaluate=True):
    """Giac result text (or SymPy text) as a SymPy object; lists become Python lists."""
    text = text.strip().replace("+infinity", "oo").replace("-infinity", "-oo")
    return parse_expr(text, local_dict=dict(NAMES), transformations=TRANSFORMS, evaluate=evaluate)


def free_symbols(*values):
    symbols = set()
    for value in values:
        if isinstance(value, (list, tuple)):
            symbols |= free_symbols(*value)
        elif hasattr(value, "free_symbols"):
            symbols |= value.free_symbols
    return symbols


def same(a, b):
    """a equals b: symbolic simplification first, then numeric spot checks at random points."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        if not (isinstance(a, (list, tuple)) and isinstance(b, (list, tuple))) or len(a) != len(b):
            return False
        return all(same(x, y) for x, y in zip(a, b))
    a, b = sympy.sympify(a), sympy.sympify(b)
    if a == b:
        return True
    if a.has(sympy.oo, -sympy.oo, sympy.zoo) or b.has(sympy.oo, -sympy.oo, sympy.zoo):
        return False
    try:
        if sympy.simplify(a - b) == 0:
            return True
    except Exception:
        pass
    symbols = sorted(free_symbols(a, b), key=str)
    rng = random.Random(7)
    for _ in range(6):
        point = {s: sympy.Rational(rng.randint(11, 29), 10) for s in symbols}
        try:
            x = complex(sympy.N(a.subs(point), 30))
            y = complex(sympy.N(b.subs(point), 30))
        except Exception:
            return False
        if abs(x - y) > 1e-9 * max(1.0, abs(y)):
            return False
    return True


def same_set(a, b):
    if not isinstance(a, (list, tuple)) or not isinstance(b, (list, tuple)) or len(a) != len(b):
        return False
    remaining = list(b)
    for item in a:
        match = next((k for k, other in enumerate(remaining) if same(item, other)), None)
        if match is None:
            return False
        remaining.pop(match)
    return True


def close(value, expected, digits):
    value, expected = complex(sympy.N(value, 60)), complex(sympy.N(expected, 60))
    if expected == 0:
        return abs(value) < 10.0 ** (-digits)
    return abs(value - expected) <= 10.0 ** (1 - digits) * abs(expected)


def close_mp(value_text, expected, digits):
    """High-precision comparison for more than 15 digits."""
    value = sympy.Float(value_text.strip(), digits + 5)
    exact = sympy.N(expected, digits + 10)
    return abs(value - exact) <= sympy.Float(10, 30) ** (1 - digits) * abs(exact)


def is_product(expr):
    return isinstance(expr, (sympy.Mul, sympy.Pow))


def prime_powers(expr):
    factors = expr.args if isinstance(expr, sympy.Mul) else (expr,)
    for factor in factors:
        base = factor.args[0] if isinstance(factor, sympy.Pow) else factor
        if not (base.is_Integer and sympy.isprime(int(base))):
            return False
    return True


def check(case):
    kind, got_text, extra = case["kind"], case["got"], case.get("extra") or {}
    got = parse(got_text)
    expected = parse(case["expected"]) if case.get("expected") else None
    if kind == "equal":
        ok = same(got, expected)
    elif kind == "set":
        ok = same_set(got, expected)
    elif kind == "float":
        digits = int(extra.get("digits", 15))
        ok = close_mp(got_text, expected, digits) if digits > 15 else close(got, expected, digits)
    elif kind == "antiderivative":
        # On the real line, as calculus classes mean it: d/dx ln|x| = 1/x.
        variable = sympy.Symbol(extra["variable"])
        real = sympy.Symbol(extra["variable"], real=True)
        ok = same(sympy.diff(got.subs(variable, real), real).subs(real, variable), expected)
    elif kind == "factored":
        ok = same(got, expected) and is_product(parse(got_text, evaluate=False))
    elif kind == "ifactored":
        ok = same(got, expected) and prime_powers(parse(got_text, evaluate=False))
    elif kind == "expanded":
        ok = same(got, expected) and sympy.expand(got) == got
    elif kind == "simplest":
        reference = sympy.simplify(expected)
        ok = same(got, expected) and sympy.count_ops(got) <= sympy.count_ops(reference)
        if same(got, expected) and not ok:
            return False, "got %s, equal but less simple than SymPy's %s" % (got_text, reference)
    elif kind == "eigenvectors":
        matrix = sympy.Matrix(parse(extra["matrix"]))
        vectors = sympy.Matrix(got)
        ok = vectors.shape == matrix.shape and vectors.rank() == matrix.shape[0]
        for column in range(vectors.shape[1]):
            v = vectors[:, column]
            ok = ok and sympy.Matrix.hstack(matrix * v, v).rank() == 1
    elif kind == "nullspace":
        matrix = sympy.Matrix(parse(extra["matrix"]))
        basis = [sympy.Matrix(row) for row in got]
        ok = len(basis) == matrix.shape[1] - matrix.rank() and all(
            (matrix * v).is_zero_matrix and not v.is_zero_matrix for v in basis)
    else:
        return False, "unknown kind " + kind
    if ok and case.get("decimal"):
        digits = int(extra.get("digits", 15))
        approx = parse(case["decimal"])
        exact = got
        if isinstance(exact, (list, tuple)):
            flat_exact = list(sympy.flatten(exact))
            flat_approx = list(sympy.flatten(approx))
            ok = len(flat_exact) == len(flat_approx) and all(
                close(a, e, min(digits, 13)) for a, e in zip(flat_approx, flat_exact))
        else:
            ok = close(approx, exact, min(digits, 13))
        if not ok:
            return False, "decimal %s does not match %s" % (case["decimal"], got_text)
    return ok, "" if ok else "got %s, expected %s (%s)" % (got_text, case.get("expected"), kind)


def main():
    cases = json.load(open(sys.argv[1]))
    results = []
    for case in cases:
        try:
            ok, detail = check(case)
        except Exception as error:  # a parse failure is a failed case, reported with its reason
            ok, detail = False, "%s: %s (got %r)" % (type(error).__name__, error, case.get("got"))
        results.append({"id": case["id"], "ok": bool(ok), "detail": detail})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
