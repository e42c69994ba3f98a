import Foundation
import AgentCore

/// References from one step's arguments to earlier results: `"{{s1}}"` in strings, or `{"$ref": "s1"}`.
enum References {
    /// Whether the text contains a `{{id}}` reference.
    static func contains(_ text: String) -> Bool { !ids(inText: text).isEmpty }

    /// Every step id referenced anywhere in `value`, in first-seen order.
    static func ids(in value: JSONValue) -> [String] {
        var found: [String] = []
        func visit(_ v: JSONValue) {
            switch v {
            case .string(let s): found += ids(inText: s)
            case .array(let items): items.forEach(visit)
            case .object(let members):
                if members.count == 1, let ref = members["$ref"]?.stringValue { found.append(ref); return }
                members.keys.sorted().forEach { visit(members[$0] ?? .null) }
            default: break
            }
        }
        visit(value)
        var seen = Set<String>()
        return found.filter { seen.insert($0).inserted }
    }

    /// The ids inside `{{…}}` markers of one string.
    static func ids(inText text: String) -> [String] {
        var result: [String] = []
        var rest = text[...]
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let id = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if !id.isEmpty, id.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) { result.append(id) }
            rest = rest[close.upperBound...]
        }
        return result
    }

    /// What a reference to `result` stands for: the `result` member of its structured content when the
    /// tool gives one as a string (calc's exact value, without the decimal line and notes of its text);
    /// for a program that exited 0 with output and nothing on stderr (structured `exit_code` and `stdout`,
    /// as code-runner gives), what it printed; otherwise the whole text.
    static func value(of result: ToolResult) -> String {
        if let value = result.structured?["result"]?.stringValue { return value }
        if let structured = result.structured, structured["exit_code"] == .int(0),
           let printed = structured["stdout"]?.stringValue?.trimmingCharacters(in: .whitespacesAndNewlines),
           !printed.isEmpty, structured["stderr"]?.stringValue?.isEmpty ?? true {
            return printed
        }
        return result.content.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// `value` with every reference replaced by the referenced result text.
    static func resolve(_ value: JSONValue, results: [String: String]) -> JSONValue {
        switch value {
        case .string(let s): return .string(substitute(s, results: results))
        case .array(let items): return .array(items.map { resolve($0, results: results) })
        case .object(let members):
            if members.count == 1, let ref = members["$ref"]?.stringValue, let text = results[ref] { return .string(text) }
            return .object(members.mapValues { resolve($0, results: results) })
        default: return value
        }
    }

    /// `value` with references to step `old` pointing at step `new` instead.
    static func rename(_ old: String, to new: String, in value: JSONValue) -> JSONValue {
        switch value {
        case .string(let s):
            return .string(replacing(old, with: "{{\(new)}}", in: s))
        case .array(let items): return .array(items.map { rename(old, to: new, in: $0) })
        case .object(let members):
            if members.count == 1, members["$ref"]?.stringValue == old { return ["$ref": .string(new)] }
            return .object(members.mapValues { rename(old, to: new, in: $0) })
        default: return value
        }
    }

    private static func substitute(_ text: String, results: [String: String]) -> String {
        var output = text
        for id in ids(inText: text) {
            guard let value = results[id] else { continue }
            output = replacing(id, with: value, in: output)
        }
        return output
    }

    /// `text` with every way of writing a reference to `id` (`{{id}}`, `{{ id }}`, …) replaced.
    private static func replacing(_ id: String, with replacement: String, in text: String) -> String {
        var output = text
        for form in ["{{\(id)}}", "{{ \(id) }}", "{{\(id) }}", "{{ \(id)}}"] {
            output = output.replacingOccurrences(of: form, with: replacement)
        }
        return output
    }
}
