import MCP

/// One row of the calc problem table: a tool call and what SymPy must find equivalent.
struct Problem: Sendable {
    /// Tool to call.
    let tool: String
    /// Arguments, as a model would send them.
    let arguments: [String: Value]
    /// How `sympy_check.py` compares (equal, set, float, antiderivative, factored, ...).
    let kind: String
    /// The expected answer in SymPy syntax (for antiderivative: the integrand).
    let expected: String
    /// Extra data for the comparison (digits, variable, matrix).
    var extra: [String: String] = [:]

    /// `evaluate` with an exact expected value.
    static func evaluate(_ expression: String, _ expected: String) -> Problem {
        Problem(tool: "evaluate", arguments: ["expression": .string(expression)], kind: "equal", expected: expected)
    }

    /// `evaluate` with `digits`, compared to that many significant digits.
    static func decimal(_ expression: String, digits: Int = 15, _ expected: String) -> Problem {
        Problem(tool: "evaluate", arguments: ["expression": .string(expression), "digits": .int(digits)],
                kind: "float", expected: expected, extra: ["digits": String(digits)])
    }

    /// `evaluate` of a float expression (no `digits`), compared to 15 significant digits.
    static func float(_ expression: String, _ expected: String) -> Problem {
        Problem(tool: "evaluate", arguments: ["expression": .string(expression)], kind: "float", expected: expected,
                extra: ["digits": "14"])
    }

    /// `differentiate`.
    static func derivative(_ expression: String, _ expected: String, variable: String = "x", order: Int = 1) -> Problem {
        Problem(tool: "differentiate",
                arguments: ["expression": .string(expression), "variable": .string(variable), "order": .int(order)],
                kind: "equal", expected: expected)
    }

    /// Indefinite `integrate`, checked by differentiating the answer back to `integrand` (SymPy syntax).
    static func antiderivative(_ expression: String, integrand: String? = nil, _ variable: String = "x") -> Problem {
        Problem(tool: "integrate", arguments: ["expression": .string(expression), "variable": .string(variable)],
                kind: "antiderivative", expected: integrand ?? expression, extra: ["variable": variable])
    }

    /// Definite `integrate`.
    static func integral(_ expression: String, from lower: String, to upper: String, _ expected: String) -> Problem {
        Problem(tool: "integrate",
                arguments: ["expression": .string(expression), "variable": "x", "lower": .string(lower), "upper": .string(upper)],
                kind: "equal", expected: expected)
    }

    /// `limit`.
    static func limit(_ expression: String, at point: String, direction: String? = nil, _ expected: String) -> Problem {
        var arguments: [String: Value] = ["expression": .string(expression), "variable": "x", "point": .string(point)]
        if let direction { arguments["direction"] = .string(direction) }
        return Problem(tool: "limit", arguments: arguments, kind: "equal", expected: expected)
    }

    /// `series` around `point` up to `order`.
    static func series(_ expression: String, at point: String = "0", order: Int, _ expected: String) -> Problem {
        Problem(tool: "series",
                arguments: ["expression": .string(expression), "variable": "x", "point": .string(point), "order": .int(order)],
                kind: "equal", expected: expected)
    }

    /// `sum` over `variable` from `lower` to `upper`.
    static func sum(_ expression: String, _ variable: String = "k", from lower: String, to upper: String, _ expected: String) -> Problem {
        Problem(tool: "sum",
                arguments: ["expression": .string(expression), "variable": .string(variable),
                            "lower": .string(lower), "upper": .string(upper)],
                kind: "equal", expected: expected)
    }

    /// `solve`, compared as a set of solutions (for systems: a set of value lists).
    static func solve(_ equation: String, _ expected: String, variable: String? = nil, complex: Bool = false) -> Problem {
        var arguments: [String: Value] = ["equation": .string(equation)]
        if let variable { arguments["variable"] = .string(variable) }
        if complex { arguments["domain"] = "complex" }
        return Problem(tool: "solve", arguments: arguments, kind: "set", expected: expected)
    }

    /// A rewriting tool (`simplify`, `factor`, `expand`) with its comparison kind.
    static func rewrite(_ tool: String, _ expression: String, _ expected: String, kind: String = "equal") -> Problem {
        Problem(tool: tool, arguments: ["expression": .string(expression)], kind: kind, expected: expected)
    }

    /// `matrix` with an operation; `kind` defaults to exact equality.
    static func matrix(_ operation: String, _ matrix: String, other: String? = nil, kind: String = "equal",
                       _ expected: String = "") -> Problem {
        var arguments: [String: Value] = ["operation": .string(operation), "matrix": .string(matrix)]
        if let other { arguments["other"] = .string(other) }
        return Problem(tool: "matrix", arguments: arguments, kind: kind, expected: expected, extra: ["matrix": matrix])
    }
}
