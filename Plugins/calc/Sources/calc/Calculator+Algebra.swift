import Foundation
import MCP
import PluginKit

/// evaluate, simplify, factor, expand and solve.
extension Calculator {
    /// `evaluate`: exact (simplified) value, or a decimal with `digits` places after the point.
    var evaluateTool: PluginTool {
        tool("evaluate",
             "Exact math: big integers, fractions, roots, powers, trig, log (natural), log10, gcd(a,b), lcm(a,b), irem(a,b) (remainder of a/b), powmod(a,n,m), floor(x), round(x,n), n!, det(M), coeff(expand(p),x,n), subst(f,x=a), max(list). Example: {\"expression\": \"2^100 + 1/3\"}. Add \"digits\": N only when a decimal is asked for.",
             Schema.object([
                ("expression", Schema.string("The math to compute, e.g. \"sqrt(8) + 3/4\" or \"100!\".")),
                ("digits", Schema.integer("Optional: give a decimal answer with this many digits after the decimal point (0: exact, the same as leaving it out).", minimum: 0, maximum: 1000)),
             ], required: ["expression"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"2^100 + 1/3\"}")
            // The result is simplified, unless the expression is itself a rewrite into a chosen form:
            // simplify() would turn `factor(x^4-1)` back into x^4-1.
            let keepsForm = MathInput.outermostCall(in: expression).map(Self.formCommands.contains) ?? false
            let giac = keepsForm ? expression : "simplify(\(expression))"
            let (exact, rootNote) = try await decimalsForRootOf(
                try requireDefined(try await compute(giac, input: expression), input: expression), giac: giac, input: expression)
            // An exact integer is already the most precise answer: `digits` only rounds what is not one.
            // 0 asks for no rounding, as small models write it when they mean "exact".
            guard let digits = try arguments.integer("digits", in: 0...1000, default: nil), digits > 0,
                  !Self.isInteger(exact.exact) else {
                return ResultText.render(exact, notes: rootNote.map { [$0] } ?? [])
            }
            // `digits` counts places after the decimal point, as "round to the cent" or "to 6 places"
            // mean, and at least that many significant digits for a number below 1.
            let value = "(\(expression))"
            let magnitude = try await compute("floor(log10(abs(evalf(\(value)))+1e-300))", input: expression)
            let integerDigits = Self.isInteger(magnitude.exact) ? (Int(magnitude.exact) ?? 0) + 1 : 0
            let precision = max(digits, min(integerDigits, 5000) + digits)
            let answer = try await compute("evalf(\(value),\(precision))", input: expression)
            return ResultText.render(try requireDefined(answer, input: expression))
        }
    }

    /// Giac commands whose result is the expression rewritten into a form (factored, expanded, in partial
    /// fractions, in terms of other functions...). `evaluate` returns their result as it is, where it
    /// simplifies every other result.
    static let formCommands: Set<String> = [
        "factor", "cfactor", "ifactor", "factors", "sqrfree", "partfrac", "cpartfrac", "expand", "collect",
        "simplify", "normal", "ratnormal", "canonical_form", "horner", "convert",
        "texpand", "trigexpand", "tlin", "tcollect", "tsimplify", "halftan", "trigcos", "trigsin", "trigtan",
        "sincos", "tan2sincos", "tan2sincos2", "tan2cossin2", "sin2costan", "cos2sintan",
        "asin2acos", "asin2atan", "acos2asin", "acos2atan", "atan2asin", "atan2acos", "atrig2ln",
        "hyp2exp", "exp2trig", "trig2exp", "lin", "lncollect", "lnexpand", "expexpand", "powexpand",
        "pow2exp", "exp2pow",
    ]

    /// Whether Giac's text is a plain integer (optional sign, digits only).
    static func isInteger(_ text: String) -> Bool {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `factor`: polynomials over the rationals, integers into primes.
    var factorTool: PluginTool {
        tool("factor",
             "Factor a polynomial or an integer. Example: {\"expression\": \"x^2-5*x+6\"} gives (x-2)*(x-3).",
             Schema.object([("expression", Schema.string("The polynomial or integer to factor."))], required: ["expression"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"x^2-5*x+6\"}")
            // factor() leaves integers alone; ifactor() is the integer version.
            guard Variables.free(in: expression).isEmpty && !expression.contains(".") else {
                let answer = try await compute("factor(\(expression))", input: expression)
                return ResultText.render(try requireDefined(answer, input: expression))
            }
            let answer = try requireDefined(try await compute("ifactor(\(expression))", input: expression), input: expression)
            // The text gives the number first, `17100720 = 2^4*3^4*5*7*13*29`: a model asked for the value
            // that factored it anyway answers with the first thing it reads. The structured result (what
            // a reference to this step stands for) stays the product of primes alone.
            let value = try await compute(expression, input: expression)
            guard Self.isInteger(value.exact), value.exact != answer.exact, value.exact.count <= ResultText.maxDigits else {
                return ResultText.render(answer)
            }
            var shown = answer
            shown.exact = "\(value.exact) = \(answer.exact)"
            shown.decimal = nil  // the value is written out in full already
            var output = ResultText.render(shown)
            output.structured = .object(["result": .string(answer.exact)])
            return output
        }
    }

    /// `expand`.
    var expandTool: PluginTool {
        tool("expand",
             "Multiply out products and powers. Example: {\"expression\": \"(x+1)^3\"} gives x^3+3*x^2+3*x+1.",
             Schema.object([("expression", Schema.string("The expression to expand."))], required: ["expression"])) { arguments throws(CalcError) in
            try await rewrite("expand", arguments, example: "{\"expression\": \"(x+1)^3\"}")
        }
    }

    /// `solve`: one equation or a system, real (`solve`) or complex (`csolve`) solutions.
    var solveTool: PluginTool {
        tool("solve",
             "Solve an equation or a system. Example: {\"equation\": \"x^2 - 5*x + 6 = 0\", \"variable\": \"x\"}. For a system separate equations with commas: {\"equation\": \"x+y=10, x-y=2\", \"variable\": \"x,y\"}.",
             Schema.object([
                ("equation", Schema.string("One equation, or several separated by commas. Use = (\"2*x+1 = 7\").")),
                ("variable", Schema.string("The unknown(s), e.g. \"x\" or \"x,y\". Optional.")),
                ("domain", Schema.choice("\"real\" (default) or \"complex\" solutions.", ["real", "complex"])),
             ], required: ["equation"])) { arguments throws(CalcError) in
            try await solve(arguments)
        }
    }

    /// Splits the equations, picks the unknowns (given, or the free names in alphabetical order) and solves.
    private func solve(_ arguments: ToolArguments) async throws(CalcError) -> PluginToolOutput {
        let text = try arguments.required("equation", example: "{\"equation\": \"x^2 - 5*x + 6 = 0\", \"variable\": \"x\"}")
        let equations = Self.splitList(text)
        let joined = equations.joined(separator: ",")
        var unknowns: [String]
        if let given = try arguments.math("variable") {
            unknowns = Self.splitList(given.hasPrefix("[") && given.hasSuffix("]") ? String(given.dropFirst().dropLast()) : given)
            guard !unknowns.isEmpty, unknowns.allSatisfy(ToolArguments.isName) else {
                throw .invalidArgument(name: "variable", problem: "must name the unknowns, e.g. \"x\" or \"x,y\"; got '\(given)'.")
            }
        } else {
            let free = Variables.free(in: joined).sorted()
            unknowns = equations.count == 1 ? [Variables.pick(in: joined, preferred: "x")] : free
            if unknowns.isEmpty { unknowns = ["x"] }
        }
        let complex = try arguments.choice("domain", from: ["real", "complex"], default: "real") == "complex"
        let function = complex ? "csolve" : "solve"
        let system = equations.count > 1 || unknowns.count > 1
        let giac = system
            ? "\(function)([\(joined)],[\(unknowns.joined(separator: ","))])"
            : "\(function)(\(joined),\(unknowns[0]))"
        let exact = try requireDefined(try await compute(giac, input: text), input: text)
        let (answer, rootNote) = try await decimalsForRootOf(exact, giac: giac, input: text, real: !complex)
        var notes: [String] = []
        if let rootNote {
            notes.append(rootNote)
        } else if !text.contains("."), answer.exact.range(of: #"[0-9]\.[0-9]"#, options: .regularExpression) != nil {
            // Giac answers some equations (quartics) with decimals of its own accord.
            notes.append("Giac finds no exact form for these roots; they are decimals.")
        }
        if answer.exact == "[]" {
            notes.append(complex ? "No solution." : "No real solution. Try \"domain\": \"complex\".")
        } else if system {
            notes.append("Each solution is [\(unknowns.joined(separator: ","))].")
        } else {
            notes.append("Solutions for \(unknowns[0]).")
        }
        return ResultText.render(answer, notes: notes)
    }

    /// Splits a list (equations, unknowns, matrix rows) at top-level commas: "a=b, c=d", "a=b and c=d",
    /// "a=b; c=d" and "[a=b,c=d]" all give ["a=b", "c=d"].
    static func splitList(_ text: String) -> [String] {
        var body = text.replacingOccurrences(of: " and ", with: ",").replacingOccurrences(of: ";", with: ",")
        if body.hasPrefix("["), body.hasSuffix("]"), depthNeverZero(String(body.dropFirst().dropLast())) {
            body = String(body.dropFirst().dropLast())
        }
        var parts: [String] = []
        var current = ""
        var depth = 0
        for character in body {
            switch character {
            case "(", "[", "{": depth += 1
            case ")", "]", "}": depth -= 1
            default: break
            }
            if character == ",", depth == 0 {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Whether brackets in `text` stay balanced without ever closing below depth zero.
    private static func depthNeverZero(_ text: String) -> Bool {
        var depth = 0
        for character in text {
            if "([{".contains(character) { depth += 1 }
            if ")]}".contains(character) { depth -= 1 }
            if depth < 0 { return false }
        }
        return depth == 0
    }
}
