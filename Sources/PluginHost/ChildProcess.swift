import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A spawned plugin process with pipes on its stdin, stdout and stderr, in its own process group.
///
/// Foundation's `Process` cannot put the child in a new process group, so this uses `posix_spawn`
/// directly. Spawns happen on one long-lived thread: a parent-death signal (bwrap's `--die-with-parent`,
/// `setpriv --pdeathsig`) fires when the spawning *thread* exits, so that thread must never exit.
final class ChildProcess: @unchecked Sendable {
    /// The child's pid (also its process-group id).
    let pid: pid_t
    /// Write end of the child's stdin.
    let input: Int32
    /// Read end of the child's stdout.
    let output: Int32
    /// Read end of the child's stderr.
    let errorOutput: Int32

    private let lock = NSLock()
    private var exitStatus: Int32?
    private var inputClosed = false

    private init(pid: pid_t, input: Int32, output: Int32, errorOutput: Int32) {
        self.pid = pid
        self.input = input
        self.output = output
        self.errorOutput = errorOutput
    }

    /// Spawns `plan.program` with `plan.arguments` and exactly `plan.environment`.
    ///
    /// - Throws: `PluginHostError.launchFailed` with the `posix_spawn` error.
    static func spawn(_ plan: LaunchPlan, name: String) throws -> ChildProcess {
        ignoreBrokenPipes
        var stdinPipe: [Int32] = [-1, -1], stdoutPipe: [Int32] = [-1, -1], stderrPipe: [Int32] = [-1, -1]
        guard pipe2(&stdinPipe, O_CLOEXEC) == 0 else { throw failure(name, "pipe", errno) }
        guard pipe2(&stdoutPipe, O_CLOEXEC) == 0 else {
            closeAll(stdinPipe)
            throw failure(name, "pipe", errno)
        }
        guard pipe2(&stderrPipe, O_CLOEXEC) == 0 else {
            closeAll(stdinPipe + stdoutPipe)
            throw failure(name, "pipe", errno)
        }
        let argv = [plan.program] + plan.arguments
        let envp = plan.environment.keys.sorted().map { "\($0)=\(plan.environment[$0] ?? "")" }
        let result = SpawnThread.shared.run { () -> (pid_t, Int32) in
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_adddup2(&actions, stdinPipe[0], 0)
            posix_spawn_file_actions_adddup2(&actions, stdoutPipe[1], 1)
            posix_spawn_file_actions_adddup2(&actions, stderrPipe[1], 2)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var noSignals = sigset_t(), allSignals = sigset_t()
            sigemptyset(&noSignals)
            sigfillset(&allSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            posix_spawnattr_setsigdefault(&attributes, &allSignals)
            posix_spawnattr_setpgroup(&attributes, 0)
            posix_spawnattr_setflags(&attributes,
                                     Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var cArgs = argv.map { strdup($0) } + [nil]
            var cEnv = envp.map { strdup($0) } + [nil]
            defer { (cArgs + cEnv).forEach { free($0) } }
            var pid: pid_t = 0
            let status = posix_spawn(&pid, plan.program, &actions, &attributes, &cArgs, &cEnv)
            return (pid, status)
        }
        close(stdinPipe[0]); close(stdoutPipe[1]); close(stderrPipe[1])
        guard result.1 == 0 else {
            closeAll([stdinPipe[1], stdoutPipe[0], stderrPipe[0]])
            throw failure(name, "posix_spawn \(plan.program)", result.1)
        }
        return ChildProcess(pid: result.0, input: stdinPipe[1], output: stdoutPipe[0], errorOutput: stderrPipe[0])
    }

    /// Writes all of `data` to the child's stdin; false if the child closed it or died.
    func write(_ data: Data) -> Bool {
        data.withUnsafeBytes { buffer -> Bool in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(input, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += written
            }
            return true
        }
    }

    /// Closes the child's stdin (a polite request to exit).
    func closeInput() {
        lock.lock()
        defer { lock.unlock() }
        if !inputClosed {
            inputClosed = true
            close(input)
        }
    }

    /// Sends SIGKILL to the child's whole process group.
    func killGroup() {
        lock.lock()
        let reaped = exitStatus != nil
        lock.unlock()
        if !reaped { kill(-pid, SIGKILL) }
    }

    /// Waits for the child to exit and returns its wait status (reaped once; later calls return it again).
    @discardableResult
    func wait() -> Int32 {
        lock.lock()
        if let exitStatus { lock.unlock(); return exitStatus }
        lock.unlock()
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        lock.lock()
        defer { lock.unlock() }
        if exitStatus == nil { exitStatus = status }
        return exitStatus ?? status
    }

    /// Whether the child has exited, without blocking (reaps it if so).
    var hasExited: Bool {
        lock.lock()
        defer { lock.unlock() }
        if exitStatus != nil { return true }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid {
            exitStatus = status
            return true
        }
        return false
    }

    /// Describes a wait status for a person or a model ("exited with status 1", "killed by SIGXCPU (CPU limit)").
    static func describe(status: Int32) -> String {
        let signal = status & 0x7F
        guard signal == 0 else { return "was killed by \(signalName(signal))" }
        let code = (status >> 8) & 0xFF
        // bwrap and shells report a child killed by signal N as status 128 + N.
        if code > 128 && code < 128 + 32 { return "was killed by \(signalName(code - 128)) (exit status \(code))" }
        return "exited with status \(code)"
    }

    /// A readable signal name; bwrap reports a signalled child as status 128 + signal.
    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGKILL: return "SIGKILL"
        case SIGXCPU: return "SIGXCPU (CPU time limit)"
        case SIGSEGV: return "SIGSEGV (crash)"
        case SIGABRT: return "SIGABRT (abort)"
        case SIGTERM: return "SIGTERM"
        case SIGXFSZ: return "SIGXFSZ (file size limit)"
        case SIGBUS: return "SIGBUS"
        case SIGILL: return "SIGILL (crash)"
        case SIGTRAP: return "SIGTRAP (Swift runtime trap)"
        default: return "signal \(signal)"
        }
    }

    deinit {
        closeInput()
        close(output)
        close(errorOutput)
    }

    private static let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

    /// `pipe2(2)`, which Glibc's Swift overlay does not export; looked up once. Creating both ends with
    /// `O_CLOEXEC` atomically keeps them from leaking into processes other threads spawn meanwhile.
    private static let pipe2: @convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32 = {
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "pipe2") {
            return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<Int32>, Int32) -> Int32).self)
        }
        return { fds, _ in
            guard pipe(fds) == 0 else { return -1 }
            _ = fcntl(fds[0], F_SETFD, FD_CLOEXEC)
            _ = fcntl(fds[1], F_SETFD, FD_CLOEXEC)
            return 0
        }
    }()

    private static func failure(_ name: String, _ call: String, _ code: Int32) -> PluginHostError {
        .launchFailed(plugin: name, reason: "\(call) failed: \(String(cString: strerror(code)))")
    }

    private static func closeAll(_ fds: [Int32]) { for fd in fds where fd >= 0 { close(fd) } }
}

/// One thread that lives as long as the process and performs every spawn (see `ChildProcess`).
final class SpawnThread: @unchecked Sendable {
    /// The shared spawner.
    static let shared = SpawnThread()

    private let condition = NSCondition()
    private var jobs: [() -> Void] = []

    private init() {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = "loom.plugin-spawner"
        thread.start()
    }

    /// Runs `work` on the spawner thread and returns its result.
    func run<T>(_ work: @escaping () -> T) -> T {
        let done = DispatchSemaphore(value: 0)
        var result: T?
        condition.lock()
        jobs.append {
            result = work()
            done.signal()
        }
        condition.signal()
        condition.unlock()
        done.wait()
        guard let result else { preconditionFailure("spawn job did not run") }
        return result
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let job = jobs.removeFirst()
            condition.unlock()
            job()
        }
    }
}
