import AgentCore

/// The tools a run may use: fixed when the run starts from the executor's list and the agent's allowances.
///
/// Nothing a tool returns can change this set; a call to any other name is refused as an observation.
public struct ToolCatalog: Sendable, Hashable {
    /// The allowed tools, in a stable order: the order of the agent's `tools` list when it has one
    /// (small models favour the first tools listed, so an agent puts its workhorse first), otherwise
    /// by plugin, then name.
    public private(set) var tools: [ToolSpec]

    /// Filters `available` by the agent's plugins and (optional) tool names.
    public init(available: [ToolSpec], agent: AgentDefinition) {
        let plugins = Set(agent.plugins)
        let names = agent.tools ?? []
        func rank(_ tool: ToolSpec) -> Int? {
            names.firstIndex(of: tool.name) ?? names.firstIndex(of: "\(tool.plugin).\(tool.name)")
        }
        tools = available
            .filter { plugins.isEmpty || plugins.contains($0.plugin) }
            .filter { agent.tools == nil || rank($0) != nil }
            .sorted { (rank($0) ?? 0, $0.plugin, $0.name) < (rank($1) ?? 0, $1.plugin, $1.name) }
    }

    /// The allowed tools among `names` (bare or qualified), in this catalog's order.
    public func restricted(to names: [String]) -> ToolCatalog {
        var copy = self
        copy.tools = tools.filter { names.contains($0.name) || names.contains("\($0.plugin).\($0.name)") }
        return copy
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
