import Foundation

/// Where Loom keeps its state: models, the plugin registry, traces, config (`$LOOM_HOME`, default `~/.cache/loom`).
public struct LoomHome: Sendable {
    /// The root directory.
    public let root: URL

    /// Uses `$LOOM_HOME` from `environment`, else `~/.cache/loom`.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let home = environment["LOOM_HOME"], !home.isEmpty {
            root = URL(fileURLWithPath: home, isDirectory: true)
        } else {
            root = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loom", isDirectory: true)
        }
    }

    /// Uses an explicit root.
    public init(root: URL) { self.root = root }

    /// Assembled GGUF files.
    public var models: URL { root.appendingPathComponent("models", isDirectory: true) }
    /// Wheels being downloaded, per model.
    public var downloads: URL { root.appendingPathComponent("downloads", isDirectory: true) }
    /// Recorded traces.
    public var traces: URL { root.appendingPathComponent("traces", isDirectory: true) }
    /// Saved keys and values of prompt prefixes (`PromptCache`).
    public var promptCache: URL { root.appendingPathComponent("prompt-cache", isDirectory: true) }
    /// Repacked weight panels of models (`PanelCache`).
    public var panelCache: URL { root.appendingPathComponent("panel-cache", isDirectory: true) }
    /// The user's config file.
    public var config: URL { root.appendingPathComponent("config.yaml") }
}
