import AgentCore
import Foundation

/// One line a plugin wrote to stdout, read as JSON-RPC 2.0 from the client's side.
enum RPCMessage: Equatable {
    /// An empty (or whitespace-only) line, ignored.
    case blank
    /// A notification from the plugin (logging, progress), ignored.
    case notification(method: String)
    /// A request from the plugin to the client (`ping`, ...), to be answered.
    case request(id: JSONValue, method: String)
    /// The result of the request with `id`.
    case result(id: Int, JSONValue)
    /// A JSON-RPC error answering the request with `id`.
    case error(id: Int, code: Int, message: String)
    /// Not a JSON-RPC message: the start of the line, for the error message.
    case invalid(excerpt: String)

    /// Reads one line (without its newline; a trailing CR is dropped).
    init(line: [UInt8]) {
        let trimmed = line.last == 0x0D ? Data(line.dropLast()) : Data(line)
        if trimmed.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) {
            self = .blank
            return
        }
        guard let message = try? JSONDecoder().decode(JSONValue.self, from: trimmed), let object = message.objectValue else {
            self = .invalid(excerpt: Self.excerpt(trimmed))
            return
        }
        if let method = object["method"]?.stringValue {
            if let id = object["id"], id != JSONValue.null {
                self = .request(id: id, method: method)
            } else {
                self = .notification(method: method)
            }
        } else if let id = object["id"]?.intValue, let result = object["result"] {
            self = .result(id: id, result)
        } else if let id = object["id"]?.intValue, let error = object["error"]?.objectValue {
            self = .error(id: id, code: error["code"]?.intValue ?? 0, message: error["message"]?.stringValue ?? "unknown error")
        } else {
            self = .invalid(excerpt: Self.excerpt(trimmed))
        }
    }

    /// The first 200 bytes of a line, as text.
    static func excerpt(_ bytes: Data) -> String {
        let text = String(decoding: bytes.prefix(200), as: UTF8.self)
        return bytes.count > 200 ? text + "..." : text
    }
}
