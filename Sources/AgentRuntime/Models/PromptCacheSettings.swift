import Foundation
import LLM

/// Where the prompt cache lives and how large it may grow: `$LOOM_HOME/prompt-cache`, bounded by
/// `$LOOM_PROMPT_CACHE_MB` megabytes (default 2000; 0 turns the cache off).
public struct PromptCacheSettings: Sendable {
    /// The directory of the entries.
    public var directory: URL
    /// The bound on the entries' total size, or nil when the cache is off.
    public var capacityBytes: Int64?

    /// Reads the settings from the environment.
    public init(home: LoomHome = LoomHome(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        directory = home.promptCache
        if let text = environment["LOOM_PROMPT_CACHE_MB"], let megabytes = Int64(text.trimmingCharacters(in: .whitespaces)),
           megabytes >= 0 {
            capacityBytes = megabytes == 0 ? nil : megabytes * 1_000_000
        } else {
            capacityBytes = PromptCache.defaultCapacityBytes
        }
    }

    /// The cache for the model file at `path` (identified by its sha256 when known, else by its
    /// path, size and modification time), or nil when the cache is off.
    public func cache(modelPath path: String, sha256: String?) -> PromptCache? {
        guard let capacityBytes else { return nil }
        var identity = sha256.map { "sha256 \($0)" }
        if identity == nil, let attributes = try? FileManager.default.attributesOfItem(atPath: path) {
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            identity = "file \(URL(fileURLWithPath: path).standardizedFileURL.path) \(size) \(Int64(modified))"
        }
        guard let identity else { return nil }
        return PromptCache(directory: directory, capacityBytes: capacityBytes, modelIdentity: identity)
    }
}

extension PromptCacheSettings {
    /// `loom cache list`: the entries as a table, most recently used first, and their total.
    public func listing() -> String {
        let entries = PromptCache.list(directory: directory)
        let formatter = ISO8601DateFormatter()
        let table = TextTable.render(header: ["ENTRY", "TOKENS", "SIZE", "LAST USED", "MODEL"], rows: entries.map { entry in
            [URL(fileURLWithPath: entry.path).lastPathComponent, entry.tokens.map(String.init) ?? "?",
             ByteCount.format(entry.bytes), formatter.string(from: entry.lastUsed), entry.model ?? "unreadable header"]
        })
        let total = entries.reduce(0) { $0 + $1.bytes }
        let bound = capacityBytes.map { "of at most \(ByteCount.format($0))" } ?? "(the cache is off: LOOM_PROMPT_CACHE_MB=0)"
        return table + "\n\(entries.count) entries, \(ByteCount.format(total)) \(bound) in \(directory.path)"
    }

    /// `loom cache clear`: removes every entry; says how many and how large.
    public func clear() throws -> String {
        let removed = try PromptCache.clear(directory: directory)
        return "removed \(removed.entries) entries (\(ByteCount.format(removed.bytes))) from \(directory.path)"
    }
}
