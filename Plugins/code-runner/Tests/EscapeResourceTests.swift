import Foundation
import XCTest

/// Attacks on resources: each is stopped by a kernel or supervisor limit, the result names the limit, and
/// the plugin answers the next call normally.
final class EscapeResourceTests: CodeRunnerTestCase {
    func testForkBombIsContainedByTheProcessLimit() async throws {
        let marker = "bomb\(UInt32.random(in: 100_000...999_999))"
        let answer = try await harness.python(forkBomb(named: marker), timeout: 4)
        XCTAssertFalse(answer.isError, answer.text)
        XCTAssertTrue(answer.limitsHit.contains("processes"), answer.text)
        XCTAssertEqual(answer.limitHit, "wall_time", answer.text)
        XCTAssertTrue(answer.stderr.contains("BlockingIOError"), answer.text)
        XCTAssertTrue(answer.warnings.isEmpty, "the process limit is enforced: \(answer.warnings)")
        XCTAssertEqual(HostProcesses.matching(marker), [], "fork bomb processes survived the run")
        try await harness.assertAnswersNormally()
    }

    func testShellForkBombIsContained() async throws {
        let answer = try await harness.shell("bomb() { bomb | bomb & }; bomb; sleep 2; echo survived", timeout: 4)
        XCTAssertFalse(answer.isError, answer.text)
        XCTAssertTrue(answer.limitsHit.contains("processes"), answer.text)
        XCTAssertLessThan(answer.wallMilliseconds, 8000, answer.text)
        try await harness.assertAnswersNormally()
    }

    func testAllocatingEightGigabytesFails() async throws {
        let answer = try await harness.python("""
            block = bytearray(8 * 1024 ** 3)
            print('allocated', len(block))
            """)
        XCTAssertEqual(answer.exitCode, 1, answer.text)
        XCTAssertEqual(answer.limitHit, "memory", answer.text)
        XCTAssertTrue(answer.stderr.contains("MemoryError"), answer.text)
        XCTAssertFalse(answer.stdout.contains("allocated"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testBusyLoopIsStoppedByCPUOrWallLimit() async throws {
        let answer = try await harness.python("while True:\n    pass\n", timeout: 2)
        XCTAssertTrue(["cpu_time", "wall_time"].contains(answer.limitHit ?? ""), answer.text)
        XCTAssertNotNil(answer.signal, answer.text)
        XCTAssertLessThan(answer.wallMilliseconds, 6000, answer.text)
        try await harness.assertAnswersNormally()
    }

    func testCPULimitSendsSIGXCPU() async throws {
        // Two busy threads use CPU twice as fast as wall time, so RLIMIT_CPU (= timeout) is hit first.
        let answer = try await harness.python("""
            import threading
            def spin():
                while True:
                    pass
            for _ in range(4):
                threading.Thread(target=spin, daemon=True).start()
            spin()
            """, timeout: 3)
        XCTAssertTrue(["cpu_time", "wall_time"].contains(answer.limitHit ?? ""), answer.text)
        if answer.limitHit == "cpu_time" { XCTAssertEqual(answer.signal, "SIGXCPU", answer.text) }
        try await harness.assertAnswersNormally()
    }

    func testSleepingForeverIsKilledAtTheWallClockLimit() async throws {
        let answer = try await harness.python("import time\nprint('start', flush=True)\ntime.sleep(3600)", timeout: 2)
        XCTAssertEqual(answer.limitHit, "wall_time", answer.text)
        XCTAssertEqual(answer.signal, "SIGKILL", answer.text)
        XCTAssertEqual(answer.stdout, "start\n", answer.text)
        XCTAssertGreaterThanOrEqual(answer.wallMilliseconds, 2000, answer.text)
        XCTAssertLessThan(answer.wallMilliseconds, 5000, answer.text)
        XCTAssertTrue(answer.text.contains("wall-clock limit of 2 s"), answer.text)
        try await harness.assertAnswersNormally()
    }

    func testPrintingOneGigabyteIsCappedFast() async throws {
        let started = ContinuousClock.now
        let answer = try await harness.python("""
            import sys
            chunk = 'x' * (1 << 20)
            for _ in range(1024):
                sys.stdout.write(chunk)
            print('finished')
            """, timeout: 30)
        let elapsed = ContinuousClock.now - started
        XCTAssertEqual(answer.limitHit, "output", answer.text)
        XCTAssertEqual(answer.fields["stdout_truncated"]?.boolValue, true, answer.text)
        XCTAssertTrue(answer.stdout.contains("output truncated"), String(answer.text.prefix(300)))
        XCTAssertLessThan(answer.stdout.utf8.count, 128 * 1024)
        XCTAssertFalse(answer.stdout.contains("finished"))
        XCTAssertLessThan(elapsed, .seconds(10), "1 GB of output must be cut off quickly")
        try await harness.assertAnswersNormally()
    }

    func testBackgroundProcessesDieWithTheRun() async throws {
        let marker = "loombg\(UInt32.random(in: 100_000...999_999))"
        let shell = try await harness.shell("""
            ( exec -a \(marker)-a sleep 300 ) &
            nohup bash -c 'exec -a \(marker)-b sleep 300' >/dev/null 2>&1 &
            setsid bash -c 'exec -a \(marker)-c sleep 300' &
            disown -a
            echo started
            """)
        XCTAssertEqual(shell.exitCode, 0, shell.text)
        XCTAssertEqual(shell.stdout, "started\n", shell.text)
        let python = try await harness.python("""
            import os, time
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    open('/proc/self/comm', 'w').write('\(marker)-d')
                    time.sleep(300)
                os._exit(0)
            print('parent exits')
            """)
        XCTAssertEqual(python.exitCode, 0, python.text)
        try await Task.sleep(for: .milliseconds(300))
        XCTAssertEqual(HostProcesses.matching(marker), [], "background processes outlived their run")
        try await harness.assertAnswersNormally()
    }

    func testFileSizeLimit() async throws {
        let answer = try await harness.python("""
            with open('/work/big', 'wb') as handle:
                for _ in range(100):
                    handle.write(b'x' * (1 << 20))
            print('wrote 100 MiB')
            """)
        // Python ignores SIGXFSZ, so the write fails with EFBIG instead.
        XCTAssertEqual(answer.limitHit, "file_size", answer.text)
        XCTAssertTrue(answer.stderr.contains("File too large"), answer.text)
        XCTAssertFalse(answer.stdout.contains("wrote"), answer.text)
        let shell = try await harness.shell("head -c 100000000 /dev/zero > /work/big; echo after")
        XCTAssertEqual(shell.limitHit, "file_size", shell.text)
        try await harness.assertAnswersNormally()
    }

    func testOpenFilesLimit() async throws {
        let answer = try await harness.python("""
            handles = [open('/dev/null') for _ in range(10000)]
            """)
        XCTAssertEqual(answer.exitCode, 1, answer.text)
        XCTAssertEqual(answer.limitHit, "open_files", answer.text)
        try await harness.assertAnswersNormally()
    }
}

/// Python that renames itself `name` (visible to the host in /proc/PID/comm; nil where the sandbox has no
/// /proc), forks until fork fails, reports the failure on stderr and sleeps: a fork bomb that says when the
/// process limit stopped it.
func forkBomb(named name: String?) -> String {
    """
    import os, sys, time
    \(name.map { "open('/proc/self/comm', 'w').write('\($0)')" } ?? "")
    while True:
        try:
            os.fork()
        except OSError as error:
            print('fork failed:', repr(error), file=sys.stderr, flush=True)
            break
    time.sleep(60)
    """
}
