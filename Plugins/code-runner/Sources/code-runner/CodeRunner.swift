#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Runs snippets one at a time: detects the sandbox on first use, builds the command, supervises the run on
/// a dedicated thread and turns the outcome into a `RunReport`.
///
/// Runs are serialized: with two cores, parallel sandboxes would only multiply the resources one call may
/// take. Detection happens once; a failed detection is reported on every call (nothing runs).
final class CodeRunner: @unchecked Sendable {
    private let environment: [String: String]
    private let queue = DispatchQueue(label: "loom.code-runner.runs")
    /// Touched only on `queue`.
    private var detected: Result<SandboxHost, CodeRunnerError>?

    /// Creates a runner; `environment` is this process's (for `LOOM_CODE_RUNNER_UNSAFE` and friends).
    init(environment: [String: String]) {
        self.environment = environment
    }

    /// Runs `source` with `stdin` under `limits`.
    ///
    /// - Throws: `CodeRunnerError` when no sandbox is available or the run cannot be started; failures of
    ///   the code itself are part of the report.
    func run(_ language: Language, source: String, stdin: String, limits: Limits) async throws(CodeRunnerError) -> RunReport {
        let result: Result<RunReport, CodeRunnerError> = await withCheckedContinuation { continuation in
            queue.async {
                continuation.resume(returning: Result { () throws(CodeRunnerError) -> RunReport in
                    try self.runNow(language, source: source, stdin: Array(stdin.utf8), limits: limits)
                })
            }
        }
        return try result.get()
    }

    /// The sandbox in use (detecting it if needed).
    func host() async throws(CodeRunnerError) -> SandboxHost {
        let result: Result<SandboxHost, CodeRunnerError> = await withCheckedContinuation { continuation in
            queue.async { continuation.resume(returning: self.detectOnce()) }
        }
        return try result.get()
    }

    private func detectOnce() -> Result<SandboxHost, CodeRunnerError> {
        if let detected { return detected }
        let result = Result { () throws(CodeRunnerError) -> SandboxHost in try SandboxHost.detect(environment: environment) }
        detected = result
        // One line on stderr, the plugin's log: what the sandbox is, or why there is none.
        let summary: String
        switch result {
        case .success(let host): summary = host.summary
        case .failure(let error): summary = "\(error)"
        }
        FileHandle.standardError.write(Data("code-runner: \(summary)\n".utf8))
        return result
    }

    private func runNow(_ language: Language, source: String, stdin: [UInt8], limits: Limits) throws(CodeRunnerError) -> RunReport {
        let host = try detectOnce().get()
        guard FileManager.default.isExecutableFile(atPath: language.interpreter) else {
            throw .interpreterMissing(language: language.rawValue, path: language.interpreter)
        }
        let limits = limits.clampedToHardLimits()
        switch host.isolation {
        case .bubblewrap(let bubblewrap):
            let request = SandboxCommand.sandboxed(language, source: source, stdin: stdin, limits: limits,
                                                   host: host, bubblewrap: bubblewrap)
            let outcome = try Supervisor.run(request)
            return RunReport(language: language, outcome: outcome, limits: limits, host: host, sandboxed: true)
        case .unsafe:
            return try runUnsandboxed(language, source: source, stdin: stdin, limits: limits, host: host)
        }
    }

    /// The explicit, loud fallback: a private temporary directory, rlimits, scrubbed environment, no isolation.
    private func runUnsandboxed(_ language: Language, source: String, stdin: [UInt8], limits: Limits,
                                host: SandboxHost) throws(CodeRunnerError) -> RunReport {
        var template = Array((NSTemporaryDirectory() + "/loom-code-runner-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw .systemCall(name: "mkdtemp", errno: errno) }
        let directory = String(cString: made)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let sourcePath = "\(directory)/\(language.fileName)"
        guard FileManager.default.createFile(atPath: sourcePath, contents: Data(source.utf8)) else {
            throw .systemCall(name: "write \(sourcePath)", errno: errno)
        }
        let request = SandboxCommand.unsandboxed(language, sourcePath: sourcePath, workingDirectory: directory,
                                                 stdin: stdin, limits: limits, host: host)
        let outcome = try Supervisor.run(request)
        return RunReport(language: language, outcome: outcome, limits: limits, host: host, sandboxed: false)
    }
}
