import AgentCore

/// The tools a run may use: fixed when the run starts from the executor's list and the agent's allowances.
///
/// Nothing a tool returns can change this set; a call to any other name is refused as an observation.
public struct ToolCatalog: Sendable, Hashable {
    /// The allowed tools, in a stable order (plugin, then name).
    public let tools: [ToolSpec]

    /// Filters `available` by the agent's plugins and (optional) tool names.
    public init(available: [ToolSpec], agent: AgentDefinition) {
        let plugins = Set(agent.plugins)
        let names = agent.tools.map(Set.init)
        tools = available
            .filter { plugins.isEmpty || plugins.contains($0.plugin) }
            .filter { tool in names.map { $0.contains(tool.name) || $0.contains("\(tool.plugin).\(tool.name)") } ?? true }
            .sorted { ($0.plugin, $0.name) < ($1.plugin, $1.name) }
    }

    /// The tool with this name (bare, or qualified as `plugin.name`), if allowed.
    public func tool(named name: String) -> ToolSpec? {
        tools.first { $0.name == name } ?? tools.first { "\($0.plugin).\($0.name)" == name }
    }

    /// Names of the allowed tools.
    public var names: [String] { tools.map(\.name) }

    /// A plain-text listing for prompts: one tool per line with its argument schema.
    public var listing: String {
        tools.map { "- \($0.name) (plugin \($0.plugin)): \($0.description) Arguments: \($0.inputSchema.compactText)" }
            .joined(separator: "\n")
    }
}
