import AgentCore
import Foundation

/// Host-side caps on what plugins may hand the model, and how the host treats failing plugins.
///
/// Plugin text (descriptions, results) is untrusted data: it is capped here and arrives at the planner as
/// typed values with provenance, never as instructions.
public struct PluginHostLimits: Sendable, Hashable {
    /// Longest tool description kept (characters).
    public var descriptionCharacters: Int
    /// Longest tool-result text kept (characters).
    public var resultCharacters: Int
    /// Largest input schema kept (bytes of compact JSON); larger ones become `{"type": "object"}`.
    public var schemaBytes: Int
    /// Most tools kept per plugin.
    public var maxTools: Int
    /// Most `tools/list` pages read.
    public var maxToolPages: Int
    /// Upper bound on the time a plugin gets to start and list its tools (also capped by `wall_seconds`).
    public var startSeconds: Double
    /// How often a plugin that crashed, exited or was stopped is started again in one run (each restart is
    /// reported in the warnings of the result it serves).
    public var restarts: Int

    /// Creates limits; the defaults suit a small local model's context.
    public init(descriptionCharacters: Int = 1024, resultCharacters: Int = 16384, schemaBytes: Int = 16384,
                maxTools: Int = 64, maxToolPages: Int = 16, startSeconds: Double = 30, restarts: Int = 2) {
        self.descriptionCharacters = descriptionCharacters
        self.resultCharacters = resultCharacters
        self.schemaBytes = schemaBytes
        self.maxTools = maxTools
        self.maxToolPages = maxToolPages
        self.startSeconds = startSeconds
        self.restarts = restarts
    }

    /// `text` cut to `limit` characters, saying how much was dropped.
    func cap(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + " [... \(text.count - limit) more characters cut by loom]"
    }

    /// The schema if it is an object within `schemaBytes`, else a permissive object schema.
    func capSchema(_ schema: JSONValue?) -> JSONValue {
        guard let schema, schema.objectValue != nil, schema.compactText.utf8.count <= schemaBytes else {
            return ["type": "object"]
        }
        return schema
    }
}
