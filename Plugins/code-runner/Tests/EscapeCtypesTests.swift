import Foundation
import XCTest

/// Raw system calls through `ctypes`: no new namespaces, no mounts, no joining other namespaces, no
/// privileges; a crash from poking memory ends only that run.
final class EscapeCtypesTests: CodeRunnerTestCase {
    func testNamespaceAndMountSyscallsFail() async throws {
        let answer = try await harness.python("""
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            def attempt(name, result):
                print(name, 'OK' if result == 0 else 'failed errno %d' % ctypes.get_errno())
            CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWNET, CLONE_NEWPID = 0x20000, 0x10000000, 0x40000000, 0x20000000
            attempt('unshare-user', libc.unshare(CLONE_NEWUSER))
            attempt('unshare-mount', libc.unshare(CLONE_NEWNS))
            attempt('unshare-net', libc.unshare(CLONE_NEWNET))
            attempt('unshare-pid', libc.unshare(CLONE_NEWPID))
            attempt('mount-tmpfs', libc.mount(b'none', b'/work', b'tmpfs', 0, None))
            attempt('remount-usr-rw', libc.mount(None, b'/usr', None, 0x20 | 0x1000, None))
            attempt('mount-proc', libc.mount(b'proc', b'/tmp', b'proc', 0, None))
            attempt('chroot', libc.chroot(b'/tmp'))
            attempt('setuid0', libc.setuid(0))
            for ns in ('mnt', 'net', 'user', 'pid'):
                path = '/proc/1/ns/' + ns
                try:
                    fd = os.open(path, os.O_RDONLY)
                    attempt('setns-' + ns, libc.setns(fd, 0))
                except OSError as error:
                    print('setns-' + ns, 'failed open', type(error).__name__)
            if os.path.exists('/proc/self/status'):
                print(*(' '.join(line.split()) for line in open('/proc/self/status') if line.startswith('Cap')))
            else:
                print('caps no proc')
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        for name in ["unshare-user", "unshare-mount", "unshare-net", "unshare-pid", "mount-tmpfs", "remount-usr-rw",
                     "mount-proc", "chroot", "setuid0"] {
            XCTAssertTrue(answer.stdout.contains("\(name) failed"), "\(name) succeeded:\n\(answer.text)")
        }
        // pid 1 is the sandbox's own init; even joining its namespaces needs privileges the code lacks.
        for ns in ["mnt", "net", "user", "pid"] {
            XCTAssertTrue(answer.stdout.contains("setns-\(ns) failed"), "setns \(ns) succeeded:\n\(answer.text)")
        }
        XCTAssertTrue(answer.stdout.contains("CapEff: 0000000000000000") || answer.stdout.contains("caps no proc"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testReadingArbitraryMemoryCrashesOnlyTheRun() async throws {
        let answer = try await harness.python("""
            import ctypes
            print('reading address 8', flush=True)
            print(ctypes.string_at(8, 64))
            """)
        XCTAssertEqual(answer.signal, "SIGSEGV", answer.text)
        XCTAssertEqual(answer.stdout, "reading address 8\n", answer.text)
        try await harness.assertAnswersNormally()
    }

    func testPtraceOfInitAndMemoryOfOtherProcessesFail() async throws {
        let answer = try await harness.python("""
            import ctypes, os
            libc = ctypes.CDLL(None, use_errno=True)
            PTRACE_ATTACH = 16
            result = libc.ptrace(PTRACE_ATTACH, 1, None, None)
            print('ptrace-init', 'OK' if result == 0 else 'failed errno %d' % ctypes.get_errno())
            try:
                with open('/proc/1/mem', 'rb') as memory:
                    memory.seek(0x400000)
                    print('mem-init read', len(memory.read(16)))
            except OSError as error:
                print('mem-init failed', type(error).__name__)
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertTrue(answer.stdout.contains("ptrace-init failed errno 1"), answer.text)
        XCTAssertTrue(answer.stdout.contains("mem-init failed"), answer.text)
        try await harness.assertAnswersNormally()
    }
}
