#if canImport(Glibc)
import Glibc
#endif

/// The descriptors a supervised child is started with: three pipes for stdio and one memfd per inherited
/// file. Every descriptor is close-on-exec and numbered at or above `firstDescriptor`, so the `dup2` calls
/// that put them on 0, 1, 2, 3, ... in the child can never overwrite one another. The parent's ends are
/// non-blocking. A closed descriptor is -1.
struct ChildPipes {
    /// Lowest number used, above every `dup2` target.
    static let firstDescriptor: Int32 = 64

    /// The child's stdin (read end) and ours (write end).
    var stdinRead: Int32 = -1
    var stdinWrite: Int32 = -1
    /// Our end (read) and the child's stdout (write end).
    var stdoutRead: Int32 = -1
    var stdoutWrite: Int32 = -1
    /// Our end (read) and the child's stderr (write end).
    var stderrRead: Int32 = -1
    var stderrWrite: Int32 = -1
    /// One memfd per inherited file, positioned at offset 0.
    var inherited: [Int32] = []

    /// Opens the pipes and writes each inherited file into its own memfd.
    ///
    /// - Throws: `CodeRunnerError.systemCall` naming the call that failed (all opened descriptors are closed).
    init(inheritedFiles: [[UInt8]]) throws(CodeRunnerError) {
        do {
            (stdinRead, stdinWrite) = try Self.pipe()
            (stdoutRead, stdoutWrite) = try Self.pipe()
            (stderrRead, stderrWrite) = try Self.pipe()
            for contents in inheritedFiles { inherited.append(try Self.memoryFile(contents)) }
        } catch {
            closeAll()
            throw error
        }
        for fd in [stdinWrite, stdoutRead, stderrRead] {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        }
    }

    /// Closes the child's ends and the memfds once the child holds its own copies.
    mutating func closeChildEnds() {
        close(\.stdinRead)
        close(\.stdoutWrite)
        close(\.stderrWrite)
        for fd in inherited { _ = Glibc.close(fd) }
        inherited = []
    }

    /// Closes one descriptor and marks it closed.
    mutating func close(_ field: WritableKeyPath<ChildPipes, Int32>) {
        if self[keyPath: field] >= 0 { _ = Glibc.close(self[keyPath: field]) }
        self[keyPath: field] = -1
    }

    /// Closes everything still open.
    mutating func closeAll() {
        closeChildEnds()
        close(\.stdinWrite)
        close(\.stdoutRead)
        close(\.stderrRead)
    }

    /// A pipe with both ends moved to high, close-on-exec descriptors.
    private static func pipe() throws(CodeRunnerError) -> (Int32, Int32) {
        var ends: [Int32] = [-1, -1]
        // Only this process's serialized runs spawn children, and `raise` makes both ends close-on-exec.
        guard Glibc.pipe(&ends) == 0 else { throw .systemCall(name: "pipe", errno: errno) }
        return (try raise(ends[0]), try raise(ends[1]))
    }

    /// `memfd_create(2)`, which the Glibc module does not import (it needs `_GNU_SOURCE`); glibc has it since 2.27.
    private static let memfdCreate: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32)? = {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "memfd_create") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (UnsafePointer<CChar>, UInt32) -> Int32).self)
    }()

    /// An anonymous file holding `contents`, rewound to the start: a memfd, or an unlinked temporary file
    /// where memfds are unavailable.
    private static func memoryFile(_ contents: [UInt8]) throws(CodeRunnerError) -> Int32 {
        let fd = try anonymousFile()
        var offset = 0
        while offset < contents.count {
            let written = contents.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                let failure = errno
                _ = Glibc.close(fd)
                throw .systemCall(name: "write(memfd)", errno: failure)
            }
            offset += written
        }
        guard lseek(fd, 0, SEEK_SET) == 0 else {
            let failure = errno
            _ = Glibc.close(fd)
            throw .systemCall(name: "lseek(memfd)", errno: failure)
        }
        return try raise(fd)
    }

    private static func anonymousFile() throws(CodeRunnerError) -> Int32 {
        let memfdCloexec: UInt32 = 1
        if let memfdCreate {
            let fd = memfdCreate("loom-code-runner", memfdCloexec)
            if fd >= 0 { return fd }
        }
        var template = Array("/tmp/loom-code-runner-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { throw .systemCall(name: "mkstemp", errno: errno) }
        unlink(template)
        return fd
    }

    /// Moves `fd` to a close-on-exec descriptor at or above `firstDescriptor`.
    private static func raise(_ fd: Int32) throws(CodeRunnerError) -> Int32 {
        let moved = fcntl(fd, F_DUPFD_CLOEXEC, firstDescriptor)
        let failure = errno
        _ = Glibc.close(fd)
        guard moved >= 0 else { throw .systemCall(name: "fcntl(F_DUPFD_CLOEXEC)", errno: failure) }
        return moved
    }
}
