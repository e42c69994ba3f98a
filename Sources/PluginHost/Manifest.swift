import AgentCore
import Foundation

/// A plugin manifest: how to start an MCP server and what its sandbox may touch.
///
/// On disk it is JSON or YAML; the schema is published as `Plugins/manifest.schema.json`.
/// ```json
/// { "name": "calc", "version": "0.1.0", "description": "Exact math with Giac",
///   "command": ["calc"], "env": {},
///   "sandbox": { "network": false, "filesystem": "none", "cpu_seconds": 10, "memory_mb": 512,
///                "wall_seconds": 20, "max_output_bytes": 1048576 },
///   "tools": ["evaluate", "solve"] }
/// ```
public struct Manifest: Codable, Hashable, Sendable {
    /// The plugin's name: lowercase letters, digits and `-`, starting with a letter (at most 64).
    public var name: String
    /// The plugin's version (free text, at most 64 characters).
    public var version: String
    /// One line about the plugin (at most 1000 characters).
    public var description: String
    /// The executable and its arguments. A first element containing `/` is a path (relative paths resolve
    /// against the manifest's folder); a bare name is looked up next to loom's binary, then in `$PATH`.
    /// Empty for a server reached over HTTP (`url`).
    public var command: [String]
    /// The endpoint of an MCP server reached over HTTP (Streamable HTTP transport) instead of a command.
    public var url: String?
    /// HTTP headers sent with every request to `url`; values may reference loom's environment as `${NAME}`
    /// (`"Authorization": "Bearer ${API_TOKEN}"`).
    public var headers: [String: String]
    /// Environment variables for the plugin (the sandbox starts from an empty environment).
    public var env: [String: String]
    /// What the plugin may touch and how much it may use.
    public var sandbox: Sandbox
    /// Tool names the plugin must offer (checked when it is added); `nil` means "whatever it lists".
    public var tools: [String]?

    /// Creates a manifest.
    public init(name: String, version: String, description: String = "", command: [String],
                env: [String: String] = [:], sandbox: Sandbox = Sandbox(), tools: [String]? = nil,
                url: String? = nil, headers: [String: String] = [:]) {
        self.name = name
        self.version = version
        self.description = description
        self.command = command
        self.url = url
        self.headers = headers
        self.env = env
        self.sandbox = sandbox
        self.tools = tools
    }

    /// The sandbox profile: network, filesystem and resource limits.
    public struct Sandbox: Codable, Hashable, Sendable {
        /// Whether the plugin may use the network (default false: it gets only a loopback device).
        public var network: Bool
        /// Which parts of the filesystem the plugin sees besides the system directories.
        public var filesystem: Filesystem
        /// CPU time limit for the plugin process in seconds (RLIMIT_CPU; the process is killed past it).
        public var cpuSeconds: Int
        /// Address-space limit in MiB (RLIMIT_AS).
        public var memoryMB: Int
        /// Wall-clock limit for one tool call in seconds; past it the plugin is stopped.
        public var wallSeconds: Double
        /// Most bytes the plugin may write to stdout for one call; past it the plugin is stopped.
        public var maxOutputBytes: Int
        /// Most processes/threads (RLIMIT_NPROC).
        public var maxProcesses: Int
        /// Largest file the plugin may write in MiB (RLIMIT_FSIZE).
        public var maxFileMB: Int
        /// Most open file descriptors (RLIMIT_NOFILE).
        public var maxOpenFiles: Int

        /// Creates a profile; the defaults are the ones a manifest gets when it leaves a field out.
        public init(network: Bool = false, filesystem: Filesystem = .none, cpuSeconds: Int = 10,
                    memoryMB: Int = 512, wallSeconds: Double = 20, maxOutputBytes: Int = 1 << 20,
                    maxProcesses: Int = 64, maxFileMB: Int = 64, maxOpenFiles: Int = 256) {
            self.network = network
            self.filesystem = filesystem
            self.cpuSeconds = cpuSeconds
            self.memoryMB = memoryMB
            self.wallSeconds = wallSeconds
            self.maxOutputBytes = maxOutputBytes
            self.maxProcesses = maxProcesses
            self.maxFileMB = maxFileMB
            self.maxOpenFiles = maxOpenFiles
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case network, filesystem
            case cpuSeconds = "cpu_seconds", memoryMB = "memory_mb", wallSeconds = "wall_seconds"
            case maxOutputBytes = "max_output_bytes", maxProcesses = "max_processes", maxFileMB = "max_file_mb"
            case maxOpenFiles = "max_open_files"
        }
    }

    /// The filesystem a sandboxed plugin sees beyond the system directories (`/usr`, `/etc/...`) and its
    /// own executable's folder, which are always read-only.
    ///
    /// On disk: `"none"`, `"temp"`, or `{"read_only": [paths], "read_write": [paths], "temp": true}`
    /// (every key optional). Relative paths resolve against the manifest's folder.
    public struct Filesystem: Codable, Hashable, Sendable {
        /// Paths mounted read-only at the same place.
        public var readOnly: [String]
        /// Paths mounted read-write at the same place.
        public var readWrite: [String]
        /// Whether the plugin gets a private, empty, writable `/tmp` that is deleted when it stops.
        public var temp: Bool

        /// Creates a filesystem grant.
        public init(readOnly: [String] = [], readWrite: [String] = [], temp: Bool = false) {
            self.readOnly = readOnly
            self.readWrite = readWrite
            self.temp = temp
        }

        /// Nothing beyond the system directories; the root is read-only.
        public static let none = Filesystem()
        /// A private writable `/tmp`.
        public static let privateTemp = Filesystem(temp: true)

        enum CodingKeys: String, CodingKey, CaseIterable {
            case readOnly = "read_only", readWrite = "read_write", temp
        }

        /// Decodes `"none"`, `"temp"` or the object form.
        public init(from decoder: Decoder) throws {
            if let word = try? decoder.singleValueContainer().decode(String.self) {
                switch word {
                case "none": self = .none
                case "temp": self = .privateTemp
                default:
                    throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                            debugDescription: "unknown filesystem '\(word)'"))
                }
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            readOnly = try container.decodeIfPresent([String].self, forKey: .readOnly) ?? []
            readWrite = try container.decodeIfPresent([String].self, forKey: .readWrite) ?? []
            temp = try container.decodeIfPresent(Bool.self, forKey: .temp) ?? false
        }

        /// Encodes `"none"` and `"temp"` as words, anything else as the object form.
        public func encode(to encoder: Encoder) throws {
            if self == .none || self == .privateTemp {
                var container = encoder.singleValueContainer()
                try container.encode(self == .none ? "none" : "temp")
                return
            }
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(readOnly, forKey: .readOnly)
            try container.encode(readWrite, forKey: .readWrite)
            try container.encode(temp, forKey: .temp)
        }
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, version, description, command, url, headers, env, sandbox, tools
    }

    /// Decodes a manifest written by `encode(to:)` (files are read by `Manifest.load`, which validates).
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        version = try container.decode(String.self, forKey: .version)
        description = try container.decodeIfPresent(String.self, forKey: .description) ?? ""
        command = try container.decodeIfPresent([String].self, forKey: .command) ?? []
        url = try container.decodeIfPresent(String.self, forKey: .url)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
        env = try container.decodeIfPresent([String: String].self, forKey: .env) ?? [:]
        sandbox = try container.decodeIfPresent(Sandbox.self, forKey: .sandbox) ?? Sandbox()
        tools = try container.decodeIfPresent([String].self, forKey: .tools)
    }

    /// Encodes the manifest as a file holds it: `command` or `url` (with `headers` when there are any).
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(version, forKey: .version)
        try container.encode(description, forKey: .description)
        if let url {
            try container.encode(url, forKey: .url)
            if !headers.isEmpty { try container.encode(headers, forKey: .headers) }
        } else {
            try container.encode(command, forKey: .command)
        }
        try container.encode(env, forKey: .env)
        try container.encode(sandbox, forKey: .sandbox)
        try container.encodeIfPresent(tools, forKey: .tools)
    }
}
