import Foundation

/// An incremental reader of a `text/event-stream` body (Server-Sent Events, as MCP's Streamable HTTP
/// transport sends JSON-RPC messages).
///
/// Mirrors the WHATWG HTML "event stream interpretation": lines end in LF, CR or CRLF; `data:` lines
/// of one event are joined with LF; a blank line dispatches the event; `:` starts a comment; `event`, `id`
/// and `retry` are kept or ignored as MCP needs (only `message` events carry JSON-RPC). Bytes arrive in any
/// chunking; one event may not exceed `maxEventBytes` (the plugin's `max_output_bytes`).
struct ServerSentEvents {
    /// One dispatched event.
    struct Event: Equatable {
        /// The `event:` field (`message` when absent).
        var type: String
        /// The `data:` lines joined with LF.
        var data: String
        /// The last `id:` seen, if any.
        var id: String?
    }

    /// Thrown when one event grows beyond the limit.
    struct EventTooLarge: Error, Equatable {
        let limit: Int
    }

    private let maxEventBytes: Int
    private var line: [UInt8] = []
    private var data: [UInt8] = []
    private var hasData = false
    private var type = ""
    private var lastID: String?
    private var afterCR = false

    /// Creates a reader whose events (and lines) may hold at most `maxEventBytes` bytes.
    init(maxEventBytes: Int) { self.maxEventBytes = maxEventBytes }

    /// Feeds the next bytes and returns the events they complete.
    mutating func feed<Bytes: Sequence>(_ bytes: Bytes) throws -> [Event] where Bytes.Element == UInt8 {
        var events: [Event] = []
        for byte in bytes {
            if afterCR {
                afterCR = false
                if byte == 0x0A { continue }
            }
            if byte == 0x0A || byte == 0x0D {
                afterCR = byte == 0x0D
                if let event = try endLine() { events.append(event) }
                continue
            }
            line.append(byte)
            if line.count + data.count > maxEventBytes { throw EventTooLarge(limit: maxEventBytes) }
        }
        return events
    }

    private mutating func endLine() throws -> Event? {
        defer { line.removeAll(keepingCapacity: true) }
        if line.isEmpty {
            defer { data.removeAll(keepingCapacity: true); hasData = false; type = "" }
            guard hasData else { return nil }
            return Event(type: type.isEmpty ? "message" : type, data: String(decoding: data, as: UTF8.self), id: lastID)
        }
        if line.first == 0x3A { return nil }  // ":" comment
        let field: [UInt8], value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: 0x3A) {
            field = Array(line[..<colon])
            var rest = line[(colon + 1)...]
            if rest.first == 0x20 { rest = rest.dropFirst() }
            value = rest
        } else {
            field = line
            value = []
        }
        switch String(decoding: field, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data.append(contentsOf: value)
            hasData = true
            if data.count > maxEventBytes { throw EventTooLarge(limit: maxEventBytes) }
        case "event":
            type = String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { lastID = String(decoding: value, as: UTF8.self) }
        default:
            break  // "retry" and unknown fields are ignored
        }
        return nil
    }
}
