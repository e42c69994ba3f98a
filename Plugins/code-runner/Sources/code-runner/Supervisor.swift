#if canImport(Glibc)
import Glibc
#endif

/// How a supervised process ended.
enum Termination: Equatable, Sendable {
    /// Normal exit with this status.
    case exited(Int32)
    /// Killed by this signal.
    case signaled(Int32)
}

/// Why the supervisor itself killed the process tree.
enum SupervisorKill: String, Equatable, Sendable {
    /// The wall-clock limit passed.
    case wallTime = "wall_time"
    /// The program wrote more output than the supervisor drains.
    case output = "output"
}

/// What to start and under which limits the supervisor holds it.
struct SpawnRequest: Sendable {
    /// Absolute path of the program.
    var executable: String
    /// Arguments after the program name.
    var arguments: [String]
    /// The complete environment, as `KEY=value` strings.
    var environment: [String]
    /// Working directory of the program (the supervisor's own when nil).
    var workingDirectory: String?
    /// Contents handed to the program as file descriptors 3, 4, ... (memfds at offset 0).
    var inheritedFiles: [[UInt8]] = []
    /// Bytes written to the program's stdin, which is closed afterwards.
    var stdin: [UInt8] = []
    /// Wall-clock limit after which the whole process group is killed.
    var wallLimit: Duration
    /// Bytes of each stream kept from the start and from the end.
    var captureHead: Int
    /// Bytes of each stream kept from the end.
    var captureTail: Int
    /// Total stdout + stderr bytes after which the process group is killed.
    var killAfterOutputBytes: Int
}

/// How a supervised run went.
struct SpawnOutcome: Sendable {
    /// Captured stdout.
    var stdout: CapturedOutput
    /// Captured stderr.
    var stderr: CapturedOutput
    /// Exit status or signal of the started process.
    var termination: Termination
    /// Time from spawn until the started process was reaped.
    var wallTime: Duration
    /// Set when the supervisor killed the process group, and why.
    var kill: SupervisorKill?
}

/// Starts one process in its own process group and supervises it: feeds stdin, reads stdout and stderr
/// concurrently into capped buffers, kills the group at the wall-clock or output limit, and reaps it.
///
/// Blocking; call it from a thread that may block. The thread that calls `run` must stay alive until it
/// returns, because a sandbox started with a parent-death signal is tied to that thread.
enum Supervisor {
    /// How long to keep reading after the started process ended or was killed, for stragglers.
    static let drainGrace: Duration = .seconds(2)

    /// Runs `request` to completion.
    ///
    /// - Throws: `CodeRunnerError.systemCall` or `.spawnFailed` when the process cannot be started.
    static func run(_ request: SpawnRequest) throws(CodeRunnerError) -> SpawnOutcome {
        var pipes = try ChildPipes(inheritedFiles: request.inheritedFiles)
        defer { pipes.closeAll() }
        let pid = try spawn(request, pipes: pipes)
        pipes.closeChildEnds()
        return supervise(pid: pid, request: request, pipes: &pipes)
    }

    /// `posix_spawn` with the child's stdio on the pipes, inherited files on 3..., every other descriptor
    /// closed, default signal dispositions, an empty signal mask and a new process group.
    private static func spawn(_ request: SpawnRequest, pipes: ChildPipes) throws(CodeRunnerError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipes.stdinRead, 0)
        posix_spawn_file_actions_adddup2(&actions, pipes.stdoutWrite, 1)
        posix_spawn_file_actions_adddup2(&actions, pipes.stderrWrite, 2)
        for (index, fd) in pipes.inherited.enumerated() {
            posix_spawn_file_actions_adddup2(&actions, fd, Int32(3 + index))
        }
        try SpawnActions.closeDescriptors(from: Int32(3 + pipes.inherited.count), in: &actions)
        if let directory = request.workingDirectory {
            try SpawnActions.changeDirectory(to: directory, in: &actions)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGCHLD, SIGXCPU, SIGXFSZ, SIGUSR1, SIGUSR2, SIGALRM] {
            sigaddset(&defaults, signal)
        }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        let argv = ([request.executable] + request.arguments).map { strdup($0) } + [nil]
        let envp = request.environment.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, request.executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw .spawnFailed(executable: request.executable, errno: result) }
        return pid
    }

    /// The poll loop: stdin out, stdout/stderr in, limits checked, child reaped.
    private static func supervise(pid: pid_t, request: SpawnRequest, pipes: inout ChildPipes) -> SpawnOutcome {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + request.wallLimit
        var stdout = CapturedOutput(headLimit: request.captureHead, tailLimit: request.captureTail)
        var stderr = CapturedOutput(headLimit: request.captureHead, tailLimit: request.captureTail)
        var termination: Termination?
        var end = start
        var kill: SupervisorKill?
        var drainDeadline: ContinuousClock.Instant?
        var stdinOffset = 0
        if request.stdin.isEmpty { pipes.close(\.stdinWrite) }
        var buffer = [UInt8](repeating: 0, count: 65536)

        while true {
            if termination == nil, hasExited(pid) {
                end = clock.now
                // The group may hold stragglers (unsandboxed runs); the sandbox's pid namespace is already gone.
                // Killed before reaping, while the zombie still reserves the group's id.
                killGroup(pid)
                termination = reap(pid, blocking: true) ?? .signaled(SIGKILL)
                drainDeadline = clock.now + drainGrace
            }
            let now = clock.now
            if termination != nil, pipes.stdoutRead < 0, pipes.stderrRead < 0 { break }
            if let drainDeadline, now >= drainDeadline { break }
            if kill == nil, termination == nil, now >= deadline {
                kill = .wallTime
                killGroup(pid)
            }

            var fds: [pollfd] = []
            if pipes.stdoutRead >= 0 { fds.append(pollfd(fd: pipes.stdoutRead, events: Int16(POLLIN), revents: 0)) }
            if pipes.stderrRead >= 0 { fds.append(pollfd(fd: pipes.stderrRead, events: Int16(POLLIN), revents: 0)) }
            if pipes.stdinWrite >= 0 { fds.append(pollfd(fd: pipes.stdinWrite, events: Int16(POLLOUT), revents: 0)) }
            // Without a pidfd the child's exit is noticed by polling waitpid: short waits once the pipes closed.
            let wait: Duration = fds.isEmpty ? .milliseconds(2) : .milliseconds(25)
            let untilDeadline = kill == nil && termination == nil ? max(deadline - now, .milliseconds(1)) : wait
            let timeout = Int32(min(wait, untilDeadline).milliseconds)
            if fds.isEmpty {
                usleep(UInt32(timeout) * 1000)
                continue
            }
            let ready = poll(&fds, nfds_t(fds.count), max(timeout, 1))
            if ready < 0, errno != EINTR { break }
            guard ready > 0 else { continue }

            for entry in fds where entry.revents != 0 {
                if entry.fd == pipes.stdinWrite {
                    stdinOffset = feed(request.stdin, from: stdinOffset, pipes: &pipes, revents: entry.revents)
                    continue
                }
                let isStdout = entry.fd == pipes.stdoutRead
                let count = buffer.withUnsafeMutableBytes { read(entry.fd, $0.baseAddress, $0.count) }
                if count > 0 {
                    buffer.withUnsafeBytes { bytes in
                        let chunk = UnsafeRawBufferPointer(rebasing: bytes[0..<count])
                        if isStdout { stdout.append(chunk) } else { stderr.append(chunk) }
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    pipes.close(isStdout ? \.stdoutRead : \.stderrRead)
                }
            }
            if kill == nil, termination == nil,
               stdout.totalBytes + stderr.totalBytes > request.killAfterOutputBytes {
                kill = .output
                killGroup(pid)
                // Stop reading at once: the buffers hold what will be shown, the rest is discarded.
                pipes.close(\.stdoutRead)
                pipes.close(\.stderrRead)
            }
        }
        if termination == nil {
            killGroup(pid)
            termination = reap(pid, blocking: true) ?? .signaled(SIGKILL)
            end = clock.now
        }
        return SpawnOutcome(stdout: stdout, stderr: stderr, termination: termination ?? .signaled(SIGKILL),
                            wallTime: end - start, kill: kill)
    }

    /// Writes the next chunk of stdin; closes the pipe when all is written or the reader is gone.
    private static func feed(_ input: [UInt8], from offset: Int, pipes: inout ChildPipes, revents: Int16) -> Int {
        if revents & Int16(POLLERR | POLLHUP) != 0 {
            pipes.close(\.stdinWrite)
            return offset
        }
        let written = input.withUnsafeBytes { bytes in
            write(pipes.stdinWrite, bytes.baseAddress! + offset, min(65536, bytes.count - offset))
        }
        if written < 0 {
            if errno != EAGAIN && errno != EINTR { pipes.close(\.stdinWrite) }
            return offset
        }
        let next = offset + written
        if next >= input.count { pipes.close(\.stdinWrite) }
        return next
    }

    /// SIGKILL to the process group and the process itself (the group leader may have left its group).
    private static func killGroup(_ pid: pid_t) {
        _ = Glibc.kill(-pid, SIGKILL)
        _ = Glibc.kill(pid, SIGKILL)
    }

    /// Whether the child has ended, without reaping it (`waitid` with WNOWAIT).
    private static func hasExited(_ pid: pid_t) -> Bool {
        var info = siginfo_t()
        while true {
            let result = waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | 0x0100_0000)  // WNOWAIT
            if result == 0 { return info._sifields._sigchld.si_pid == pid }
            if errno == EINTR { continue }
            return true  // cannot be waited for: treat as ended, `reap` reports it
        }
    }

    /// `waitpid`, retrying on EINTR; nil while the child runs (non-blocking) or when it cannot be waited for.
    private static func reap(_ pid: pid_t, blocking: Bool) -> Termination? {
        var status: Int32 = 0
        while true {
            let result = waitpid(pid, &status, blocking ? 0 : WNOHANG)
            if result == pid { break }
            if result < 0, errno == EINTR { continue }
            return nil
        }
        // WIFEXITED / WIFSIGNALED are macros Swift cannot import; decode the wait status directly.
        let signal = status & 0x7f
        if signal == 0 { return .exited((status >> 8) & 0xff) }
        return .signaled(signal)
    }
}

extension Duration {
    /// The duration in whole milliseconds (rounded down).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
