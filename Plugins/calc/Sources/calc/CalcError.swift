import PluginKit

/// Everything that can go wrong in a calc tool call. Each case becomes an `isError` result whose
/// text tells the model what to change.
enum CalcError: Error, Equatable {
    /// A required argument is missing or empty.
    case missingArgument(name: String, example: String)
    /// An argument has the wrong form.
    case invalidArgument(name: String, problem: String)
    /// The input contains `?` (as in `x = 2+3 = ?`).
    case questionMark(argument: String)
    /// The input names a function that reaches files, programs or the engine's settings.
    case refusedFunction(name: String)
    /// The input contains a text string in double quotes.
    case textString(argument: String)
    /// The input is longer than the plugin accepts.
    case inputTooLong(argument: String, length: Int, limit: Int)
    /// Giac could not parse the input.
    case syntax(input: String, near: String)
    /// The input calls a function Giac does not know.
    case unknownFunction(name: String)
    /// The result is Giac's unsigned `infinity`: a division by zero.
    case divisionByZero(input: String)
    /// The result is `undef` (as from 0/0).
    case undefined(input: String)
    /// Giac raised an error while computing.
    case evaluation(input: String, message: String)
    /// The computation ran past the time budget and was stopped.
    case timeLimit(seconds: Double)
    /// The computation's process died (usually out of memory).
    case crashed(detail: String)
    /// The result was too large to transfer at all.
    case resultTooLarge(limitBytes: Int)
    /// Something in the plugin itself failed.
    case internalFailure(detail: String)

    /// The message the model reads.
    var message: String {
        switch self {
        case .missingArgument(let name, let example):
            return "Missing argument '\(name)'. Example: \(example)"
        case .invalidArgument(let name, let problem):
            return "Argument '\(name)' \(problem)"
        case .questionMark(let argument):
            return "Remove the '?' from '\(argument)': give only the expression to compute, e.g. '3*4+2' instead of 'x = 3*4+2 = ?'."
        case .refusedFunction(let name):
            return "'\(name)' is not available: calc only does mathematics (no files, programs or engine settings)."
        case .textString(let argument):
            return "'\(argument)' contains text in double quotes; calc takes math expressions only, e.g. '2*x+1'."
        case .inputTooLong(let argument, let length, let limit):
            return "'\(argument)' is \(length) characters long; the limit is \(limit). Shorten the expression."
        case .syntax(let input, let near):
            let position = near.isEmpty || !input.contains(near) ? "" : " near '\(near)'"
            return "Syntax error\(position) in '\(input)'. Check parentheses and operators; write products with * (2*x), powers with ^ (x^2)."
        case .unknownFunction(let name):
            return "Unknown function '\(name)'. Use standard names: sqrt, exp, ln, log10, sin, cos, tan, asin, acos, atan, abs, floor, factorial (n!), gcd, lcm, binomial. For a product write '*', e.g. a*(b+c)."
        case .divisionByZero(let input):
            return "Division by zero in '\(input)': the result is undefined. Check the denominators."
        case .undefined(let input):
            return "The result of '\(input)' is undefined (like 0/0). Check the expression, or use the limit tool."
        case .evaluation(let input, let message):
            return "Giac could not compute '\(input)': \(message). Check the arguments and try a simpler form."
        case .timeLimit(let seconds):
            return "Stopped: the computation took longer than the \(Self.format(seconds)) s limit. Try a smaller problem or an approximate form with evalf."
        case .crashed(let detail):
            return "The computation failed (\(detail)), most likely for lack of memory. Try a smaller problem."
        case .resultTooLarge(let limitBytes):
            return "The result is larger than \(limitBytes) bytes and was dropped. Ask for evalf(...) or a smaller problem."
        case .internalFailure(let detail):
            return "calc failed internally: \(detail)"
        }
    }

    /// The error as PluginKit's model-facing error.
    var toolError: PluginToolError { PluginToolError(message) }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
    }
}
