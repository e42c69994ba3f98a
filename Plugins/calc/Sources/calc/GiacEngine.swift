import CGiacShim
import Dispatch
import Foundation

/// The engine's answer to one Giac expression.
struct GiacAnswer: Sendable, Equatable {
    /// What kind of value came back, where it matters for how a tool reports it.
    enum Special: Sendable, Equatable {
        /// An ordinary value.
        case none
        /// Giac's unsigned `infinity`, as from 1/0.
        case unsignedInfinity
        /// `undef`, as from 0/0.
        case undefined
        /// `+infinity` or `-infinity`.
        case signedInfinity
    }

    /// The result in Giac syntax.
    var exact: String
    /// A decimal approximation (15 significant digits) when the exact form is a number that is not
    /// already a plain integer or decimal.
    var decimal: String?
    /// Infinity or undef, if the result is one.
    var special: Special
}

/// Runs Giac evaluations one at a time, each in a forked child process with a time limit
/// (see `child_process.cpp` in CGiacShim).
struct GiacEngine: Sendable {
    /// Wall-clock budget for one evaluation, in seconds.
    let timeLimit: Double
    /// Most bytes read back from one evaluation before it is dropped as too large.
    let maxResultBytes: Int

    private static let queue = DispatchQueue(label: "loom.calc.giac")

    /// Initialises Giac in this process (secure mode, output to stderr, warm caches).
    static func prepare() {
        loom_giac_prepare()
    }

    /// Evaluates `expression` (already Giac syntax). `input` is what the model wrote, for messages.
    func evaluate(_ expression: String, input: String) async throws(CalcError) -> GiacAnswer {
        let milliseconds = Int32(clamping: Int((timeLimit * 1000).rounded()))
        let limit = maxResultBytes
        let outcome: Outcome = await withCheckedContinuation { continuation in
            Self.queue.async {
                var raw = loom_giac_outcome()
                loom_giac_run(expression, milliseconds, limit, &raw)
                let outcome = Outcome(status: raw.status,
                                      text: raw.exact.map { String(cString: $0) } ?? "",
                                      decimal: raw.decimal.map { String(cString: $0) },
                                      special: raw.special)
                loom_giac_outcome_free(&raw)
                continuation.resume(returning: outcome)
            }
        }
        switch outcome.status {
        case LOOM_GIAC_OK:
            let special: GiacAnswer.Special = switch outcome.special {
            case 1: .unsignedInfinity
            case 2: .undefined
            case 3: .signedInfinity
            default: .none
            }
            return GiacAnswer(exact: outcome.text, decimal: outcome.decimal, special: special)
        case LOOM_GIAC_SYNTAX_ERROR:
            throw .syntax(input: input, near: outcome.text)
        case LOOM_GIAC_UNKNOWN_FUNCTION:
            throw .unknownFunction(name: outcome.text)
        case LOOM_GIAC_EVAL_ERROR:
            throw .evaluation(input: input, message: Self.cleanMessage(outcome.text))
        case LOOM_GIAC_TIMEOUT:
            throw .timeLimit(seconds: timeLimit)
        case LOOM_GIAC_CRASHED:
            throw .crashed(detail: outcome.text)
        case LOOM_GIAC_TOO_LARGE:
            throw .resultTooLarge(limitBytes: maxResultBytes)
        default:
            throw .internalFailure(detail: outcome.text)
        }
    }

    /// Giac messages end in boilerplate such as "Error: Bad Argument Value"; keep the informative part.
    static func cleanMessage(_ message: String) -> String {
        var text = message.trimmingCharacters(in: .whitespacesAndNewlines)
        for suffix in [" Error: Bad Argument Value", " Error: Bad Argument Type", " Error: Invalid dimension"]
        where text.hasSuffix(suffix) && text.count > suffix.count {
            text = String(text.dropLast(suffix.count))
        }
        return text.isEmpty ? "unknown error" : text
    }

    private struct Outcome: Sendable {
        var status: loom_giac_status
        var text: String
        var decimal: String?
        var special: Int32
    }
}
