import AgentCore
import Foundation

/// Turns the MCP server configurations people already have into Loom manifests.
///
/// Reads the `mcpServers` object of Claude Desktop, Cursor and Windsurf (`claude_desktop_config.json`,
/// `.cursor/mcp.json`) and the `servers` object of VS Code (`.vscode/mcp.json`). Each server becomes one
/// manifest with `command` + `args`, its environment, and a default sandbox profile (`defaultSandbox`);
/// a server given by `url` becomes a manifest with `url` and `headers` (Streamable HTTP):
///
/// - **Secrets are referenced, never copied.** An environment value or HTTP header that looks like a secret (its name
///   says key, token, secret, password, credential or auth; or the value is a long token-like string or a
///   URL with a password) becomes `"${NAME}"` (see `EnvironmentReference`), filled from loom's environment
///   at start. A value already written as a reference (`${NAME}`, VS Code's `${env:NAME}`) stays one; VS
///   Code's `${input:id}` prompts become a reference to a variable of the entry's name.
/// - **Files**: arguments that are absolute paths of existing files or folders (a filesystem server's
///   roots) are granted read-only; everything else on the machine stays hidden.
public enum MCPConfigImport {
    /// One server of the configuration, converted.
    public struct Server: Sendable, Equatable {
        /// The server's key in the configuration.
        public var key: String
        /// The manifest for it, or nil when it cannot be imported.
        public var manifest: Manifest?
        /// Why it cannot be imported (no command or url, the older HTTP+SSE transport).
        public var skipped: String?
        /// Environment variables the manifest takes from loom's environment instead of copying a value.
        public var referencedVariables: [String]
        /// Notes for the user (an `npx`/`uvx` command that downloads at every start).
        public var notes: [String]
    }

    /// The largest configuration file read.
    public static let maxFileBytes = 1 << 20

    /// The profile an imported server gets: no network, a private `/tmp`, limits that fit Python and Node
    /// servers (their runtimes reserve more address space than a Swift plugin).
    public static let defaultSandbox = Manifest.Sandbox(network: false, filesystem: .privateTemp, cpuSeconds: 60,
                                                        memoryMB: 4096, wallSeconds: 60)

    /// Reads the configuration at `url`.
    ///
    /// - Throws: `PluginHostError.unreadableManifest` for a file that is not JSON or has neither
    ///   `mcpServers` nor `servers`.
    public static func read(_ url: URL) throws -> [Server] {
        let file = url.path
        guard let data = FileManager.default.contents(atPath: file) else {
            throw PluginHostError.unreadableManifest(file: file, reason: "no such file")
        }
        guard data.count <= maxFileBytes else {
            throw PluginHostError.manifestTooLarge(file: file, bytes: data.count, limit: maxFileBytes)
        }
        let document = try ManifestJSONParser.parse(String(decoding: data, as: UTF8.self), file: file)
        return try servers(in: document, file: file, configDirectory: url.deletingLastPathComponent())
    }

    /// Converts a parsed configuration; `file` names it in errors.
    public static func servers(in document: JSONValue, file: String, configDirectory: URL) throws -> [Server] {
        guard let table = (document["mcpServers"] ?? document["servers"])?.objectValue else {
            throw PluginHostError.unreadableManifest(
                file: file, reason: "no 'mcpServers' (Claude Desktop, Cursor) or 'servers' (VS Code) object")
        }
        var used: Set<String> = []
        return table.keys.sorted().map { key in
            convert(key: key, entry: table[key] ?? .null, configDirectory: configDirectory, used: &used)
        }
    }

    private static func convert(key: String, entry: JSONValue, configDirectory: URL, used: inout Set<String>) -> Server {
        var server = Server(key: key, manifest: nil, skipped: nil, referencedVariables: [], notes: [])
        guard let object = entry.objectValue else {
            server.skipped = "its entry is not an object"
            return server
        }
        if let url = object["url"]?.stringValue, object["command"] == nil {
            return convertRemote(server, object: object, url: url, used: &used)
        }
        guard let command = object["command"]?.stringValue, !command.isEmpty else {
            server.skipped = "it has neither 'command' nor 'url'"
            return server
        }
        let args = object["args"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var env: [String: String] = [:]
        for (name, value) in object["env"]?.objectValue ?? [:] {
            guard let text = value.stringValue, isVariableName(name) else { continue }
            if let reference = reference(name: name, value: text) {
                env[name] = "${\(reference)}"
                server.referencedVariables.append(reference)
            } else {
                env[name] = text
            }
        }
        server.referencedVariables.sort()
        if object["envFile"] != nil {
            server.notes.append("its envFile is not read: set those variables in loom's environment and reference them as ${NAME}")
        }
        if ["npx", "uvx", "bunx", "pnpm", "yarn"].contains(URL(fileURLWithPath: command).lastPathComponent) {
            server.notes.append("\(command) downloads the server when it starts, which the sandbox (no network) "
                + "stops: install it once (npm install / pip install into a virtual environment) and point "
                + "'command' at the installed script")
        }
        let resolvedCommand = command.contains("/") && !command.hasPrefix("/")
            ? configDirectory.appendingPathComponent(command).standardizedFileURL.path : command
        var sandbox = defaultSandbox
        var readOnly: [String] = []
        for arg in args where arg.hasPrefix("/") && arg.count > 1 && FileManager.default.fileExists(atPath: arg) {
            let path = URL(fileURLWithPath: arg).standardizedFileURL.path
            if !readOnly.contains(path) { readOnly.append(path) }
        }
        sandbox.filesystem.readOnly = readOnly
        let name = uniqueName(for: key, used: &used)
        server.manifest = Manifest(name: name, version: "imported", description: "imported from MCP server '\(key)'",
                                   command: [resolvedCommand] + args, env: env, sandbox: sandbox)
        return server
    }

    /// A server over HTTP: `url` and `headers`, secrets in headers referenced like environment values.
    private static func convertRemote(_ server: Server, object: [String: JSONValue], url: String,
                                      used: inout Set<String>) -> Server {
        var server = server
        if object["type"]?.stringValue == "sse" {
            server.skipped = "it uses the older HTTP+SSE transport ('type': 'sse'); Loom speaks Streamable HTTP"
            return server
        }
        guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme?.lowercased() ?? ""),
              parts.host?.isEmpty == false, parts.user == nil, parts.password == nil
        else {
            server.skipped = "its url is not an http(s) URL with a host and without credentials"
            return server
        }
        let name = uniqueName(for: server.key, used: &used)
        let prefix = name.uppercased().replacingOccurrences(of: "-", with: "_")
        var headers: [String: String] = [:]
        for (header, value) in object["headers"]?.objectValue ?? [:] {
            guard let text = value.stringValue else { continue }
            let variable = prefix + "_" + header.uppercased().replacingOccurrences(of: "-", with: "_")
            let words = text.split(separator: " ", maxSplits: 1).map(String.init)
            // "Bearer <token>" keeps its scheme word; the credential becomes a reference.
            let (scheme, credential) = words.count == 2 && ["bearer", "basic", "token"].contains(words[0].lowercased())
                ? (words[0] + " ", words[1]) : ("", text)
            let lower = header.lowercased()
            let secretHeader = ["authorization", "cookie", "proxy-authorization"].contains(lower)
                || ["key", "token", "secret", "auth", "session", "password"].contains(where: lower.contains)
            if let reference = reference(name: variable, value: credential) ?? (secretHeader ? variable : nil) {
                headers[header] = scheme + "${\(reference)}"
                server.referencedVariables.append(reference)
            } else {
                headers[header] = text
            }
        }
        server.referencedVariables.sort()
        var sandbox = defaultSandbox
        sandbox.filesystem = .none
        server.manifest = Manifest(name: name, version: "imported", description: "imported from MCP server '\(server.key)'",
                                   command: [], sandbox: sandbox, url: url, headers: headers)
        return server
    }

    /// The variable a value should be taken from instead of copied, or nil to copy it.
    static func reference(name: String, value: String) -> String? {
        if value.hasPrefix("${env:"), value.hasSuffix("}") {
            let inner = String(value.dropFirst(6).dropLast())
            return isVariableName(inner) ? inner : name
        }
        if value.hasPrefix("${input:") { return name }
        if value.hasPrefix("${"), value.hasSuffix("}"), isVariableName(String(value.dropFirst(2).dropLast())) {
            return String(value.dropFirst(2).dropLast())
        }
        let upper = name.uppercased()
        let secretWords = ["KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "PAT", "COOKIE", "SESSION"]
        if secretWords.contains(where: { word in upper.split(separator: "_").contains { $0 == word } || upper.hasSuffix(word) }) {
            return name
        }
        let hasLetter = value.contains { $0.isLetter }, hasDigit = value.contains { $0.isNumber }
        if value.count >= 20 && hasLetter && hasDigit && !value.contains(" ") && !value.hasPrefix("/") { return name }
        if let components = URLComponents(string: value), components.password != nil { return name }
        return nil
    }

    /// A plugin name (`^[a-z][a-z0-9-]{0,63}$`) from a configuration key, made unique among `used`.
    static func uniqueName(for key: String, used: inout Set<String>) -> String {
        var base = String(key.lowercased().unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) ? Character(scalar) : "-"
        })
        while base.contains("--") { base = base.replacingOccurrences(of: "--", with: "-") }
        base = base.trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        if base.isEmpty || !("a"..."z").contains(base.unicodeScalars.first ?? "0") { base = "mcp-" + base }
        base = String(base.prefix(56)).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
        var name = base
        var counter = 2
        while used.contains(name) {
            name = "\(base)-\(counter)"
            counter += 1
        }
        used.insert(name)
        return name
    }

    private static func isVariableName(_ text: String) -> Bool {
        FieldReader.Pattern.environmentName.matches(text)
    }

    /// What a manifest lets its plugin touch, in one paragraph for the user.
    ///
    /// - Parameter executable: the resolved command, when it was found: its folder and package folders
    ///   (`SandboxLauncher.packageRoots(of:)`) are named too.
    public static func describeAccess(_ manifest: Manifest, executable: URL? = nil) -> String {
        let sandbox = manifest.sandbox
        if let url = manifest.url {
            let host = URLComponents(string: url)?.host ?? url
            let headers = manifest.headers.keys.sorted().map { key -> String in
                let names = EnvironmentReference.names(in: manifest.headers[key] ?? "")
                return names.isEmpty ? key : "\(key) (from loom's $\(names.joined(separator: ", $")))"
            }
            return "nothing on this machine (a server over HTTP: loom connects to \(host) only, no redirects); "
                + "headers: \(headers.isEmpty ? "none" : headers.joined(separator: ", ")); "
                + "limits: \(Int(sandbox.wallSeconds)) s and \(sandbox.maxOutputBytes) bytes per answer"
        }
        var files = ["system folders (/usr, /lib, /etc basics) read-only"]
        if let executable {
            files.append("the command's folder \(executable.deletingLastPathComponent().path) read-only")
            if let interpreter = SandboxLauncher.envInterpreter(of: executable, hostPath: ProcessInfo.processInfo.environment["PATH"]) {
                files.append("its interpreter's folder \(interpreter.deletingLastPathComponent().path) read-only")
            }
            files += SandboxLauncher.packageRoots(of: executable).map { "\($0.path) read-only (\($0.reason))" }
        }
        files += sandbox.filesystem.readOnly.map { "\($0) read-only" }
        files += sandbox.filesystem.readWrite.map { "\($0) read-write" }
        if sandbox.filesystem.temp { files.append("a private empty /tmp (deleted when it stops)") }
        let variables = manifest.env.keys.sorted().map { key -> String in
            let names = EnvironmentReference.names(in: manifest.env[key] ?? "")
            return names.isEmpty ? key : "\(key) (from loom's $\(names.joined(separator: ", $")))"
        }
        return "network: \(sandbox.network ? "yes" : "no (loopback only)"); files: \(files.joined(separator: ", ")); "
            + "environment: \(variables.isEmpty ? "none" : variables.joined(separator: ", ")); "
            + "limits: cpu \(sandbox.cpuSeconds) s, memory \(sandbox.memoryMB) MiB, \(Int(sandbox.wallSeconds)) s per call"
    }
}
