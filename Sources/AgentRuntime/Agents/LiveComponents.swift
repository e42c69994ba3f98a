import AgentCore
import Foundation
import Traces

/// Errors of running agents from the CLI: missing pieces and unusable inputs.
public enum AgentRunError: Error, CustomStringConvertible, Sendable {
    /// A live model or plugin host is needed but not wired into this build.
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
    /// Opens a model: by name or path (nil = the agent's or the default model).
    public var model: @Sendable (_ name: String?) async throws -> any LanguageModel
    /// Starts the tools of these plugins (empty = every registered plugin).
    public var tools: @Sendable (_ plugins: [String]) async throws -> any ToolExecutor
    /// Names and versions of the plugins, for trace headers.
    public var pluginVersions: @Sendable () async -> [Trace.PluginInfo]

    /// Creates a set of factories.
    public init(model: @escaping @Sendable (_ name: String?) async throws -> any LanguageModel,
                tools: @escaping @Sendable (_ plugins: [String]) async throws -> any ToolExecutor,
                pluginVersions: @escaping @Sendable () async -> [Trace.PluginInfo] = { [] }) {
        self.model = model
        self.tools = tools
        self.pluginVersions = pluginVersions
    }

    /// The factories of this build: `LLM.LocalModel` for models and `PluginHost` for tools.
    ///
    /// Until they are wired here, asking for either throws `AgentRunError.notWired`.
    public static var standard: LiveComponents {
        LiveComponents(model: { _ in throw AgentRunError.notWired(what: "the local model") },
                       tools: { _ in throw AgentRunError.notWired(what: "the plugin host") })
    }
}
