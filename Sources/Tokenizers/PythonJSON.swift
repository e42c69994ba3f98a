import AgentCore

/// JSON text as Python's `json.dumps(value, ensure_ascii=False)` writes it — what Jinja's `tojson`
/// produces inside Hugging Face chat templates, so prompts match what the model saw in training.
///
/// Separators are `", "` and `": "`; non-ASCII text is written as is; object keys follow the given
/// order, or sorted order for `JSONValue` objects (which do not keep one).
enum PythonJSON {
    /// An object with a fixed key order (the tool wrapper `{"type": ..., "function": ...}`).
    static func object(_ members: [(String, String)]) -> String {
        "{" + members.map { quote($0.0) + ": " + $0.1 }.joined(separator: ", ") + "}"
    }

    /// Serializes a JSON value.
    static func dumps(_ value: JSONValue) -> String {
        var out = ""
        write(value, to: &out)
        return out
    }

    private static func write(_ value: JSONValue, to out: inout String) {
        switch value {
        case .null: out += "null"
        case let .bool(b): out += b ? "true" : "false"
        case let .int(i): out += String(i)
        case let .double(d): out += number(d)
        case let .string(s): out += quote(s)
        case let .array(items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += ", " }
                write(item, to: &out)
            }
            out += "]"
        case let .object(members):
            out += "{"
            for (i, key) in members.keys.sorted().enumerated() {
                if i > 0 { out += ", " }
                out += quote(key) + ": "
                write(members[key] ?? .null, to: &out)
            }
            out += "}"
        }
    }

    /// Python's `repr(float)`: integral values keep a `.0`, non-finite values are `NaN`/`Infinity`.
    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        if d == d.rounded(), abs(d) < 1e16 { return String(Int64(d)) + ".0" }
        return "\(d)"
    }

    /// A JSON string literal with Python's escapes.
    static func quote(_ s: String) -> String { JSONText.quote(s) }
}

/// JSON string literals as Python's `json.dumps(ensure_ascii=False)` writes them: `"` and `\` escaped,
/// `\n \r \t \b \f` by name, other control characters as `\u00XX`, everything else as is.
public enum JSONText {
    /// The JSON string literal for `s`, quotes included.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
