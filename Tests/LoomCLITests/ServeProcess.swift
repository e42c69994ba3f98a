import Foundation
import TestSupport
import XCTest

/// A `loom serve` process on 127.0.0.1 with a free port, for the serving tests.
final class ServeProcess: @unchecked Sendable {
    /// The port it listens on.
    let port: Int
    private let process: Process
    private let output: Lines

    /// The API's base URL.
    var baseURL: String { "http://127.0.0.1:\(port)/v1" }
    /// What the server has written to standard error so far (one line per request).
    var log: String { output.errors }

    /// Starts `loom serve --port 0 ARGUMENTS` and waits (at most 300 s) until it announces its port.
    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process = Process()
        process.executableURL = Repository.productsDirectory.appendingPathComponent("loom")
        process.arguments = ["serve", "--port", "0"] + arguments
        var env = ProcessInfo.processInfo.environment
        for (key, value) in environment { env[key] = value }
        process.environment = env
        output = Lines()
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        out.fileHandleForReading.readabilityHandler = { [output] handle in output.add(handle.availableData, error: false) }
        err.fileHandleForReading.readabilityHandler = { [output] handle in output.add(handle.availableData, error: true) }
        try process.run()
        guard let port = output.waitForPort(seconds: 300) else {
            process.terminate()
            process.waitUntilExit()
            throw ServeFailure(message: "loom serve did not start: \(output.text)\n\(output.errors)")
        }
        self.port = port
    }

    /// Sends SIGTERM and waits for the exit status.
    @discardableResult
    func stop() -> Int32 {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
        return process.terminationStatus
    }

    deinit { if process.isRunning { process.terminate() } }

    /// Standard output and error as they arrive.
    private final class Lines: @unchecked Sendable {
        private let lock = NSCondition()
        private var out = Data()
        private var err = Data()

        func add(_ data: Data, error: Bool) {
            lock.lock()
            if error { err.append(data) } else { out.append(data) }
            lock.broadcast()
            lock.unlock()
        }

        var text: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
        var errors: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }

        /// The port in "listening on http://127.0.0.1:PORT/v1", once printed.
        func waitForPort(seconds: Double) -> Int? {
            let deadline = Date().addingTimeInterval(seconds)
            lock.lock()
            defer { lock.unlock() }
            while true {
                let text = String(decoding: out, as: UTF8.self)
                if let range = text.range(of: "listening on http://127.0.0.1:"),
                   let port = Int(text[range.upperBound...].prefix { $0.isNumber }) {
                    return port
                }
                if !lock.wait(until: deadline) { return nil }
            }
        }
    }
}

/// `loom serve` did not come up.
struct ServeFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}

/// Runs one check of `Python/openai_checks.py` (the official openai client) against a server.
enum OpenAIClientCheck {
    /// The script.
    static var script: URL {
        Repository.root.appendingPathComponent("Tests/LoomCLITests/Python/openai_checks.py")
    }

    /// Fails (CI) or skips (locally) when `python3` on PATH cannot import openai.
    static func requireClient() throws {
        let probe = try run(["-c", "import openai"])
        if probe.status != 0 {
            try TestModels.requirement("the openai Python package is not importable by python3 on PATH "
                                       + "(run scripts/install-test-deps.sh and put $LOOM_HOME/venvs/test/bin first on PATH)")
        }
    }

    /// Runs `check` and returns its status and output.
    static func run(_ check: String, server: ServeProcess, model: String, apiKey: String? = nil) throws -> CLIRunner.Output {
        var arguments = [script.path, check, "--base-url", server.baseURL, "--model", model]
        if let apiKey { arguments += ["--api-key", apiKey] }
        return try run(arguments)
    }

    private static func run(_ arguments: [String]) throws -> CLIRunner.Output {
        try CLIRunner(limit: 1800, executable: URL(fileURLWithPath: "/usr/bin/env")).run(["python3"] + arguments)
    }
}
