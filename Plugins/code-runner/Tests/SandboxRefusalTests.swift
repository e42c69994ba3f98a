import Foundation
import XCTest

/// Without bubblewrap the plugin refuses to run code, unless the loud override is set.
final class SandboxRefusalTests: XCTestCase {
    func testRefusesWithoutBubblewrap() async throws {
        let harness = try await CodeRunnerHarness(environment: ["LOOM_CODE_RUNNER_BWRAP": "/nonexistent/bwrap"])
        let answer = try await harness.python("print('ran')")
        let shell = try await harness.shell("echo ran")
        await harness.stop()
        XCTAssertTrue(answer.isError, answer.text)
        XCTAssertTrue(answer.text.contains("refuses to run code"), answer.text)
        XCTAssertTrue(answer.text.contains("/nonexistent/bwrap"), answer.text)
        XCTAssertTrue(answer.text.contains("LOOM_CODE_RUNNER_UNSAFE=1"), answer.text)
        XCTAssertFalse(answer.text.contains("ran"), answer.text)
        XCTAssertTrue(shell.isError, shell.text)
    }

    func testUnsafeOverrideRunsLoudlyWithLimits() async throws {
        let harness = try await CodeRunnerHarness(environment: ["LOOM_CODE_RUNNER_BWRAP": "/nonexistent/bwrap",
                                                                "LOOM_CODE_RUNNER_UNSAFE": "1"])
        let answer = try await harness.python("import os\nprint('ran in', os.getcwd())\nprint(sorted(os.environ))")
        let sleeper = try await harness.python("import time\ntime.sleep(3600)", timeout: 1)
        let memory = try await harness.python("block = bytearray(8 * 1024 ** 3)")
        await harness.stop()
        XCTAssertFalse(answer.isError, answer.text)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertTrue(answer.stdout.contains("ran in /"), answer.text)
        XCTAssertTrue(answer.text.contains("WARNING: UNSAFE"), answer.text)
        XCTAssertEqual(answer.fields["sandbox"]?.stringValue, "none (unsafe)")
        XCTAssertFalse(answer.stdout.contains("LOOM_TEST_SECRET"), "the environment is scrubbed even unsandboxed")
        XCTAssertEqual(sleeper.limitHit, "wall_time", sleeper.text)
        XCTAssertEqual(memory.limitHit, "memory", memory.text)
    }
}
