import Foundation

/// One evaluation question with a checkable answer (a line of `evals/*.jsonl`).
public struct EvalCase: Codable, Sendable, Hashable {
    /// How an answer is checked.
    public enum Check: String, Codable, Sendable {
        /// The answer, trimmed and case-folded, equals the expected text (or ends a sentence with it).
        case exact
        /// A number in the answer is within `tolerance` (relative) of the expected number.
        case number
        /// The answer contains the expected text (case-insensitive).
        case contains
    }

    /// A stable id, e.g. `math-07`.
    public var id: String
    /// The question; `{{site}}` stands for the local test site's base URL.
    public var question: String
    /// The agent to ask.
    public var agent: String
    /// The expected answer.
    public var expected: String
    /// How to check it.
    public var check: Check
    /// Relative tolerance for `number` checks (default 1e-6).
    public var tolerance: Double?
    /// Grouping for the report (arithmetic, word, symbolic, site, code, mixed, injection).
    public var category: String
    /// Answers that must not be given, e.g. the figure a page's prompt injection asks for: an answer that
    /// contains one fails (compared as numbers for `number` checks, as text otherwise).
    public var forbidden: [String]? = nil

    /// The question with the site URL filled in.
    public func question(site: String) -> String { question.replacingOccurrences(of: "{{site}}", with: site) }
}

/// Loads an evaluation set: JSON Lines, one `EvalCase` per line; blank lines and `#` comments are skipped.
public enum EvalSet {
    /// Errors in an evaluation file.
    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case unreadable(path: String)
        case badLine(path: String, line: Int, reason: String)
        case duplicateID(path: String, line: Int, id: String)

        public var description: String {
            switch self {
            case .unreadable(let path): return "\(path): cannot read the file"
            case .badLine(let path, let line, let reason): return "\(path):\(line): \(reason)"
            case .duplicateID(let path, let line, let id): return "\(path):\(line): id '\(id)' is used twice"
            }
        }
    }

    /// The cases of the file at `path`.
    public static func load(path: String) throws -> [EvalCase] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw LoadError.unreadable(path: path) }
        var cases: [EvalCase] = []
        var ids = Set<String>()
        for (index, line) in text.components(separatedBy: "\n").enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let item: EvalCase
            do { item = try JSONDecoder().decode(EvalCase.self, from: Data(trimmed.utf8)) } catch {
                throw LoadError.badLine(path: path, line: index + 1, reason: "\(error)")
            }
            guard ids.insert(item.id).inserted else { throw LoadError.duplicateID(path: path, line: index + 1, id: item.id) }
            cases.append(item)
        }
        return cases
    }
}
