import AgentCore
import Foundation
import PluginHost

/// Where Loom finds plugins at run time and how it launches them: the registry under `$LOOM_HOME`, the
/// built-in manifests, the directory of built plugin executables and the sandbox.
public struct PluginSetup: Sendable {
    /// Loom's home (`plugins.json` lives there).
    public var home: LoomHome
    /// Directories holding built-in plugins as `<dir>/<name>/manifest.json`.
    public var builtInDirectories: [URL]
    /// Where built plugin executables live (the SwiftPM products dir next to the loom binary).
    public var executableDirectory: URL?
    /// `$PATH`, for plugin commands given as bare names that are not built by Loom.
    public var searchPath: [String]

    /// The printed warning when plugins run without a sandbox.
    public static let unsandboxedWarning = """
        WARNING: --unsafe-no-sandbox: plugins run WITHOUT bubblewrap isolation. They can read and write your \
        files and use the network. Only resource limits (prlimit) and the parent-death signal apply.

        """

    /// Creates a setup; the defaults follow the running binary and the environment.
    ///
    /// Built-in manifests are looked up in `$LOOM_PLUGINS_DIR` if set, else in the first `Plugins/` folder
    /// holding `manifest.schema.json` found walking up from the loom binary (the repository layout when run
    /// from `.build/release`), else in `<binary dir>/Plugins`.
    public init(home: LoomHome = LoomHome(), builtInDirectories: [URL]? = nil, executableDirectory: URL? = nil,
                environment: [String: String] = ProcessInfo.processInfo.environment) {
        let binaryDirectory = URL(fileURLWithPath: CommandLine.arguments.first ?? "loom").resolvingSymlinksInPath()
            .deletingLastPathComponent()
        self.home = home
        self.executableDirectory = executableDirectory ?? binaryDirectory
        self.searchPath = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        self.builtInDirectories = builtInDirectories
            ?? Self.defaultBuiltInDirectories(binaryDirectory: binaryDirectory, environment: environment)
    }

    /// See `init`: `$LOOM_PLUGINS_DIR`, else a `Plugins/manifest.schema.json` above the binary, else `<bin>/Plugins`.
    public static func defaultBuiltInDirectories(binaryDirectory: URL, environment: [String: String]) -> [URL] {
        if let explicit = environment["LOOM_PLUGINS_DIR"], !explicit.isEmpty {
            return explicit.split(separator: ":").map { URL(fileURLWithPath: String($0), isDirectory: true) }
        }
        var directory = binaryDirectory
        for _ in 0..<6 {
            let candidate = directory.appendingPathComponent("Plugins", isDirectory: true)
            if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("manifest.schema.json").path) {
                return [candidate]
            }
            directory.deleteLastPathComponent()
        }
        return [binaryDirectory.appendingPathComponent("Plugins", isDirectory: true)]
    }

    /// The registry.
    public var registry: PluginRegistry {
        PluginRegistry(home: home.root, builtInDirectories: builtInDirectories)
    }

    /// An executor over `plugins`.
    ///
    /// - Parameters:
    ///   - allowUnsandboxed: run without bubblewrap (the caller prints `unsandboxedWarning`).
    ///   - environment: extra environment per plugin name.
    /// - Throws: `PluginHostError.sandboxUnavailable` when bubblewrap is missing and not overridden.
    public func executor(plugins: [RegisteredPlugin], allowUnsandboxed: Bool,
                         environment: [String: [String: String]] = [:],
                         limits: PluginHostLimits = PluginHostLimits()) throws -> PluginToolExecutor {
        let launcher = try SandboxLauncher.detect(allowUnsandboxed: allowUnsandboxed)
        let resolver = CommandResolver(executableDirectory: executableDirectory, searchPath: searchPath)
        return PluginToolExecutor(plugins: plugins, configuration: .init(launcher: launcher, resolver: resolver,
                                                                         limits: limits, environment: environment))
    }

    /// An executor over the named registered plugins (all plugins when `names` is nil).
    public func executor(named names: [String]?, allowUnsandboxed: Bool,
                         environment: [String: [String: String]] = [:]) throws -> PluginToolExecutor {
        let all = try registry.load().plugins
        let chosen = try names.map { names in
            try names.map { name in
                guard let plugin = all.first(where: { $0.manifest.name == name }) else {
                    throw PluginHostError.unknownPlugin(name: name, known: all.map(\.manifest.name))
                }
                return plugin
            }
        } ?? all
        return try executor(plugins: chosen, allowUnsandboxed: allowUnsandboxed, environment: environment)
    }
}
