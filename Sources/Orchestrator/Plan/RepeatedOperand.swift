import AgentCore
import Foundation

/// Finds a follow-up step that applies a number again which the step it builds on already used:
/// after `s1: 2600*45 + 380`, the follow-up `{{s1}} + 380` adds the 380 a second time.
/// Small models do this when the question has several parts and one expression already did them all.
///
/// A follow-up step builds on an earlier step when it references it (`{{s1}}`) or copies its value
/// (`29/6 + 2/3` after s1 gave `29/6`). Operands are numbers or fractions of two characters or more
/// (`380`, `2/3`, `0.65`), so small constants such as 2 or 1 do not count, except when the follow-up
/// is the earlier step's operation again on its result (`{{s2}} * 3` after `s2: {{s1}} * 3`, or
/// `1.41421356*6` after `s2: {{s1}}*6` gave `1.41421356`).
public enum RepeatedOperand {
    /// One finding: the follow-up step, the earlier step, and the operand both use.
    public struct Finding: Sendable, Equatable, CustomStringConvertible {
        /// The follow-up step's id.
        public var step: String
        /// The earlier step's id.
        public var earlier: String
        /// The earlier step's expression, as written.
        public var earlierExpression: String
        /// The operand used by both.
        public var operand: String

        public var description: String {
            "\(step) applies \(operand) to the result of \(earlier), but \(earlier) (\(earlierExpression)) already includes \(operand)"
        }
    }

    /// The first repeated operand in `plan`, whose steps follow `earlier` steps with these results.
    public static func find(in plan: Plan, earlier: [(step: Plan.Step, value: String)]) -> Finding? {
        for step in plan.steps {
            for text in strings(in: step.arguments) {
                for (before, value) in earlier {
                    guard let expression = strings(in: before.arguments).first(where: { !$0.isEmpty }) else { continue }
                    var rest = text.replacingOccurrences(of: "{{\(before.id)}}", with: " ")
                    let references = rest != text
                    let copied = value.count >= 2 && rest.contains(value)
                    guard references || copied else { continue }
                    let shaped = copied ? text.replacingOccurrences(of: value, with: "{{\(before.id)}}") : text
                    if let operation = sameOperation(shaped, expression) {
                        return Finding(step: step.id, earlier: before.id, earlierExpression: expression, operand: operation)
                    }
                    if copied { rest = rest.replacingOccurrences(of: value, with: " ") }
                    let used = Set(operands(in: expression))
                    if let operand = operands(in: rest).first(where: used.contains) {
                        return Finding(step: step.id, earlier: before.id, earlierExpression: expression, operand: operand)
                    }
                }
            }
        }
        return nil
    }

    /// The operation both expressions apply to a referenced result (`* 5` for `{{s2}} * 5` and
    /// `{{s1}} * 5`), when they are the same apart from which step they reference.
    static func sameOperation(_ text: String, _ earlier: String) -> String? {
        let reference = #"\{\{\s*[A-Za-z0-9_]+\s*\}\}"#
        func template(_ expression: String) -> String {
            expression.replacingOccurrences(of: reference, with: "{{}}", options: .regularExpression).filter { !$0.isWhitespace }
        }
        let shape = template(text)
        guard shape.contains("{{}}"), shape != "{{}}", shape == template(earlier) else { return nil }
        return shape.replacingOccurrences(of: "{{}}", with: "")
    }

    /// The numbers and fractions of two characters or more in an expression, thousands commas dropped.
    static func operands(in text: String) -> [String] {
        let plain = text.replacingOccurrences(of: #"(?<=\d),(?=\d{3}\b)"#, with: "", options: .regularExpression)
        let pattern = #"(?<![\w.])\d+(?:\.\d+)?(?:\s*/\s*\d+(?:\.\d+)?)?(?![\w.])"#
        guard let regex = try? NSRegularExpression(pattern: pattern) else { return [] }
        let range = NSRange(plain.startIndex..., in: plain)
        return regex.matches(in: plain, range: range).compactMap { match in
            Range(match.range, in: plain).map { String(plain[$0]).filter { !$0.isWhitespace } }
        }.filter { $0.count >= 2 }
    }

    /// Every string inside a JSON value.
    static func strings(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): return [text]
        case .array(let items): return items.flatMap(strings)
        case .object(let members): return members.keys.sorted().flatMap { strings(in: members[$0]!) }
        default: return []
        }
    }
}
