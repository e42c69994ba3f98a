/// Errors reading, writing and replaying traces, each with the place it happened.
public enum TraceError: Error, CustomStringConvertible, Sendable {
    /// The file could not be opened, read or written.
    case io(path: String, reason: String)
    /// The file is empty.
    case empty(path: String)
    /// A line (1-based) is not a valid trace event.
    case malformedLine(line: Int, reason: String, excerpt: String)
    /// The first line is not a header.
    case missingHeader(found: String)
    /// A header appears again after line 1.
    case unexpectedHeader(line: Int)
    /// The header's schema version is not one this Loom reads.
    case unsupportedSchemaVersion(found: Int, supported: Int)
    /// Line numbers are out of order (an edited or spliced file).
    case outOfOrder(line: Int, expected: Int, found: Int)

    public var description: String {
        switch self {
        case .io(let path, let reason): return "\(path): \(reason)"
        case .empty(let path): return "\(path): the trace is empty"
        case .malformedLine(let line, let reason, let excerpt): return "line \(line): \(reason): \(excerpt)"
        case .missingHeader(let found): return "line 1: expected a header event, found \(found)"
        case .unexpectedHeader(let line): return "line \(line): a second header inside the trace"
        case .unsupportedSchemaVersion(let found, let supported):
            return "line 1: schema version \(found) is not supported (this Loom reads version \(supported))"
        case .outOfOrder(let line, let expected, let found):
            return "line \(line): sequence number \(found), expected \(expected)"
        }
    }
}
