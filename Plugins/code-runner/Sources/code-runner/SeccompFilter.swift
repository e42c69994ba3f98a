/// A seccomp-BPF program, handed to bubblewrap (`--seccomp FD`), that makes a denylist of system calls fail
/// with EPERM for the code in the sandbox.
///
/// Namespaces and dropped capabilities already stop most of these; the filter closes what they leave open
/// to a process of the same uid: `ptrace` and `process_vm_*` on bwrap's init (pid 1 of the sandbox), and
/// kernel interfaces with a history of privilege escalations (keyrings, bpf, perf, userfaultfd, io_uring).
/// System calls of a foreign ABI (32-bit `int 0x80` on x86-64, x32) are refused wholesale.
///
/// Layout follows `struct sock_filter` (linux/filter.h): `u16 code, u8 jt, u8 jf, u32 k`, little-endian,
/// run against `struct seccomp_data` (`nr` at offset 0, `arch` at offset 4).
enum SeccompFilter {
    /// The architecture and its system-call numbers.
    struct Architecture {
        /// `AUDIT_ARCH_*` value found in `seccomp_data.arch`.
        let audit: UInt32
        /// System calls refused with EPERM, by name (documentation) and number.
        let denied: [(String, UInt32)]
        /// Numbers at or above this are a foreign ABI on the same architecture (x32), refused too.
        let foreignABIFloor: UInt32?
    }

    static let x86_64 = Architecture(audit: 0xC000_003E, denied: [
        ("ptrace", 101), ("process_vm_readv", 310), ("process_vm_writev", 311), ("kcmp", 312),
        ("pidfd_getfd", 438), ("process_madvise", 440),
        ("add_key", 248), ("request_key", 249), ("keyctl", 250),
        ("bpf", 321), ("perf_event_open", 298), ("userfaultfd", 323),
        ("io_uring_setup", 425), ("io_uring_enter", 426), ("io_uring_register", 427),
        ("mount", 165), ("umount2", 166), ("pivot_root", 155), ("unshare", 272), ("setns", 308),
        ("open_tree", 428), ("move_mount", 429), ("fsopen", 430), ("fsconfig", 431), ("fsmount", 432),
        ("fspick", 433), ("mount_setattr", 442),
        ("open_by_handle_at", 304), ("name_to_handle_at", 303), ("fanotify_init", 300),
        ("kexec_load", 246), ("kexec_file_load", 320), ("init_module", 175), ("finit_module", 313),
        ("delete_module", 176), ("swapon", 167), ("swapoff", 168), ("reboot", 169), ("acct", 163),
        ("quotactl", 179), ("syslog", 103), ("vhangup", 153), ("uselib", 134), ("iopl", 172), ("ioperm", 173),
    ], foreignABIFloor: 0x4000_0000)

    static let aarch64 = Architecture(audit: 0xC000_00B7, denied: [
        ("ptrace", 117), ("process_vm_readv", 270), ("process_vm_writev", 271), ("kcmp", 272),
        ("pidfd_getfd", 438), ("process_madvise", 440),
        ("add_key", 217), ("request_key", 218), ("keyctl", 219),
        ("bpf", 280), ("perf_event_open", 241), ("userfaultfd", 282),
        ("io_uring_setup", 425), ("io_uring_enter", 426), ("io_uring_register", 427),
        ("mount", 40), ("umount2", 39), ("pivot_root", 41), ("unshare", 97), ("setns", 268),
        ("open_tree", 428), ("move_mount", 429), ("fsopen", 430), ("fsconfig", 431), ("fsmount", 432),
        ("fspick", 433), ("mount_setattr", 442),
        ("open_by_handle_at", 265), ("name_to_handle_at", 264), ("fanotify_init", 262),
        ("kexec_load", 104), ("kexec_file_load", 294), ("init_module", 105), ("finit_module", 273),
        ("delete_module", 106), ("swapon", 224), ("swapoff", 225), ("reboot", 142), ("acct", 89),
        ("quotactl", 60), ("syslog", 116), ("vhangup", 58),
    ], foreignABIFloor: nil)

    /// The architecture this binary runs on, if the filter knows it.
    static var native: Architecture? {
        #if arch(x86_64)
        return x86_64
        #elseif arch(arm64)
        return aarch64
        #else
        return nil
        #endif
    }

    private static let loadWord: UInt16 = 0x20      // BPF_LD | BPF_W | BPF_ABS
    private static let jumpEqual: UInt16 = 0x15     // BPF_JMP | BPF_JEQ | BPF_K
    private static let jumpAtLeast: UInt16 = 0x35   // BPF_JMP | BPF_JGE | BPF_K
    private static let returnValue: UInt16 = 0x06  // BPF_RET | BPF_K
    private static let allow: UInt32 = 0x7FFF_0000  // SECCOMP_RET_ALLOW
    private static let deny: UInt32 = 0x0005_0000 | 1  // SECCOMP_RET_ERRNO | EPERM

    /// The program's bytes (8 per instruction).
    ///
    /// ```
    /// ld  arch ; jeq native ? next : deny
    /// ld  nr   ; [jge foreignABIFloor ? deny : next]
    /// jeq denied[i] ? deny : next     (for each denied call)
    /// ret ALLOW
    /// deny: ret ERRNO(EPERM)
    /// ```
    static func program(for architecture: Architecture) -> [UInt8] {
        var instructions: [(UInt16, UInt8, UInt8, UInt32)] = []
        let checks = architecture.denied.count + (architecture.foreignABIFloor == nil ? 0 : 1)
        // Jump offsets count instructions after the jump; `deny` is the last instruction.
        instructions.append((loadWord, 0, 0, 4))
        instructions.append((jumpEqual, 0, UInt8(checks + 2), architecture.audit))
        instructions.append((loadWord, 0, 0, 0))
        var remaining = checks
        if let floor = architecture.foreignABIFloor {
            remaining -= 1
            instructions.append((jumpAtLeast, UInt8(remaining + 1), 0, floor))
        }
        for (_, number) in architecture.denied {
            remaining -= 1
            instructions.append((jumpEqual, UInt8(remaining + 1), 0, number))
        }
        instructions.append((returnValue, 0, 0, allow))
        instructions.append((returnValue, 0, 0, deny))

        var bytes: [UInt8] = []
        for (code, jt, jf, k) in instructions {
            bytes += [UInt8(code & 0xFF), UInt8(code >> 8), jt, jf]
            bytes += [UInt8(k & 0xFF), UInt8((k >> 8) & 0xFF), UInt8((k >> 16) & 0xFF), UInt8(k >> 24)]
        }
        return bytes
    }
}
