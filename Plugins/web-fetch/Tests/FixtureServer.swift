import Foundation
import MCP
import TestSupport
import XCTest

/// The test HTTP server (`Fixtures/server.py`, Python's http.server) on 127.0.0.1 and an ephemeral port.
final class FixtureServer {
    /// The directory holding the server script, pages and expected outputs.
    static let fixtures = Repository.root.appendingPathComponent("Plugins/web-fetch/Tests/Fixtures")

    private let process = Process()
    private let input = Pipe()
    /// The port the server listens on.
    let port: Int

    /// `http://127.0.0.1:<port>`.
    var base: String { "http://127.0.0.1:\(port)" }

    /// Starts the server and waits for the line that names its port.
    init() throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", FixtureServer.fixtures.appendingPathComponent("server.py").path]
        let output = Pipe()
        process.standardOutput = output
        process.standardInput = input
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            try TestModels.requirement("python3 is needed for the web-fetch test server: \(error)")
        }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5)) else {
            process.terminate()
            throw ServerError(message: "test server did not report its port: '\(text)'")
        }
        self.port = port
    }

    /// Stops the server: closing its stdin ends it (the script watches for that); SIGKILL if it lingers.
    func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Date().addingTimeInterval(2)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// The expected output `expected/<name>`, with `{BASE}` replaced by this server's base URL.
    func expected(_ name: String) throws -> String {
        let url = FixtureServer.fixtures.appendingPathComponent("expected").appendingPathComponent(name)
        let text = try String(contentsOf: url, encoding: .utf8)
        return text.replacingOccurrences(of: "{BASE}", with: base).trimmingCharacters(in: .newlines)
    }

    struct ServerError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}

/// Starts the plugin with an environment of our choosing (nothing inherited) and a config-less `LOOM_HOME`.
func startPlugin(allowHosts: String?, extra: [String: String] = [:]) async throws -> PluginProcess {
    let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-web-fetch-tests-empty-home")
    var environment = ["LOOM_HOME": home.path]
    if let allowHosts { environment["LOOM_WEB_FETCH_ALLOW_HOSTS"] = allowHosts }
    environment.merge(extra) { $1 }
    return try await PluginProcess(executable: "web-fetch", environment: environment)
}

extension PluginProcess {
    /// Calls `fetch` with a URL and optional paging arguments.
    func fetch(_ url: String, maxChars: Int? = nil, startIndex: Int? = nil) async throws -> (text: String, isError: Bool) {
        var arguments: [String: Value] = ["url": .string(url)]
        if let maxChars { arguments["max_chars"] = .int(maxChars) }
        if let startIndex { arguments["start_index"] = .int(startIndex) }
        return try await call("fetch", arguments)
    }

    /// Calls `fetch` and returns the structured result.
    func fetchStructured(_ url: String, maxChars: Int, startIndex: Int) async throws -> [String: Value] {
        let context: RequestContext<CallTool.Result> = try await client.callTool(
            name: "fetch", arguments: ["url": .string(url), "max_chars": .int(maxChars), "start_index": .int(startIndex)])
        let result = try await context.value
        guard case .object(let object)? = result.structuredContent else {
            throw FixtureServer.ServerError(message: "no structured content in \(result)")
        }
        return object
    }
}

/// The peak resident memory (VmHWM, in KiB) of this process's child named `name`, from /proc.
func childPeakMemoryKiB(named name: String) -> Int? {
    let me = ProcessInfo.processInfo.processIdentifier
    guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
    for entry in entries where Int32(entry) != nil {
        guard let status = try? String(contentsOfFile: "/proc/\(entry)/status", encoding: .utf8) else { continue }
        var fields: [String: String] = [:]
        for line in status.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        guard fields["Name"] == name, fields["PPid"] == String(me),
              let peak = fields["VmHWM"]?.split(separator: " ").first.flatMap({ Int($0) }) else { continue }
        return peak
    }
    return nil
}
