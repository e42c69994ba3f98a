import AgentCore

/// Reads the answer out of a streamed `{"source": "s2", "answer": "…"}` object as the model writes it.
///
/// The planner's answer call is constrained JSON; what a person should see appear is the value of its
/// `answer` key. Text arrives in pieces of any size; `feed` returns the answer characters each piece
/// completes, JSON escapes decoded (`\n`, `\"`, `\u00e9`, surrogate pairs), and nothing after the
/// closing quote.
public struct AnswerStream {
    private enum State { case seekingKey, inString, done }
    private var state = State.seekingKey
    private var pending = ""
    private var escape: String?
    private var highSurrogate: UInt32?

    /// Creates a stream that has read nothing yet.
    public init() {}

    /// Takes the next piece of output and returns the answer text it adds.
    public mutating func feed(_ piece: String) -> String {
        var out = ""
        for character in piece {
            switch state {
            case .done:
                return out
            case .seekingKey:
                pending.append(character)
                if let range = pending.range(of: "\"answer\"") {
                    let rest = pending[range.upperBound...].filter { $0 != " " && $0 != "\n" && $0 != "\t" }
                    if rest == ":\"" { state = .inString; pending = "" } else if rest.count >= 2 { pending = "" }
                }
                if pending.count > 4096 { pending = String(pending.suffix(64)) }
            case .inString:
                out += take(character)
            }
        }
        return out
    }

    private mutating func take(_ character: Character) -> String {
        if var sequence = escape {
            sequence.append(character)
            if sequence.first == "u" {
                guard sequence.count == 5 else { escape = sequence; return "" }
                escape = nil
                guard let code = UInt32(sequence.dropFirst(), radix: 16) else { return "" }
                if (0xD800...0xDBFF).contains(code) { highSurrogate = code; return "" }
                if (0xDC00...0xDFFF).contains(code), let high = highSurrogate {
                    highSurrogate = nil
                    let scalar = 0x10000 + ((high - 0xD800) << 10) + (code - 0xDC00)
                    return Unicode.Scalar(scalar).map { String(Character($0)) } ?? ""
                }
                return Unicode.Scalar(code).map { String(Character($0)) } ?? ""
            }
            escape = nil
            switch character {
            case "n": return "\n"
            case "t": return "\t"
            case "r": return "\r"
            case "b", "f": return ""
            default: return String(character)  // \" \\ \/
            }
        }
        if character == "\\" { escape = ""; return "" }
        if character == "\"" { state = .done; return "" }
        return String(character)
    }
}
