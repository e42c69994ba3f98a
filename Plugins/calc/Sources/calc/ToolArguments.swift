import Foundation
import MCP
import PluginKit

/// Reading tool arguments the way small models send them: numbers where strings were asked for,
/// names in different cases, lists as JSON arrays or as text.
struct ToolArguments {
    /// The raw arguments object.
    let values: [String: Value]

    /// A math argument (expression, bound, point) as normalised Giac text, or nil when absent.
    func math(_ key: String) throws(CalcError) -> String? {
        guard let value = values[key], !value.isNull else { return nil }
        switch value {
        case .string(let text):
            return try MathInput.normalize(text, argument: key)
        case .int(let number):
            return String(number)
        case .double(let number):
            guard number.isFinite else { throw .invalidArgument(name: key, problem: "must be a finite number or an expression.") }
            return String(number)
        case .array(let items):
            var parts: [String] = []
            for item in items { parts.append(try ToolArguments(values: [key: item]).required(key, example: "")) }
            return "[\(parts.joined(separator: ","))]"
        default:
            throw .invalidArgument(name: key, problem: "must be a math expression written as text, e.g. \"x^2+1\".")
        }
    }

    /// A required math argument; `example` is shown when it is missing.
    func required(_ key: String, example: String) throws(CalcError) -> String {
        guard let text = try math(key) else { throw .missingArgument(name: key, example: example) }
        return text
    }

    /// A variable name (`x`, `t`, `theta`), or `fallback` when absent.
    func variable(_ key: String, default fallback: String) throws(CalcError) -> String {
        guard let text = try math(key) else { return fallback }
        guard Self.isName(text) else {
            throw .invalidArgument(name: key, problem: "must be a single variable name such as x, got '\(text)'.")
        }
        return text
    }

    /// An integer in `range`, or `fallback` when absent.
    func integer(_ key: String, in range: ClosedRange<Int>, default fallback: Int?) throws(CalcError) -> Int? {
        guard let value = values[key], !value.isNull else { return fallback }
        let number: Int? = switch value {
        case .int(let int): int
        case .double(let double) where double.rounded() == double && abs(double) < 1e9: Int(double)
        case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
        default: nil
        }
        guard let number, range.contains(number) else {
            throw .invalidArgument(name: key, problem: "must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }

    /// One of `choices` (case-insensitive), or `fallback` when absent.
    func choice(_ key: String, from choices: [String], default fallback: String) throws(CalcError) -> String {
        guard let value = values[key], !value.isNull else { return fallback }
        guard let text = value.stringValue?.trimmingCharacters(in: .whitespaces).lowercased(),
              choices.contains(text) else {
            throw .invalidArgument(name: key, problem: "must be one of: \(choices.joined(separator: ", ")).")
        }
        return text
    }

    /// Whether `text` is a plain identifier (letters, digits, `_`; not starting with a digit).
    static func isName(_ text: String) -> Bool {
        guard let first = text.first, first.isLetter || first == "_" else { return false }
        return text.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" }
    }
}
