import Foundation

/// Everything that can go wrong while loading, registering or launching a plugin.
///
/// Tool-call failures are not errors: they come back as `ToolResult.isError` (see `PluginToolExecutor`).
/// These cases are for the CLI and for a host that cannot start a plugin at all.
public enum PluginHostError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A manifest field is missing, has the wrong type or an out-of-range value.
    case invalidManifest(file: String, field: String, expected: String, found: String)
    /// A manifest file is larger than the limit (checked before it is read).
    case manifestTooLarge(file: String, bytes: Int, limit: Int)
    /// A manifest file cannot be read or parsed as JSON or YAML.
    case unreadableManifest(file: String, reason: String)
    /// A user plugin has the same name as a built-in or an already registered plugin.
    case nameClash(name: String, existing: String)
    /// No plugin with this name is registered.
    case unknownPlugin(name: String, known: [String])
    /// Built-in plugins cannot be removed.
    case cannotRemoveBuiltIn(name: String)
    /// The registry file exists but is not a valid registry.
    case corruptRegistry(file: String, reason: String)
    /// Writing the registry failed.
    case registryWriteFailed(file: String, reason: String)
    /// The manifest's command cannot be resolved to an executable.
    case commandNotFound(command: String, searched: [String])
    /// bubblewrap is not installed and the caller did not allow running without a sandbox.
    case sandboxUnavailable(reason: String)
    /// Spawning the plugin process failed.
    case launchFailed(plugin: String, reason: String)
    /// The plugin started but its MCP handshake or tool listing failed.
    case handshakeFailed(plugin: String, reason: String)
    /// The plugin does not offer tools its manifest declares.
    case missingTools(plugin: String, missing: [String], offered: [String])

    /// A sentence for the user naming what failed and how to fix it.
    public var description: String {
        switch self {
        case .invalidManifest(let file, let field, let expected, let found):
            return "invalid manifest \(file): field '\(field)': expected \(expected), found \(found)"
        case .manifestTooLarge(let file, let bytes, let limit):
            return "manifest \(file) is \(bytes) bytes; a manifest may be at most \(limit) bytes"
        case .unreadableManifest(let file, let reason):
            return "cannot read manifest \(file): \(reason)"
        case .nameClash(let name, let existing):
            return "a plugin named '\(name)' already exists (\(existing)); choose another name"
        case .unknownPlugin(let name, let known):
            return "no plugin named '\(name)'; registered: \(known.isEmpty ? "none" : known.joined(separator: ", "))"
        case .cannotRemoveBuiltIn(let name):
            return "'\(name)' is a built-in plugin and cannot be removed"
        case .corruptRegistry(let file, let reason):
            return "plugin registry \(file) is corrupt (\(reason)); fix or delete it"
        case .registryWriteFailed(let file, let reason):
            return "cannot write plugin registry \(file): \(reason)"
        case .commandNotFound(let command, let searched):
            return "plugin command '\(command)' not found; searched: \(searched.joined(separator: ", "))"
        case .sandboxUnavailable(let reason):
            return "cannot sandbox plugins: \(reason). Install bubblewrap (apt-get install bubblewrap), "
                + "or pass --unsafe-no-sandbox to run plugins WITHOUT isolation"
        case .launchFailed(let plugin, let reason):
            return "cannot start plugin '\(plugin)': \(reason)"
        case .handshakeFailed(let plugin, let reason):
            return "plugin '\(plugin)' did not complete the MCP handshake: \(reason)"
        case .missingTools(let plugin, let missing, let offered):
            return "plugin '\(plugin)' does not offer declared tool(s) \(missing.joined(separator: ", ")); "
                + "it offers: \(offered.isEmpty ? "none" : offered.joined(separator: ", "))"
        }
    }
}
