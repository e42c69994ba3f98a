#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// The glibc `posix_spawn` file actions that Swift's Glibc module does not import (they are `_np`
/// extensions declared only with `_GNU_SOURCE`), looked up at run time.
enum SpawnActions {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private typealias ChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>,
                                                        UnsafePointer<CChar>) -> Int32

    /// `posix_spawn_file_actions_addclosefrom_np` (glibc 2.34).
    private static let closeFrom: CloseFrom? = lookup("posix_spawn_file_actions_addclosefrom_np")
    /// `posix_spawn_file_actions_addchdir_np` (glibc 2.29).
    private static let changeDirectory: ChangeDirectory? = lookup("posix_spawn_file_actions_addchdir_np")

    private static func lookup<Function>(_ name: String) -> Function? {
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), name) else { return nil }
        return unsafeBitCast(symbol, to: Function.self)
    }

    /// Closes every descriptor from `lowest` up in the child; without `addclosefrom_np`, each descriptor
    /// open now (listed in /proc/self/fd) gets its own close action.
    static func closeDescriptors(from lowest: Int32, in actions: inout posix_spawn_file_actions_t) throws(CodeRunnerError) {
        if let closeFrom {
            let result = closeFrom(&actions, lowest)
            guard result == 0 else { throw .systemCall(name: "posix_spawn_file_actions_addclosefrom_np", errno: result) }
            return
        }
        let open = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
        for fd in open where fd >= lowest {
            // Closing a descriptor that is gone by then fails the spawn, so only close-on-exec ones are skipped.
            if fcntl(fd, F_GETFD) & FD_CLOEXEC == 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
    }

    /// Makes the child start in `directory`.
    static func changeDirectory(to directory: String, in actions: inout posix_spawn_file_actions_t) throws(CodeRunnerError) {
        guard let changeDirectory else {
            throw .systemCall(name: "posix_spawn_file_actions_addchdir_np (glibc 2.29 or newer needed)", errno: ENOSYS)
        }
        let result = changeDirectory(&actions, directory)
        guard result == 0 else { throw .systemCall(name: "posix_spawn_file_actions_addchdir_np", errno: result) }
    }
}
