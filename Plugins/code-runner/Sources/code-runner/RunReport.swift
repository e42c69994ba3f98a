#if canImport(Glibc)
import Glibc
#endif
import MCP

/// The answer to one run, built from the supervisor's outcome: exit code or signal, wall time, the limit that
/// stopped the program if one did, and both output streams; as text for the model and as structured content.
struct RunReport: Sendable {
    /// A limit that stopped (or visibly hindered) the program.
    enum LimitHit: String, Sendable, CaseIterable {
        // Raw values are the names in the structured result (`limit_hit`).
        case wallTime = "wall_time"
        case cpuTime = "cpu_time"
        case memory
        case processes
        case fileSize = "file_size"
        case openFiles = "open_files"
        case output

        /// One sentence saying what happened, with the limit's value.
        func explanation(_ limits: Limits) -> String {
            let mib = 1 << 20
            switch self {
            case .wallTime: return "the wall-clock limit of \(limits.wallSeconds) s was reached; the whole process tree was killed"
            case .cpuTime: return "the CPU-time limit of \(limits.cpuSeconds) s per process was reached"
            case .memory: return "the memory limit of \(limits.addressSpaceBytes / mib) MiB address space per process was reached"
            case .processes: return "the limit of \(limits.processes) processes/threads was reached, so creating another one failed"
            case .fileSize: return "the file-size limit of \(limits.fileSizeBytes / mib) MiB was reached"
            case .openFiles: return "the limit of \(limits.openFiles) open files was reached"
            case .output: return "the program wrote more than \(limits.killAfterOutputBytes / mib) MiB of output; it was killed and the rest discarded"
            }
        }

        /// Messages in stderr that show a limit was hit (Python's exceptions, libc's messages, and bash's
        /// reports of a child killed by SIGXFSZ or SIGXCPU).
        static let evidence: [(LimitHit, [String])] = [
            (.memory, ["MemoryError", "Cannot allocate memory", "std::bad_alloc", "out of memory"]),
            (.processes, ["BlockingIOError: [Errno 11]", "BlockingIOError(11,", "fork: retry", "fork: Resource temporarily unavailable",
                          "can't start new thread", "Cannot fork"]),
            (.openFiles, ["Too many open files"]),
            (.fileSize, ["File too large", "File size limit exceeded"]),
            (.cpuTime, ["CPU time limit exceeded"]),
        ]
    }

    /// The language that ran.
    var language: Language
    /// The exit status (for a signal, bwrap's 128 + signal number).
    var exitCode: Int32?
    /// The signal that ended the program, if one did.
    var signal: Int32?
    /// Milliseconds from start to end, sandbox setup included.
    var wallMilliseconds: Int64
    /// Every limit hit, the one that stopped the program first.
    var limitsHit: [LimitHit]
    /// Captured standard output.
    var stdout: CapturedOutput
    /// Captured standard error.
    var stderr: CapturedOutput
    /// "bubblewrap" or "none (unsafe)".
    var sandbox: String
    /// Whether the sandbox had its own /proc.
    var freshProc: Bool
    /// Sandbox weaknesses to report with every result.
    var warnings: [String]
    /// The limits the run was held to.
    var limits: Limits

    /// Interprets `outcome`. `sandboxed` runs report a signal as bwrap's exit status 128 + signal.
    init(language: Language, outcome: SpawnOutcome, limits: Limits, host: SandboxHost, sandboxed: Bool) {
        self.language = language
        self.limits = limits
        stdout = outcome.stdout
        stderr = outcome.stderr
        wallMilliseconds = outcome.wallTime.milliseconds
        sandbox = sandboxed ? "bubblewrap" : "none (unsafe)"
        freshProc = sandboxed && host.freshProc
        warnings = host.warnings
        switch outcome.termination {
        case .exited(let code):
            exitCode = code
            signal = sandboxed && code > 128 && code < 128 + 65 ? code - 128 : nil
        case .signaled(let number):
            exitCode = nil
            signal = number
        }
        var hits: [LimitHit] = []
        switch outcome.kill {
        case .wallTime: hits.append(.wallTime)
        case .output: hits.append(.output)
        case nil: break
        }
        if signal == SIGXCPU { hits.append(.cpuTime) }
        if signal == SIGXFSZ { hits.append(.fileSize) }
        let stderrTail = String(outcome.stderr.text.suffix(4096))
        for (limit, messages) in LimitHit.evidence where !hits.contains(limit) {
            if messages.contains(where: stderrTail.contains) { hits.append(limit) }
        }
        limitsHit = hits
    }

    /// The readable answer: status line, limit explanation, warnings, stdout and stderr.
    var text: String {
        var lines: [String] = []
        var status: String
        if let signal {
            status = "killed by signal \(Self.signalName(signal))"
            if let exitCode { status += " (exit status \(exitCode))" }
        } else {
            status = "exit code \(exitCode ?? -1)"
        }
        lines.append("\(status), \(wallMilliseconds) ms")
        if let first = limitsHit.first {
            lines.append("stopped by limit \(first.rawValue): \(first.explanation(limits))")
            for other in limitsHit.dropFirst() { lines.append("also hit \(other.rawValue): \(other.explanation(limits))") }
        }
        lines.append(section("stdout", stdout))
        lines.append(section("stderr", stderr))
        // After the output, which is what the reader came for.
        for warning in warnings { lines.append("WARNING: \(warning)") }
        return lines.joined(separator: "\n")
    }

    private func section(_ name: String, _ output: CapturedOutput) -> String {
        output.totalBytes == 0 ? "\(name): (empty)" : "\(name):\n\(output.text)"
    }

    /// The structured result (`structuredContent`).
    var structured: Value {
        .object([
            "language": .string(language.rawValue),
            "exit_code": exitCode.map { .int(Int($0)) } ?? .null,
            "signal": signal.map { .string(Self.signalName($0)) } ?? .null,
            "wall_ms": .int(Int(wallMilliseconds)),
            "limit_hit": limitsHit.first.map { .string($0.rawValue) } ?? .null,
            "limits_hit": .array(limitsHit.map { .string($0.rawValue) }),
            "stdout": .string(stdout.text),
            "stderr": .string(stderr.text),
            "stdout_bytes": .int(stdout.totalBytes),
            "stderr_bytes": .int(stderr.totalBytes),
            "stdout_truncated": .bool(stdout.truncated),
            "stderr_truncated": .bool(stderr.truncated),
            "sandbox": .string(sandbox),
            "proc": .bool(freshProc),
            "warnings": .array(warnings.map { .string($0) }),
            "limits": .object([
                "wall_seconds": .int(limits.wallSeconds), "cpu_seconds": .int(limits.cpuSeconds),
                "memory_bytes": .int(limits.addressSpaceBytes), "processes": .int(limits.processes),
                "file_size_bytes": .int(limits.fileSizeBytes), "open_files": .int(limits.openFiles),
                "output_kill_bytes": .int(limits.killAfterOutputBytes),
            ]),
        ])
    }

    /// `SIGKILL`-style name of a signal number.
    static func signalName(_ number: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[number] ?? "signal \(number)"
    }
}
