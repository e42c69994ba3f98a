import AgentCore

/// A small JSON-Schema check of tool arguments before dispatch (type, required, enum, properties, items).
///
/// It only catches what a model gets wrong most often; the tool itself remains the final judge.
/// Strings that reference another step's result (`"{{s1}}"`) are accepted for any type.
enum ArgumentCheck {
    /// Problems found in `value` against `schema`; empty when it passes.
    static func problems(_ value: JSONValue, schema: JSONValue, path: String = "arguments") -> [String] {
        guard case .object(let rules) = schema else { return [] }
        if case .string(let text) = value, References.contains(text) { return [] }
        if case .object(let members) = value, members.count == 1, members["$ref"]?.stringValue != nil { return [] }
        if let type = rules["type"]?.stringValue, !matches(value, type: type) {
            return ["\(path) should be \(type), got \(kind(of: value))"]
        }
        if let options = rules["enum"]?.arrayValue, !options.contains(value) {
            return ["\(path) must be one of \(JSONValue.array(options).compactText)"]
        }
        var found: [String] = []
        if case .object(let members) = value {
            for key in (rules["required"]?.arrayValue ?? []).compactMap(\.stringValue) where members[key] == nil {
                found.append("\(path).\(key) is required")
            }
            let properties = rules["properties"]?.objectValue ?? [:]
            for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                if let sub = properties[key] {
                    found += problems(member, schema: sub, path: "\(path).\(key)")
                } else if rules["additionalProperties"] == .bool(false) {
                    found.append("\(path).\(key) is not an allowed argument")
                }
            }
        }
        if case .array(let items) = value, let itemSchema = rules["items"] {
            for (index, item) in items.enumerated() {
                found += problems(item, schema: itemSchema, path: "\(path)[\(index)]")
            }
        }
        return found
    }

    private static func matches(_ value: JSONValue, type: String) -> Bool {
        switch (type, value) {
        case ("string", .string), ("boolean", .bool), ("object", .object), ("array", .array), ("null", .null):
            return true
        case ("number", .int), ("number", .double): return true
        case ("integer", _): return value.intValue != nil
        default: return false
        }
    }

    private static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return "integer"
        case .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}
