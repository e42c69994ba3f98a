import Foundation
import MCP
import PluginKit

/// differentiate, integrate, limit, series and sum.
extension Calculator {
    /// `differentiate`: `diff(expression, variable, order)`, evaluated once more to fold constants.
    var differentiateTool: PluginTool {
        tool("differentiate",
             "Derivative of an expression. Example: {\"expression\": \"x^2*exp(x)\", \"variable\": \"x\"}. Add \"order\": 2 for the second derivative.",
             Schema.object([
                ("expression", Schema.string("The function to differentiate.")),
                ("variable", Schema.string("Variable to differentiate by (default x).")),
                ("order", Schema.integer("How many times to differentiate (default 1).", minimum: 1, maximum: 50)),
             ], required: ["expression"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"x^2*exp(x)\", \"variable\": \"x\"}")
            try Self.requireVariable(in: expression, tool: "differentiate")
            let variable = try arguments.variable("variable", default: Variables.pick(in: expression, preferred: "x"))
            let order = try arguments.integer("order", in: 1...50, default: 1) ?? 1
            // eval() folds the numeric factors diff leaves behind (`3*2*x` becomes `6*x`).
            let answer = try await compute("eval(diff(\(expression),\(variable),\(order)))", input: expression)
            return ResultText.render(try requireDefined(answer, input: expression))
        }
    }

    /// `integrate`: an antiderivative, or a definite integral when both bounds are given.
    var integrateTool: PluginTool {
        tool("integrate",
             "Integral of an expression. Example: {\"expression\": \"x*exp(x)\", \"variable\": \"x\"}. For a definite integral add \"lower\": \"0\", \"upper\": \"1\" (use \"inf\" for infinity).",
             Schema.object([
                ("expression", Schema.string("The function to integrate.")),
                ("variable", Schema.string("Integration variable (default x).")),
                ("lower", Schema.string("Lower bound, for a definite integral.")),
                ("upper", Schema.string("Upper bound, for a definite integral.")),
             ], required: ["expression"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"x*exp(x)\", \"variable\": \"x\"}")
            try Self.requireVariable(in: expression, tool: "integrate")
            let variable = try arguments.variable("variable", default: Variables.pick(in: expression, preferred: "x"))
            let lower = try arguments.math("lower").map(Self.infinity)
            let upper = try arguments.math("upper").map(Self.infinity)
            switch (lower, upper) {
            case (nil, nil):
                let answer = try await compute("simplify(integrate(\(expression),\(variable)))", input: expression)
                let note = answer.exact.hasPrefix("integrate(")
                    ? "No closed form found. For a number, give \"lower\" and \"upper\"."
                    : "(add a constant C for the general antiderivative)"
                return ResultText.render(try requireDefined(answer, input: expression), notes: [note])
            case (let lower?, let upper?):
                let answer = try await compute("integrate(\(expression),\(variable),\(lower),\(upper))", input: expression)
                return ResultText.render(answer, notes: Self.divergenceNote(answer, what: "integral"))
            default:
                throw .invalidArgument(name: lower == nil ? "lower" : "upper",
                                       problem: "is missing: a definite integral needs both \"lower\" and \"upper\"; leave both out for an antiderivative.")
            }
        }
    }

    /// Refuses a constant expression: a model that integrates or differentiates `7*det(...)` meant
    /// to compute its value, and the (divergent or zero) result would mislead it.
    static func requireVariable(in expression: String, tool: String) throws(CalcError) {
        guard Variables.free(in: expression).isEmpty else { return }
        throw .invalidArgument(name: "expression", problem: "has no variable, so there is nothing to \(tool). "
            + "To compute the value of an expression, use evaluate.")
    }

    /// `limit`: two-sided or one-sided limits, at a point or at ±infinity.
    var limitTool: PluginTool {
        tool("limit",
             "Limit of an expression as the variable approaches a point. Example: {\"expression\": \"(1-cos(x))/x^2\", \"variable\": \"x\", \"point\": \"0\"}. Use \"inf\" for infinity; \"direction\": \"left\" or \"right\" for one side.",
             Schema.object([
                ("expression", Schema.string("The expression.")),
                ("variable", Schema.string("The variable (default x).")),
                ("point", Schema.string("The point the variable approaches, e.g. \"0\", \"2\", \"inf\", \"-inf\".")),
                ("direction", Schema.choice("\"both\" (default), \"left\" or \"right\".", ["both", "left", "right"])),
             ], required: ["expression", "point"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"(1-cos(x))/x^2\", \"variable\": \"x\", \"point\": \"0\"}")
            let variable = try arguments.variable("variable", default: Variables.pick(in: expression, preferred: "x"))
            let point = Self.infinity(try arguments.required("point", example: "{\"expression\": \"(1-cos(x))/x^2\", \"point\": \"0\"}"))
            let direction = switch try arguments.choice("direction", from: ["both", "left", "right"], default: "both") {
            case "left": ",-1"
            case "right": ",1"
            default: ""
            }
            let answer = try await compute("limit(\(expression),\(variable),\(point)\(direction))", input: expression)
            var notes: [String] = []
            if answer.special == .undefined || answer.exact.hasPrefix("bounded_function") {
                notes.append("The limit does not exist (the expression oscillates or has no single value).")
            } else if answer.special == .unsignedInfinity {
                notes.append("The expression grows without bound; the sign differs by side (try \"direction\").")
            }
            return ResultText.render(answer, notes: notes)
        }
    }

    /// `series`: the Taylor polynomial, with the order of the remainder as a note.
    var seriesTool: PluginTool {
        tool("series",
             "Taylor series of an expression around a point. Example: {\"expression\": \"exp(x)\", \"variable\": \"x\", \"point\": \"0\", \"order\": 4}.",
             Schema.object([
                ("expression", Schema.string("The expression to expand.")),
                ("variable", Schema.string("The variable (default x).")),
                ("point", Schema.string("Expansion point (default 0).")),
                ("order", Schema.integer("Highest power kept (default 5).", minimum: 1, maximum: 40)),
             ], required: ["expression"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"exp(x)\", \"point\": \"0\", \"order\": 4}")
            let variable = try arguments.variable("variable", default: Variables.pick(in: expression, preferred: "x"))
            let point = Self.infinity(try arguments.math("point") ?? "0")
            let order = try arguments.integer("order", in: 1...40, default: 5) ?? 5
            let answer = try requireDefined(
                try await compute("series(\(expression),\(variable)=\(point),\(order),polynom)", input: expression),
                input: expression)
            let remainder: String = switch point {
            case "0": "O(\(variable)^\(order + 1))"
            case "+infinity", "-infinity": "O(1/\(variable)^\(order + 1))"
            default: "O((\(variable)-(\(point)))^\(order + 1))"
            }
            return ResultText.render(answer, notes: ["(terms up to order \(order); the remainder is \(remainder))"])
        }
    }

    /// `sum`: finite and infinite sums (an index named `i` is renamed, as Giac reads `i` as √-1).
    var sumTool: PluginTool {
        tool("sum",
             "Sum of a sequence, finite or infinite. Example: {\"expression\": \"1/k^2\", \"variable\": \"k\", \"lower\": \"1\", \"upper\": \"inf\"}.",
             Schema.object([
                ("expression", Schema.string("The term, using the index variable.")),
                ("variable", Schema.string("The index variable (default k).")),
                ("lower", Schema.string("First index value.")),
                ("upper", Schema.string("Last index value, or \"inf\".")),
             ], required: ["expression", "lower", "upper"])) { arguments throws(CalcError) in
            let example = "{\"expression\": \"1/k^2\", \"variable\": \"k\", \"lower\": \"1\", \"upper\": \"inf\"}"
            var expression = try arguments.required("expression", example: example)
            let input = expression
            var variable = try arguments.variable("variable", default: Variables.pick(in: expression, preferred: "k"))
            if variable == "i" {
                // In Giac `i` is the imaginary unit; sum over another name.
                expression = Variables.rename("i", to: "idx_", in: expression)
                variable = "idx_"
            }
            let lower = Self.infinity(try arguments.required("lower", example: example))
            let upper = Self.infinity(try arguments.required("upper", example: example))
            let answer = try await compute("simplify(sum(\(expression),\(variable),\(lower),\(upper)))", input: input)
            return ResultText.render(answer, notes: Self.divergenceNote(answer, what: "sum"))
        }
    }

    /// Giac's spelling of infinities: "inf", "oo", "infinity", "∞" (already "inf") and their negatives.
    static func infinity(_ text: String) -> String {
        let compact = text.replacingOccurrences(of: " ", with: "").lowercased()
        switch compact {
        case "inf", "+inf", "oo", "+oo", "infinity", "+infinity": return "+infinity"
        case "-inf", "-oo", "-infinity": return "-infinity"
        default: return text
        }
    }

    /// A note for an infinite or undefined integral or sum.
    static func divergenceNote(_ answer: GiacAnswer, what: String) -> [String] {
        switch answer.special {
        case .signedInfinity, .unsignedInfinity: return ["The \(what) diverges."]
        case .undefined: return ["The \(what) does not converge to a value."]
        case .none: return []
        }
    }
}
