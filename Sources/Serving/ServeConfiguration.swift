import Foundation

/// How `loom serve` listens and what it accepts.
public struct ServeConfiguration: Sendable {
    /// The address to bind (default: loopback only).
    public var host: String
    /// The TCP port (0: any free port; the chosen one is announced on standard output).
    public var port: Int
    /// The key clients must send as `Authorization: Bearer KEY` (nil: no key asked).
    public var apiKey: String?
    /// Largest request body in bytes (larger: 413).
    public var maxBodyBytes: Int
    /// Largest `max_tokens` a request may ask for (more: 400); also the default when it asks none.
    public var maxTokens: Int
    /// Requests that may wait for a model while it generates for another (more: 429).
    public var queueSize: Int
    /// Threads of the forward pass of a model that an agent run loads itself.
    public var threads: Int
    /// Context length in tokens of the local models it loads (nil: each one's trained length, at most
    /// `LocalModel.defaultContextCap`).
    public var contextLength: Int?

    /// Creates a configuration.
    public init(host: String = "127.0.0.1", port: Int = 8080, apiKey: String? = nil,
                maxBodyBytes: Int = 4 << 20, maxTokens: Int = 2048, queueSize: Int = 4, threads: Int = 2,
                contextLength: Int? = nil) {
        self.host = host
        self.port = port
        self.apiKey = apiKey
        self.maxBodyBytes = maxBodyBytes
        self.maxTokens = maxTokens
        self.queueSize = queueSize
        self.threads = threads
        self.contextLength = contextLength
    }

    /// Whether `host` is a loopback address, which may be served without an API key.
    public var isLoopback: Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }

    /// Checks the combination of settings.
    /// - Throws: `ServeConfigurationError` naming the setting that is wrong.
    public func validate() throws {
        if !isLoopback && (apiKey ?? "").isEmpty { throw ServeConfigurationError.keyRequired(host: host) }
        guard (0...65535).contains(port) else { throw ServeConfigurationError.outOfRange(setting: "--port", value: port) }
        guard maxBodyBytes >= 1024 else { throw ServeConfigurationError.outOfRange(setting: "--max-body-bytes", value: maxBodyBytes) }
        guard maxTokens >= 1 else { throw ServeConfigurationError.outOfRange(setting: "--max-tokens", value: maxTokens) }
        guard queueSize >= 0 else { throw ServeConfigurationError.outOfRange(setting: "--queue-size", value: queueSize) }
    }

    /// Reads an API key file: its first line, trimmed.
    /// - Throws: `ServeConfigurationError.unreadableKeyFile` when it cannot be read or is empty.
    public static func apiKey(fromFile path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path),
              let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first,
              !line.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ServeConfigurationError.unreadableKeyFile(path: path)
        }
        return line.trimmingCharacters(in: .whitespaces)
    }
}

/// What is wrong with `loom serve`'s settings.
public enum ServeConfigurationError: Error, CustomStringConvertible, Sendable {
    /// A non-loopback address without an API key.
    case keyRequired(host: String)
    /// A number out of its range.
    case outOfRange(setting: String, value: Int)
    /// The key file cannot be read or holds no key.
    case unreadableKeyFile(path: String)

    public var description: String {
        switch self {
        case .keyRequired(let host):
            return "binding \(host) serves other machines: give --api-key or --api-key-file"
        case .outOfRange(let setting, let value): return "\(setting) \(value) is out of range"
        case .unreadableKeyFile(let path): return "cannot read an API key from \(path)"
        }
    }
}
