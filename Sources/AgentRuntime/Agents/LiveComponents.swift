import AgentCore
import Foundation
import LLM
import PluginHost
import Traces

/// Errors of running agents from the CLI: missing pieces and unusable inputs.
public enum AgentRunError: Error, CustomStringConvertible, Sendable {
    /// A live model or plugin host is needed but not available.
    case notWired(what: String)
    /// The trace could not be written.
    case traceUnwritable(path: String, reason: String)

    public var description: String {
        switch self {
        case .notWired(let what): return "\(what) is not available in this build of Loom"
        case .traceUnwritable(let path, let reason): return "cannot write the trace \(path): \(reason)"
        }
    }
}

/// How to obtain the live parts of a run — the model and the plugin tools — so that `loom ask`,
/// `loom eval`, `loom replay --live-*` and forks all build them the same way.
public struct LiveComponents: Sendable {
    /// Opens a model: by name or path (nil = the agent's or the default model); for a remote model,
    /// the environment variable that holds its API key (nil: `OPENAI_API_KEY`).
    public var model: @Sendable (_ name: String?, _ apiKeyVariable: String?) async throws -> any LanguageModel
    /// Starts the tools of these plugins (empty = every registered plugin).
    public var tools: @Sendable (_ plugins: [String]) async throws -> any ToolExecutor
    /// Names and versions of the plugins, for trace headers.
    public var pluginVersions: @Sendable () async -> [Trace.PluginInfo]

    /// Creates a set of factories.
    public init(model: @escaping @Sendable (_ name: String?, _ apiKeyVariable: String?) async throws -> any LanguageModel,
                tools: @escaping @Sendable (_ plugins: [String]) async throws -> any ToolExecutor,
                pluginVersions: @escaping @Sendable () async -> [Trace.PluginInfo] = { [] }) {
        self.model = model
        self.tools = tools
        self.pluginVersions = pluginVersions
    }

    /// The factories of this build: `LLM.LocalModel` for models (by registry name or path; one
    /// loaded model is kept and reused; `openai:URL#MODEL` opens an `LLM.RemoteModel`, with the API
    /// key from the named environment variable, by default `$OPENAI_API_KEY`, if set) and `PluginHost` for the registered plugins, sandboxed.
    public static var standard: LiveComponents { standard() }

    /// The factories of this build with options.
    ///
    /// - Parameters:
    ///   - webFetchAllowHosts: private hosts web-fetch may reach (e.g. `127.0.0.1` for the evaluation site).
    ///   - threads: worker threads of the forward pass.
    ///   - contextLength: a local model's context in tokens (nil: its trained length, at most
    ///     `LocalModel.defaultContextCap`).
    ///   - promptProgress: told a local model's progress through a long prompt (tokens computed, total).
    public static func standard(webFetchAllowHosts: [String] = [], threads: Int = 2, contextLength: Int? = nil,
                                promptProgress: (@Sendable (Int, Int) -> Void)? = nil) -> LiveComponents {
        let cache = ModelCache()
        let environment = webFetchAllowHosts.isEmpty ? [:]
            : ["web-fetch": ["LOOM_WEB_FETCH_ALLOW_HOSTS": webFetchAllowHosts.joined(separator: ",")]]
        return LiveComponents(
            model: { name, apiKeyVariable in
                if let name, RemoteModel.Reference.matches(name) {
                    let variable = apiKeyVariable ?? RemoteModel.apiKeyVariable
                    return try await RemoteModel(RemoteModel.Reference(name), apiKey: ProcessInfo.processInfo.environment[variable])
                }
                let store = ModelStore()
                let wanted = name ?? KnownModels.defaultName
                let path = try store.resolve(wanted).path
                let known = KnownModels.all.first { $0.name == wanted || $0.file == (path as NSString).lastPathComponent }
                return try await cache.model(path: path) {
                    let caches = ModelCacheSettings()
                    let model = try LocalModel(path: path, name: known?.name, sha256: known?.sha256, contextLength: contextLength,
                                               threads: threads, promptCache: caches.promptCache(modelPath: path, sha256: known?.sha256),
                                               panelCache: caches.panelCache(modelPath: path, sha256: known?.sha256))
                    model.setPromptProgress(promptProgress)
                    return model
                }
            },
            tools: { plugins in
                try PluginSetup().executor(named: plugins.isEmpty ? nil : plugins, allowUnsandboxed: false,
                                           environment: environment)
            },
            pluginVersions: {
                ((try? PluginSetup().registry.load().plugins) ?? []).map {
                    Trace.PluginInfo(name: $0.manifest.name, version: $0.manifest.version)
                }
            })
    }
}

/// Keeps the last loaded model so that a series of runs (an evaluation) loads it once.
actor ModelCache {
    private var loaded: (path: String, model: LocalModel)?

    func model(path: String, load: () throws -> LocalModel) throws -> LocalModel {
        if let loaded, loaded.path == path { return loaded.model }
        let model = try load()
        loaded = (path, model)
        return model
    }
}
