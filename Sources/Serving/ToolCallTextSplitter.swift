import Foundation

/// Splits the text of a tool call as it is generated, `{"name": "NAME", "arguments": ARGS}` (the call
/// schema writes the name first), into the tool's name, as soon as it is complete, and the argument
/// text, released as it grows: what is released is always a prefix of the final `ARGS`, because a
/// trailing `}` (which may close the call rather than the arguments) and white space are held back.
final class ToolCallTextSplitter: @unchecked Sendable {
    /// A piece of the call.
    enum Piece: Equatable {
        /// The tool's name (once).
        case name(String)
        /// More argument text.
        case arguments(String)
    }

    private let lock = NSLock()
    private var text = ""
    private var named = false
    private var sent = 0

    /// The call's opening up to its arguments: the name is the first capture.
    private static let header = try! NSRegularExpression(
        pattern: #"^\s*\{\s*"name"\s*:\s*"((?:[^"\\]|\\.)*)"\s*,\s*"arguments"\s*:\s*"#)

    /// Adds generated text; returns what is now known.
    func append(_ piece: String) -> [Piece] {
        lock.withLock {
            text += piece
            guard let (name, arguments) = Self.split(text) else { return [] }
            var pieces: [Piece] = []
            if !named {
                named = true
                pieces.append(.name(name))
            }
            let releasable = Self.trimmed(arguments)
            if releasable.count > sent {
                pieces.append(.arguments(String(String.UnicodeScalarView(releasable[sent...]))))
                sent = releasable.count
            }
            return pieces
        }
    }

    /// At the end of the call: whether the name was never reported, and the argument text not yet
    /// released (nil when the text is not a call).
    func finish() -> (started: Bool, arguments: String)? {
        lock.withLock {
            guard let final = Self.argumentText(of: text) else { return nil }
            let scalars = Array(final.unicodeScalars)
            let rest = sent < scalars.count ? String(String.UnicodeScalarView(scalars[sent...])) : ""
            defer { named = true; sent = scalars.count }
            return (!named, rest)
        }
    }

    /// The exact argument text of a complete call (nil when the text is not a call).
    static func argumentText(of call: String) -> String? {
        guard let (_, arguments) = split(call) else { return nil }
        let scalars = trimmed(arguments)
        return String(String.UnicodeScalarView(scalars))
    }

    /// The name and the text after `"arguments":`, once the header is complete.
    private static func split(_ text: String) -> (String, [Unicode.Scalar])? {
        let range = NSRange(text.startIndex..., in: text)
        guard let match = header.firstMatch(in: text, range: range),
              let nameRange = Range(match.range(at: 1), in: text), let end = Range(match.range, in: text)?.upperBound else {
            return nil
        }
        let name = (try? JSONDecoder().decode(String.self, from: Data("\"\(text[nameRange])\"".utf8))) ?? String(text[nameRange])
        return (name, Array(text[end...].unicodeScalars))
    }

    /// `scalars` without trailing white space and one trailing `}`: in a complete call that brace
    /// closes the call; while the call grows, a last `}` is held back in case it is that brace.
    private static func trimmed(_ scalars: [Unicode.Scalar]) -> [Unicode.Scalar] {
        var end = scalars.count
        while end > 0, scalars[end - 1].properties.isWhitespace { end -= 1 }
        if end > 0, scalars[end - 1] == "}" {
            end -= 1
            while end > 0, scalars[end - 1].properties.isWhitespace { end -= 1 }
        }
        return Array(scalars[..<end])
    }
}
