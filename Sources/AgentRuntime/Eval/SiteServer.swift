import Foundation

/// Serves a directory over HTTP on 127.0.0.1 (Python's `http.server` on a free port) for the
/// evaluation questions that read pages of the local test site.
public final class SiteServer: @unchecked Sendable {
    /// The base URL, e.g. `http://127.0.0.1:41234`.
    public let baseURL: String
    private let process: Process

    /// Starts serving `directory`; waits until the server reports its port.
    public init(directory: String, python: String = "python3", timeout: Double = 10) throws {
        guard FileManager.default.fileExists(atPath: directory) else {
            throw EvalRunner.RunError.site(reason: "no site directory at \(directory)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", directory]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { throw EvalRunner.RunError.site(reason: "cannot start \(python): \(error)") }
        let deadline = Date().addingTimeInterval(timeout)
        var seen = ""
        var port: Int?
        while port == nil, Date() < deadline, process.isRunning {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { Thread.sleep(forTimeInterval: 0.05); continue }
            seen += String(decoding: data, as: UTF8.self)
            if let range = seen.range(of: " port "),
               let value = Int(seen[range.upperBound...].prefix { $0.isNumber }) { port = value }
        }
        guard let port else {
            kill(process.processIdentifier, SIGKILL)
            throw EvalRunner.RunError.site(reason: "the HTTP server did not start: \(seen)")
        }
        self.process = process
        baseURL = "http://127.0.0.1:\(port)"
    }

    /// Stops the server.
    public func stop() {
        // SIGKILL: the child may inherit a signal mask that blocks SIGTERM (seen under XCTest).
        if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() }
    }

    deinit { stop() }
}
