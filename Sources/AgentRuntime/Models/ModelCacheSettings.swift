import Foundation
import LLM

/// Where the caches derived from a model live and how large they may grow:
/// - the prompt cache (`PromptCache`), `$LOOM_HOME/prompt-cache`, bounded by `$LOOM_PROMPT_CACHE_MB`
///   megabytes (default 2000);
/// - the panel cache (`PanelCache`, the repacked weights), `$LOOM_HOME/panel-cache`, bounded by
///   `$LOOM_PANEL_CACHE_MB` megabytes (default 4000).
/// A bound of 0 turns that cache off.
public struct ModelCacheSettings: Sendable {
    /// The directory of the prompt cache's entries.
    public var promptDirectory: URL
    /// The bound on the prompt cache's size, or nil when it is off.
    public var promptCapacityBytes: Int64?
    /// The directory of the panel cache's files.
    public var panelDirectory: URL
    /// The bound on the panel cache's size, or nil when it is off.
    public var panelCapacityBytes: Int64?

    /// Reads the settings from the environment.
    public init(home: LoomHome = LoomHome(), environment: [String: String] = ProcessInfo.processInfo.environment) {
        promptDirectory = home.promptCache
        panelDirectory = home.panelCache
        func bound(_ variable: String, _ fallback: Int64) -> Int64? {
            guard let text = environment[variable], let megabytes = Int64(text.trimmingCharacters(in: .whitespaces)),
                  megabytes >= 0 else { return fallback }
            return megabytes == 0 ? nil : megabytes * 1_000_000
        }
        promptCapacityBytes = bound("LOOM_PROMPT_CACHE_MB", PromptCache.defaultCapacityBytes)
        panelCapacityBytes = bound("LOOM_PANEL_CACHE_MB", PanelCache.defaultCapacityBytes)
    }

    /// The model file's identity: its sha256 when known, else its path, size and modification time.
    static func identity(modelPath path: String, sha256: String?) -> String? {
        if let sha256 { return "sha256 \(sha256)" }
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path) else { return nil }
        let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        return "file \(URL(fileURLWithPath: path).standardizedFileURL.path) \(size) \(Int64(modified))"
    }

    /// The prompt cache for the model file at `path`, or nil when the cache is off.
    public func promptCache(modelPath path: String, sha256: String?) -> PromptCache? {
        guard let capacity = promptCapacityBytes, let identity = Self.identity(modelPath: path, sha256: sha256) else { return nil }
        return PromptCache(directory: promptDirectory, capacityBytes: capacity, modelIdentity: identity)
    }

    /// The panel cache for the model file at `path`, or nil when the cache is off.
    public func panelCache(modelPath path: String, sha256: String?) -> PanelCache? {
        guard let capacity = panelCapacityBytes, let identity = Self.identity(modelPath: path, sha256: sha256) else { return nil }
        return PanelCache(directory: panelDirectory, capacityBytes: capacity, modelIdentity: identity)
    }
}

extension ModelCacheSettings {
    /// `loom cache list`: the prompt cache's entries as a table, most recently used first, and their
    /// total; then the panel cache's files.
    public func listing() -> String {
        let entries = PromptCache.list(directory: promptDirectory)
        let formatter = ISO8601DateFormatter()
        let table = TextTable.render(header: ["ENTRY", "TOKENS", "SIZE", "LAST USED", "MODEL"], rows: entries.map { entry in
            [URL(fileURLWithPath: entry.path).lastPathComponent, entry.tokens.map(String.init) ?? "?",
             ByteCount.format(entry.bytes), formatter.string(from: entry.lastUsed), entry.model ?? "unreadable header"]
        })
        let total = entries.reduce(0) { $0 + $1.bytes }
        let bound = promptCapacityBytes.map { "of at most \(ByteCount.format($0))" } ?? "(the cache is off: LOOM_PROMPT_CACHE_MB=0)"
        let panels = PanelCache.list(directory: panelDirectory)
        let panelTable = TextTable.render(header: ["PANEL FILE", "SIZE", "LAST USED"], rows: panels.map { file in
            [URL(fileURLWithPath: file.path).lastPathComponent, ByteCount.format(file.bytes), formatter.string(from: file.lastUsed)]
        })
        let panelTotal = panels.reduce(0) { $0 + $1.bytes }
        let panelBound = panelCapacityBytes.map { "of at most \(ByteCount.format($0))" } ?? "(the cache is off: LOOM_PANEL_CACHE_MB=0)"
        return table + "\n\(entries.count) entries, \(ByteCount.format(total)) \(bound) in \(promptDirectory.path)\n\n"
            + panelTable + "\n\(panels.count) repacked models, \(ByteCount.format(panelTotal)) \(panelBound) in \(panelDirectory.path)"
    }

    /// `loom cache clear`: removes every entry of both caches; says how many and how large.
    public func clear() throws -> String {
        let removed = try PromptCache.clear(directory: promptDirectory)
        let panels = try PanelCache.clear(directory: panelDirectory)
        return "removed \(removed.entries) entries (\(ByteCount.format(removed.bytes))) from \(promptDirectory.path)\n"
            + "removed \(panels.files) repacked models (\(ByteCount.format(panels.bytes))) from \(panelDirectory.path)"
    }
}
