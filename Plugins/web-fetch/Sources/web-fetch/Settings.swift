import Foundation
import YAMLData

/// The limits and allow-list one web-fetch process runs with, read once at start.
///
/// Sources, later ones adding to earlier ones:
/// 1. `$LOOM_HOME/config.yaml` (default `~/.cache/loom/config.yaml`), key `web-fetch: {allow_hosts: [...]}`,
///    when the file exists and is readable (under the plugin sandbox it usually is not);
/// 2. the environment, which is how the plugin host hands over the allow-list and limits.
struct Settings: Sendable, Equatable {
    /// Hosts (names or IP literals) that may resolve to non-public addresses.
    var allowHosts: [String] = []
    /// Whole-transfer time limit in seconds, across all redirect hops.
    var totalTimeout: Double = 20
    /// Time limit for one TCP/TLS connect, in seconds.
    var connectTimeout: Double = 10
    /// Most body bytes read from one response (after decompression); the transfer stops there.
    var maxBytes: Int = 8 * 1024 * 1024
    /// Most redirects followed for one fetch.
    var maxRedirects: Int = 5
    /// The User-Agent header sent with every request.
    var userAgent: String = "Loom/0.1 (+web-fetch)"

    /// Environment variables web-fetch reads; the names appear only here.
    enum Environment {
        static let allowHosts = "LOOM_WEB_FETCH_ALLOW_HOSTS"
        static let timeout = "LOOM_WEB_FETCH_TIMEOUT_SECONDS"
        static let maxBytes = "LOOM_WEB_FETCH_MAX_BYTES"
        static let loomHome = "LOOM_HOME"
    }

    /// Reads the config file (if readable) and the environment.
    static func load(environment: [String: String] = ProcessInfo.processInfo.environment) -> Settings {
        var settings = Settings()
        let home = environment[Environment.loomHome].flatMap { $0.isEmpty ? nil : $0 }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loom").path
        let configPath = URL(fileURLWithPath: home).appendingPathComponent("config.yaml").path
        if let text = try? String(contentsOfFile: configPath, encoding: .utf8) {
            settings.allowHosts += configAllowHosts(yaml: text)
        }
        if let list = environment[Environment.allowHosts] {
            settings.allowHosts += list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        if let text = environment[Environment.timeout], let seconds = Double(text), seconds > 0 {
            settings.totalTimeout = seconds
            settings.connectTimeout = min(settings.connectTimeout, seconds)
        }
        if let text = environment[Environment.maxBytes], let bytes = Int(text), bytes > 0 {
            settings.maxBytes = bytes
        }
        return settings
    }

    /// The `web-fetch.allow_hosts` list of a config file; empty when the file or key is malformed.
    static func configAllowHosts(yaml: String) -> [String] {
        guard let root = try? YAMLDocument.parse(yaml), let hosts = root["web-fetch"]?["allow_hosts"]?.arrayValue
        else { return [] }
        return hosts.map { $0.stringValue ?? $0.compactText }.filter { !$0.isEmpty }
    }
}
