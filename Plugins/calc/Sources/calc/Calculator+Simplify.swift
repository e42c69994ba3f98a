import Foundation
import MCP
import PluginKit

/// simplify: Giac's `simplify`, and for trigonometric, hyperbolic and exponential expressions the
/// simplest of several equal rewrites.
///
/// Giac's `simplify` alone leaves identities open that a reader expects closed (`cosh(x)^2-sinh(x)^2`
/// stays as it is) and rewrites others into a longer form (`2*sin(x)*cos(x)` becomes
/// `2*tan(x)/(tan(x)^2+1)`). So for such expressions the tool also simplifies the results of Giac's
/// trigonometric and hyperbolic rewrites (`Rewrite.all`), checks each candidate numerically against the
/// input, and keeps the one with the fewest operations (then the shortest text).
extension Calculator {
    /// One way of rewriting an expression before (or instead of) simplifying it.
    struct Rewrite: Sendable {
        /// Giac functions applied innermost first; `simplify` is applied last unless `simplifies` is false.
        let functions: [String]
        /// Whether Giac's `simplify` runs on the result.
        let simplifies: Bool

        /// The Giac text of this rewrite of `expression`.
        func giac(_ expression: String) -> String {
            let inner = functions.reduce(expression) { "\($1)(\($0))" }
            return simplifies ? "simplify(\(inner))" : inner
        }

        /// Giac's plain `simplify`, the first candidate and the answer for every other expression.
        static let plain = Rewrite(functions: [], simplifies: true)

        /// All candidates for a trigonometric, hyperbolic or exponential expression, in order of
        /// preference when two are equally simple: plain `simplify`, the expression as written (which
        /// `cos(3*x)` is best left as), products and powers linearised (`tlin`) or collected into
        /// multiple angles (`tcollect`), expanded (`texpand`), squares written in one function
        /// (`trigcos`, `trigsin`), and hyperbolics written as exponentials (`hyp2exp`), also collected.
        static let all: [Rewrite] = [
            plain, Rewrite(functions: [], simplifies: false),
            Rewrite(functions: ["tlin"], simplifies: true), Rewrite(functions: ["tcollect"], simplifies: true),
            Rewrite(functions: ["texpand"], simplifies: true), Rewrite(functions: ["texpand", "tcollect"], simplifies: true),
            Rewrite(functions: ["trigcos"], simplifies: true), Rewrite(functions: ["trigsin"], simplifies: true),
            Rewrite(functions: ["hyp2exp"], simplifies: true), Rewrite(functions: ["hyp2exp", "tcollect"], simplifies: true),
        ]
    }

    /// Function names that make an expression worth the trigonometric and hyperbolic rewrites.
    static let transcendentalNames: Set<String> = [
        "sin", "cos", "tan", "sec", "csc", "cot", "sinh", "cosh", "tanh", "exp", "e",
    ]

    /// Wall-clock budget for each extra rewrite, in seconds: `texpand(sin(100*x))` is a huge polynomial,
    /// and one rewrite that runs away must not hold the answer back for the full time limit.
    static let rewriteTimeLimit = 2.0

    /// `simplify`.
    var simplifyTool: PluginTool {
        tool("simplify",
             "Simplify an expression, including trigonometric and hyperbolic identities. Example: {\"expression\": \"(x^2-1)/(x-1)\"} gives x+1.",
             Schema.object([("expression", Schema.string("The expression to simplify."))], required: ["expression"])) { arguments throws(CalcError) in
            let expression = try arguments.required("expression", example: "{\"expression\": \"(x^2-1)/(x-1)\"}")
            return ResultText.render(try await simplest(expression))
        }
    }

    /// The simplest equal form of `expression` that Giac finds (see the extension's description).
    func simplest(_ expression: String) async throws(CalcError) -> GiacAnswer {
        let plain = try requireDefined(try await compute(Rewrite.plain.giac(expression), input: expression), input: expression)
        let names = Set(Variables.tokens(in: expression).map(\.name))
        guard !names.isDisjoint(with: Self.transcendentalNames), plain.special == .none else { return plain }

        let quick = GiacEngine(timeLimit: min(engine.timeLimit, Self.rewriteTimeLimit), maxResultBytes: engine.maxResultBytes)
        var candidates: [GiacAnswer] = [plain]
        for rewrite in Rewrite.all.dropFirst() {
            // A rewrite Giac cannot do, or that runs out of time, is no candidate.
            guard let answer = try? await quick.evaluate(rewrite.giac(expression), input: expression),
                  answer.special == .none, !candidates.contains(where: { $0.exact == answer.exact }) else { continue }
            candidates.append(answer)
        }
        let ranked = candidates.enumerated().sorted { first, second in
            let (a, b) = (Self.complexity(first.element.exact), Self.complexity(second.element.exact))
            return (a.operations, a.length, first.offset) < (b.operations, b.length, second.offset)
        }.map(\.element)
        guard ranked.first?.exact != plain.exact else { return plain }
        let equal = await equalNumerically(ranked.map(\.exact), to: expression, using: quick)
        return zip(ranked, equal).first { $0.1 || $0.0.exact == plain.exact }?.0 ?? plain
    }

    /// How complex Giac's text reads, as SymPy's `count_ops` counts: operators and function calls, then
    /// the length of the text.
    static func complexity(_ text: String) -> (operations: Int, length: Int) {
        let operators = text.filter { "+-*/^".contains($0) }.count
        let calls = Variables.tokens(in: text).filter(\.isCall).count
        return (operators + calls, text.count)
    }

    /// Whether each of `candidates` equals `expression` at two points (to 1e-9 relative), in one Giac
    /// call. A candidate that is undefined there, or complex where the input is not, counts as unequal.
    func equalNumerically(_ candidates: [String], to expression: String, using engine: GiacEngine) async -> [Bool] {
        let variables = Variables.free(in: expression)
        let differences = "[(\(expression))," + candidates.map { "(\($0))-(\(expression))" }.joined(separator: ",") + "]"
        let points = [["0.6180339887", "0.4142135623", "0.7320508075"], ["1.2599210498", "0.5772156649", "1.6487212707"]]
        let evaluations = points.map { point in
            variables.isEmpty ? differences
                : "subst(\(differences),[\(variables.joined(separator: ","))],[\(variables.indices.map { point[$0 % point.count] }.joined(separator: ","))])"
        }
        let unequal = Array(repeating: false, count: candidates.count)
        guard let answer = try? await engine.evaluate("evalf([\(evaluations.joined(separator: ","))])", input: expression) else {
            return unequal
        }
        let rows = answer.exact.dropFirst().dropLast().components(separatedBy: "],[").map {
            $0.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).split(separator: ",").map { Double($0) }
        }
        guard rows.count == points.count, rows.allSatisfy({ $0.count == candidates.count + 1 }) else { return unequal }
        return candidates.indices.map { index in
            rows.allSatisfy { row in
                guard let value = row[0], let difference = row[index + 1] else { return false }
                return abs(difference) <= 1e-9 * max(1, abs(value))
            }
        }
    }
}
