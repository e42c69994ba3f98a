import Foundation

/// Pretty-prints JSON text, keeping key order and number spelling exactly as sent.
enum JSONFormatter {
    /// The JSON re-indented with two spaces, or nil when `text` is not valid JSON.
    static func prettyPrint(_ text: String) -> String? {
        guard let data = text.data(using: .utf8),
              (try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])) != nil else { return nil }
        let scalars = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var depth = 0
        var index = 0
        var inString = false
        var escaped = false
        func newline() {
            out.append("\n")
            out.append(contentsOf: String(repeating: "  ", count: depth).unicodeScalars)
        }
        while index < scalars.count {
            let scalar = scalars[index]
            index += 1
            if inString {
                out.append(scalar)
                if escaped { escaped = false } else if scalar == "\\" { escaped = true } else if scalar == "\"" { inString = false }
                continue
            }
            switch scalar {
            case "\"":
                inString = true
                out.append(scalar)
            case "{", "[":
                var next = index
                while next < scalars.count, scalars[next].isASCIIWhitespace { next += 1 }
                if next < scalars.count, scalars[next] == (scalar == "{" ? "}" : "]") {
                    out.append(scalar)
                    out.append(scalars[next])
                    index = next + 1
                } else {
                    out.append(scalar)
                    depth += 1
                    newline()
                }
            case "}", "]":
                depth -= 1
                newline()
                out.append(scalar)
            case ",":
                out.append(scalar)
                newline()
            case ":":
                out.append(contentsOf: ": ".unicodeScalars)
            default:
                if !scalar.isASCIIWhitespace { out.append(scalar) }
            }
        }
        return String(out)
    }
}
