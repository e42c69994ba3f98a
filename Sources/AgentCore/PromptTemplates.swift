import Foundation

/// The prompt texts a planner strategy sends, kept as data (`Agents/prompts/<name>.prompts`) rather than in
/// code, with a version that the trace header records with the agent.
///
/// The file format is plain text: `version: N` on a line of its own, then one section per template, each
/// headed by its name in brackets on a line of its own (`[plan-system]`); the text runs to the next
/// heading, without its trailing blank lines. Lines starting with `#` before the first heading are comments.
/// In a template, `${name}` stands for a value the planner fills in; `${name?text}` is `text` (itself
/// with `${...}` filled in) when `name` is given and not empty, and nothing otherwise.
public struct PromptTemplates: Codable, Hashable, Sendable {
    /// The name of the set (the file's name without extension), e.g. `plan-execute`.
    public var name: String
    /// The set's version; raised whenever a text changes what the model is asked.
    public var version: Int
    /// The templates by section name.
    public var texts: [String: String]

    /// Creates a set.
    public init(name: String, version: Int, texts: [String: String]) {
        self.name = name
        self.version = version
        self.texts = texts
    }

    /// What is wrong with a prompt file.
    public struct ParseError: Error, CustomStringConvertible, Sendable, Hashable {
        /// The line the problem is on (1-based), or 0 for the whole file.
        public var line: Int
        /// What is wrong.
        public var reason: String
        public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
    }

    /// Parses a prompt file's text; `required` are the sections the strategy needs.
    public static func parse(_ text: String, name: String, required: [String] = []) throws -> PromptTemplates {
        var version: Int?
        var texts: [String: String] = [:]
        var current: String?
        var lines: [Substring] = []
        func close() {
            guard let current else { return }
            while let last = lines.last, last.allSatisfy(\.isWhitespace) { lines.removeLast() }
            texts[current] = lines.joined(separator: "\n")
            lines = []
        }
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("["), trimmed.hasSuffix("]"), trimmed.count > 2,
               trimmed.dropFirst().dropLast().allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) {
                close()
                let section = String(trimmed.dropFirst().dropLast())
                guard texts[section] == nil else { throw ParseError(line: index + 1, reason: "section [\(section)] is given twice") }
                current = section
                continue
            }
            if current != nil {
                if !(lines.isEmpty && trimmed.isEmpty) { lines.append(line) }
                continue
            }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            if trimmed.hasPrefix("version:"), let number = Int(trimmed.dropFirst("version:".count).trimmingCharacters(in: .whitespaces)),
               version == nil {
                version = number
                continue
            }
            throw ParseError(line: index + 1, reason: "expected 'version: N', a comment or a [section] heading, found '\(trimmed.prefix(60))'")
        }
        close()
        guard let version else { throw ParseError(line: 0, reason: "no 'version: N' line before the first section") }
        let missing = required.filter { texts[$0] == nil }
        guard missing.isEmpty else {
            throw ParseError(line: 0, reason: "missing section\(missing.count == 1 ? "" : "s") " + missing.map { "[\($0)]" }.joined(separator: ", "))
        }
        for (section, body) in texts {
            if let problem = Self.unbalanced(body) { throw ParseError(line: 0, reason: "[\(section)]: \(problem)") }
        }
        return PromptTemplates(name: name, version: version, texts: texts)
    }

    /// Reads and parses a prompt file; the set is named after the file (`plan-execute.prompts` →
    /// `plan-execute`).
    public static func load(file: URL, required: [String] = []) throws -> PromptTemplates {
        let text = try String(contentsOf: file, encoding: .utf8)
        return try parse(text, name: file.deletingPathExtension().lastPathComponent, required: required)
    }

    /// The section `name` with `values` filled in. A section the set lacks is an empty text (a set is
    /// checked for the sections its strategy needs when it is loaded).
    public func render(_ section: String, _ values: [String: String] = [:]) -> String {
        Self.fill(texts[section] ?? "", values)
    }

    /// Fills `${name}` and `${name?text}` in `template`.
    static func fill(_ template: String, _ values: [String: String]) -> String {
        var output = ""
        var rest = template[...]
        while let start = rest.range(of: "${") {
            output += rest[..<start.lowerBound]
            guard let end = closingBrace(in: rest[start.upperBound...]) else {
                output += rest[start.lowerBound...]
                return output
            }
            let inside = rest[start.upperBound..<end]
            if let mark = inside.firstIndex(of: "?") {
                let key = String(inside[..<mark])
                if let value = values[key], !value.isEmpty { output += fill(String(inside[inside.index(after: mark)...]), values) }
            } else {
                output += values[String(inside)] ?? ""
            }
            rest = rest[rest.index(after: end)...]
        }
        return output + rest
    }

    /// The `}` that closes a `${` whose body starts at `text`'s start; braces inside it must pair.
    private static func closingBrace(in text: Substring) -> Substring.Index? {
        var depth = 0
        var index = text.startIndex
        while index < text.endIndex {
            if text[index] == "{" { depth += 1 }
            if text[index] == "}" {
                if depth == 0 { return index }
                depth -= 1
            }
            index = text.index(after: index)
        }
        return nil
    }

    /// A description of an unclosed `${`, if the text has one.
    private static func unbalanced(_ text: String) -> String? {
        var rest = text[...]
        while let start = rest.range(of: "${") {
            guard let end = closingBrace(in: rest[start.upperBound...]) else {
                return "'${' without its closing '}' near '\(rest[start.lowerBound...].prefix(40))'"
            }
            rest = rest[rest.index(after: end)...]
        }
        return nil
    }
}
