import Foundation
import TestSupport
import XCTest

/// Escape attempts against files, processes and the environment: nothing of the host is readable or
/// writable, and the secret planted in the plugin's environment never reaches the code.
final class EscapeFilesystemTests: CodeRunnerTestCase {
    func testReadingShadowFails() async throws {
        XCTAssertTrue(FileManager.default.fileExists(atPath: "/etc/shadow"), "the host has /etc/shadow")
        let answer = try await harness.python("print(open('/etc/shadow').read())")
        XCTAssertEqual(answer.exitCode, 1, answer.text)
        XCTAssertTrue(answer.stderr.contains("FileNotFoundError"), answer.text)
        XCTAssertFalse(answer.stdout.contains("root:"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testHomeAndSSHDirectoryAreInvisible() async throws {
        let home = FileManager.default.homeDirectoryForCurrentUser.path
        XCTAssertTrue(FileManager.default.fileExists(atPath: home), "the host home \(home) exists")
        let answer = try await harness.shell("""
            ls -la \(home) 2>&1; ls -la \(home)/.ssh 2>&1; cat \(home)/.ssh/* 2>&1; ls /root 2>&1
            cat ~/.ssh/id_rsa ~/.ssh/authorized_keys 2>&1; echo "home is $HOME"
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertTrue(answer.stdout.contains("No such file or directory"), answer.text)
        XCTAssertTrue(answer.stdout.contains("home is /work"), answer.text)
        XCTAssertFalse(answer.stdout.contains("PRIVATE KEY"), answer.text)
        XCTAssertFalse(answer.stdout.contains(".bashrc"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testRepositoryIsInvisible() async throws {
        let package = Repository.root.appendingPathComponent("Package.swift").path
        XCTAssertTrue(FileManager.default.fileExists(atPath: package), "the repository is at \(package)")
        let answer = try await harness.python("""
            import os
            try:
                print(open(\(pythonString(package))).read()[:200])
            except OSError as error:
                print("blocked:", type(error).__name__)
            print(sorted(os.listdir('/')))
            """)
        XCTAssertTrue(answer.stdout.contains("blocked: FileNotFoundError"), answer.text)
        XCTAssertFalse(answer.stdout.contains("swift-tools-version"), answer.text)
        XCTAssertFalse(answer.stdout.contains("'root'"), answer.text)
        XCTAssertFalse(answer.stdout.contains("'home'"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testHostProcessesAndInitEnvironmentAreInvisible() async throws {
        let answer = try await harness.python("""
            import os
            pids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit()) if os.path.isdir('/proc') else []
            print('pids', pids)
            for pid in pids:
                for name in ('environ', 'cmdline'):
                    try:
                        print(pid, name, open(f'/proc/{pid}/{name}', 'rb').read().replace(b'\\0', b' ').decode())
                    except OSError as error:
                        print(pid, name, 'blocked', type(error).__name__)
            try:
                print('init environ', open('/proc/1/environ', 'rb').read())
            except OSError as error:
                print('init environ blocked', type(error).__name__)
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertFalse(answer.text.contains(harness.secret), answer.text)
        // Only the sandbox's own processes: bwrap's init, prlimit/python; never the host's pid 1 or the plugin.
        let pidsLine = answer.stdout.split(separator: "\n").first { $0.hasPrefix("pids") } ?? ""
        let pids = pidsLine.dropFirst(4).filter { "0123456789,".contains($0) }.split(separator: ",").compactMap { Int($0) }
        XCTAssertLessThanOrEqual(pids.count, 3, answer.text)
        XCTAssertFalse(answer.stdout.contains("code-runner"), answer.text)
        XCTAssertFalse(answer.stdout.contains("xctest"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testParentEnvironmentSecretIsInvisible() async throws {
        let python = try await harness.python("""
            import os
            print(dict(os.environ))
            print(open('/proc/self/environ', 'rb').read() if os.path.exists('/proc/self/environ') else 'no proc')
            """)
        XCTAssertEqual(python.exitCode, 0, python.text)
        XCTAssertFalse(python.text.contains(harness.secret), python.text)
        XCTAssertFalse(python.stdout.contains("LOOM_TEST_SECRET"), python.text)
        XCTAssertTrue(python.stdout.contains("'HOME': '/work'"), python.text)
        let shell = try await harness.shell("env; cat /proc/*/environ 2>/dev/null | tr '\\0' '\\n'")
        XCTAssertFalse(shell.text.contains(harness.secret), shell.text)
        XCTAssertFalse(shell.stdout.contains("LOOM_TEST_SECRET"), shell.text)
        try await harness.assertAnswersNormally()
    }

    func testWritingOutsideTheWorkingDirectoryFails() async throws {
        let marker = "loom-escape-\(UUID().uuidString)"
        let repositoryFile = Repository.root.appendingPathComponent(marker).path
        let answer = try await harness.python("""
            import os
            targets = ['/usr/\(marker)', '/etc/\(marker)', '/\(marker)', '/root/\(marker)', '/proc/\(marker)',
                       \(pythonString(repositoryFile)), '/dev/\(marker)']
            for path in targets:
                try:
                    with open(path, 'w') as handle:
                        handle.write('escaped')
                    print('WROTE', path)
                except OSError as error:
                    print('blocked', path, type(error).__name__)
            with open('/tmp/\(marker)', 'w') as handle:
                handle.write('private tmp')
            with open('/work/\(marker)', 'w') as handle:
                handle.write('working dir')
            print('own dirs ok')
            """)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertTrue(answer.stdout.contains("own dirs ok"), answer.text)
        XCTAssertFalse(answer.stdout.contains("WROTE"), answer.text)
        for path in ["/usr/\(marker)", "/etc/\(marker)", "/\(marker)", "/root/\(marker)", repositoryFile,
                     "/tmp/\(marker)", "/work/\(marker)", NSTemporaryDirectory() + marker] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: path), "\(path) appeared on the host")
        }
        // The working directory is fresh for every call.
        let next = try await harness.shell("ls -A /work /tmp")
        XCTAssertFalse(next.stdout.contains(marker), next.text)
        try await harness.assertAnswersNormally()
    }
}

/// `text` as a Python string literal.
func pythonString(_ text: String) -> String {
    "'" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'"
}
