import AgentCore

/// A strict JSON (RFC 8259) reader for manifest files that says where a problem is.
///
/// Foundation's decoder keeps the first of two equal keys, rejects deep nesting and numbers beyond a
/// `Double` with "not valid JSON" and no position. A manifest must not be ambiguous, so this reader
/// refuses a key given twice in one object (naming it), nesting deeper than `maxDepth` ("nested too
/// deeply", with the field path and line), and numbers no `Double` can hold (naming the field); every
/// syntax error gives its line and column.
struct ManifestJSONParser {
    /// The deepest nesting of arrays and objects accepted (a manifest needs four levels).
    static let maxDepth = 64

    private let bytes: [UInt8]
    private let file: String
    private var index = 0

    /// Parses `text`; `file` names the manifest in errors.
    ///
    /// - Throws: `PluginHostError.unreadableManifest` (syntax, depth) or `.invalidManifest` (a duplicate
    ///   key, a number out of range), each with the line and column.
    static func parse(_ text: String, file: String) throws -> JSONValue {
        var parser = ManifestJSONParser(bytes: Array(text.utf8), file: file)
        parser.skipWhitespace()
        let value = try parser.value(path: "", depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw parser.syntax("unexpected text after the document") }
        return value
    }

    private init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    // MARK: - Values

    private mutating func value(path: String, depth: Int) throws -> JSONValue {
        guard let byte = peek else { throw syntax("the document ends where a value was expected") }
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard depth < Self.maxDepth else {
                throw PluginHostError.unreadableManifest(
                    file: file, reason: "JSON nested too deeply: more than \(Self.maxDepth) levels of arrays and objects "
                        + "at \(position(of: index))\(path.isEmpty ? "" : ", inside field '\(Self.shorten(path))'")")
            }
            return byte == UInt8(ascii: "{") ? try object(path: path, depth: depth + 1)
                                             : try array(path: path, depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number(path: path)
        default: throw syntax("expected a value (an object, array, string, number, true, false or null)")
        }
    }

    private mutating func object(path: String, depth: Int) throws -> JSONValue {
        index += 1
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if peek == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard peek == UInt8(ascii: "\"") else { throw syntax("expected a field name in double quotes") }
            let keyStart = index
            let key = try string()
            let field = path.isEmpty ? key : "\(path).\(key)"
            if members[key] != nil {
                throw PluginHostError.invalidManifest(
                    file: file, field: Self.shorten(field), expected: "each field at most once in an object",
                    found: "'\(Self.shorten(key))' a second time at \(position(of: keyStart))")
            }
            skipWhitespace()
            guard peek == UInt8(ascii: ":") else { throw syntax("expected ':' after the field name") }
            index += 1
            skipWhitespace()
            members[key] = try value(path: field, depth: depth)
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw syntax("expected ',' or '}' in the object")
            }
        }
    }

    private mutating func array(path: String, depth: Int) throws -> JSONValue {
        index += 1
        var items: [JSONValue] = []
        skipWhitespace()
        if peek == UInt8(ascii: "]") { index += 1; return .array(items) }
        while true {
            skipWhitespace()
            items.append(try value(path: "\(path)[\(items.count)]", depth: depth))
            skipWhitespace()
            switch peek {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return .array(items)
            default: throw syntax("expected ',' or ']' in the array")
            }
        }
    }

    private mutating func literal(_ word: String, _ value: JSONValue) throws -> JSONValue {
        let utf8 = Array(word.utf8)
        guard bytes.count - index >= utf8.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
            throw syntax("expected a value (an object, array, string, number, true, false or null)")
        }
        index += utf8.count
        return value
    }

    private mutating func number(path: String) throws -> JSONValue {
        let start = index
        func digits() -> Int {
            let from = index
            while let byte = peek, byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") { index += 1 }
            return index - from
        }
        if peek == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0 else { throw syntax("expected a digit") }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            throw syntax("a number may not start with 0", at: integerStart)
        }
        var isInteger = true
        if peek == UInt8(ascii: ".") {
            index += 1
            isInteger = false
            guard digits() > 0 else { throw syntax("expected a digit after the decimal point") }
        }
        if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
            index += 1
            isInteger = false
            if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw syntax("expected a digit in the exponent") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int(text) { return .int(integer) }
        guard let double = Double(text), double.isFinite else {
            throw PluginHostError.invalidManifest(
                file: file, field: path.isEmpty ? "manifest" : Self.shorten(path),
                expected: "a number within the range of a 64-bit float",
                found: "the number \(text.count > 40 ? String(text.prefix(37)) + "..." : text) at \(position(of: start))")
        }
        return .double(double)
    }

    private mutating func string() throws -> String {
        let open = index
        index += 1
        var scalars = String.UnicodeScalarView()
        var runStart = index
        func flushRun() {
            if runStart < index { scalars.append(contentsOf: String(decoding: bytes[runStart..<index], as: UTF8.self).unicodeScalars) }
        }
        while true {
            guard let byte = peek else { throw syntax("the string starting here is not closed", at: open) }
            if byte == UInt8(ascii: "\"") {
                flushRun()
                index += 1
                return String(scalars)
            }
            if byte < 0x20 { throw syntax("a control character (\(byte)) must be escaped inside a string") }
            guard byte == UInt8(ascii: "\\") else { index += 1; continue }
            flushRun()
            let escapeStart = index
            index += 1
            guard let escaped = peek else { throw syntax("the string starting here is not closed", at: open) }
            index += 1
            switch escaped {
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "/"): scalars.append("/")
            case UInt8(ascii: "b"): scalars.append("\u{08}")
            case UInt8(ascii: "f"): scalars.append("\u{0C}")
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "u"):
                var code = try hex4(escapeStart)
                if (0xD800...0xDBFF).contains(code) {
                    guard peek == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                        throw syntax("an unpaired UTF-16 surrogate escape", at: escapeStart)
                    }
                    index += 2
                    let low = try hex4(escapeStart)
                    guard (0xDC00...0xDFFF).contains(low) else { throw syntax("an unpaired UTF-16 surrogate escape", at: escapeStart) }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                }
                guard let scalar = Unicode.Scalar(code) else { throw syntax("an unpaired UTF-16 surrogate escape", at: escapeStart) }
                scalars.append(scalar)
            default: throw syntax("an unknown escape in a string", at: escapeStart)
            }
            runStart = index
        }
    }

    private mutating func hex4(_ escapeStart: Int) throws -> UInt32 {
        guard bytes.count - index >= 4 else { throw syntax("expected four hex digits after \\u", at: escapeStart) }
        var code: UInt32 = 0
        for byte in bytes[index..<index + 4] {
            guard let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else {
                throw syntax("expected four hex digits after \\u", at: escapeStart)
            }
            code = code * 16 + digit
        }
        index += 4
        return code
    }

    // MARK: - Positions and errors

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = peek, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    /// "line L, column C" of byte `offset` (columns count characters, from 1).
    private func position(of offset: Int) -> String {
        let end = min(offset, bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<end where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        let column = String(decoding: bytes[lineStart..<end], as: UTF8.self).count + 1
        return "line \(line), column \(column)"
    }

    private func syntax(_ problem: String, at offset: Int? = nil) -> PluginHostError {
        .unreadableManifest(file: file, reason: "not valid JSON: \(problem) at \(position(of: offset ?? index))")
    }

    /// A field path cut to a readable length.
    private static func shorten(_ path: String) -> String {
        path.count > 120 ? String(path.prefix(117)) + "..." : path
    }
}
