import MCP
import PluginKit

/// The calc plugin's tools over one Giac engine. Each tool turns its arguments into one Giac
/// expression, evaluates it in an isolated child process and renders the answer for the model.
struct Calculator: Sendable {
    /// The engine every tool evaluates with.
    let engine: GiacEngine

    /// All tools, in the order `tools/list` reports them (the manifest lists the same names).
    var tools: [PluginTool] {
        [evaluateTool, solveTool, differentiateTool, integrateTool, simplifyTool, factorTool, expandTool,
         limitTool, seriesTool, sumTool, matrixTool]
    }

    /// Wraps a typed-throwing body as a PluginKit tool whose errors reach the model as `isError` text.
    func tool(_ name: String, _ description: String, _ schema: Value,
              _ body: @escaping @Sendable (ToolArguments) async throws(CalcError) -> PluginToolOutput) -> PluginTool {
        PluginTool(name: name, description: description, inputSchema: schema) { arguments in
            do throws(CalcError) {
                return try await body(ToolArguments(values: arguments))
            } catch {
                throw error.toolError
            }
        }
    }

    /// Evaluates Giac text; `input` is what the model wrote, for error messages.
    func compute(_ giac: String, input: String) async throws(CalcError) -> GiacAnswer {
        try await engine.evaluate(giac, input: input)
    }

    /// Turns `infinity` (a division by zero) and `undef` into errors, for tools where they are not answers.
    func requireDefined(_ answer: GiacAnswer, input: String) throws(CalcError) -> GiacAnswer {
        switch answer.special {
        case .unsignedInfinity: throw .divisionByZero(input: input)
        case .undefined: throw .undefined(input: input)
        case .none, .signedInfinity: return answer
        }
    }

    /// Giac's `rootof(...)` (a root of a polynomial it cannot write with radicals) tells a reader nothing:
    /// such an answer is evaluated again as decimals (`giac` is the call that gave it; `real` keeps real
    /// parts only, for real solutions, where 20-digit evaluation leaves imaginary parts near 1e-20), with a
    /// note saying so. Any other answer comes back unchanged, without a note.
    func decimalsForRootOf(_ answer: GiacAnswer, giac: String, input: String, real: Bool = false) async throws(CalcError) -> (GiacAnswer, String?) {
        guard answer.exact.contains("rootof(") else { return (answer, nil) }
        // In brackets, so that a sequence (as `eigenvals` gives) is one argument of evalf.
        let value = real ? "re([\(giac)])" : "[\(giac)]"
        var decimals = try requireDefined(try await compute("evalf(\(value),\(Self.rootDigits))", input: input), input: input)
        guard !decimals.exact.contains("rootof("), decimals.exact.hasPrefix("["), decimals.exact.hasSuffix("]") else { return (answer, nil) }
        // The brackets added above come off again when they hold one value: a list of solutions or a number.
        let inner = String(decimals.exact.dropFirst().dropLast())
        if Self.splitList("[\(inner)]").count == 1 && (inner.hasPrefix("[") || !answer.exact.hasPrefix("[")) {
            decimals.exact = inner
        }
        return (decimals, "Giac finds no radical form for some of these roots; they are given as decimals (\(Self.rootDigits) significant digits).")
    }

    /// Significant digits of roots given as decimals.
    static let rootDigits = 20

    /// Evaluates `function(expression)` for the one-argument rewriting tools.
    func rewrite(_ function: String, _ arguments: ToolArguments, example: String) async throws(CalcError) -> PluginToolOutput {
        let expression = try arguments.required("expression", example: example)
        let answer = try await compute("\(function)(\(expression))", input: expression)
        return ResultText.render(try requireDefined(answer, input: expression))
    }
}
