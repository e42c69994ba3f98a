import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// Every way a plugin can misbehave yields a readable error result quickly; loom never hangs.
final class MisbehavingPluginTests: XCTestCase {
    private func call(_ executor: PluginToolExecutor, _ tool: String, _ arguments: JSONValue = [:]) async -> ToolResult {
        await executor.call(ToolCall(id: "call-1", name: tool, arguments: arguments))
    }

    func testWellBehavedCallReturnsTextWithProvenance() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)])
        let result = await call(executor, "echo", ["text": "hello"])
        XCTAssertFalse(result.isError, result.content)
        XCTAssertEqual(result.content, "hello")
        XCTAssertEqual(result.plugin, "probe")
        XCTAssertEqual(result.tool, "echo")
        XCTAssertEqual(result.callID, "call-1")
        XCTAssertGreaterThan(result.durationSeconds, 0)
    }

    func testCrashAtOnce() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: "crash-at-once")])
        let result = await call(executor, "probe.echo", ["text": "x"])
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("exited with status 3"), result.content)
        XCTAssertTrue(result.content.contains("crashing at once"), "stderr tail is shown: \(result.content)")
        XCTAssertLessThan(result.durationSeconds, 5)
    }

    func testExitAfterInitialize() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: "exit-after-initialize")])
        let result = await call(executor, "probe.echo", ["text": "x"])
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("tools/list") && result.content.contains("exited with status 0"), result.content)
        XCTAssertLessThan(result.durationSeconds, 5)
    }

    func testHangOnCallIsStoppedAtWallClockLimit() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["wall_seconds": 1])])
        let result = await call(executor, "hang")
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("did not answer within 1 s"), result.content)
        XCTAssertLessThan(result.durationSeconds, 4)
        XCTAssertGreaterThanOrEqual(result.durationSeconds, 1)
    }

    func testStdoutFloodIsStopped() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["wall_seconds": 20])])
        let result = await call(executor, "flood", ["megabytes": 100])
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("more than 1048576 bytes"), result.content)
        XCTAssertLessThan(result.durationSeconds, 5)
    }

    func testStderrFloodKeepsHostMemoryBounded() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["wall_seconds": 120, "cpu_seconds": 120])])
        let warm = await call(executor, "echo", ["text": "started"])
        XCTAssertEqual(warm.content, "started", "the plugin runs before the baseline is taken")
        let baseline = try XCTUnwrap(residentBytes())
        let sampler = ResidentPeakSampler()
        let result = await call(executor, "stderr_flood", ["megabytes": 200])
        let growth = sampler.stop() - baseline
        XCTAssertFalse(result.isError, result.content)
        XCTAssertEqual(result.content, "flooded stderr", "the answer after the flood is used")
        XCTAssertLessThan(growth, 32 << 20, "200 MiB of stderr grew the host by \(growth >> 20) MiB")
        let crash = await call(executor, "crash")
        XCTAssertTrue(crash.content.hasSuffix("probe: crashing during a call"), "the stderr tail is the newest: \(crash.content)")
    }

    func testStdoutFloodKeepsHostMemoryBounded() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["wall_seconds": 120, "cpu_seconds": 120])])
        _ = await call(executor, "echo", ["text": "started"])
        let baseline = try XCTUnwrap(residentBytes())
        let sampler = ResidentPeakSampler()
        let result = await call(executor, "flood", ["megabytes": 200])
        let growth = sampler.stop() - baseline
        XCTAssertTrue(result.isError && result.content.contains("more than 1048576 bytes"), result.content)
        XCTAssertLessThan(growth, 32 << 20, "200 MiB on stdout grew the host by \(growth >> 20) MiB")
    }

    func testInvalidJSONOnCall() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)])
        let result = await call(executor, "garbage")
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("invalid JSON-RPC") && result.content.contains("this is not json"), result.content)
    }

    func testInvalidJSONAtStart() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: "garbage-at-start")])
        let result = await call(executor, "probe.echo")
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("initialize") && result.content.contains("hello, I am not JSON-RPC"), result.content)
    }

    func testIsErrorAnswerIsPassedThrough() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)])
        let result = await call(executor, "fail")
        XCTAssertTrue(result.isError)
        XCTAssertEqual(result.content, "probe failed on purpose")
        let after = await call(executor, "echo", ["text": "still alive"])
        XCTAssertEqual(after.content, "still alive", "an isError answer does not stop the plugin")
    }

    func testUnknownToolAndBadArguments() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)])
        let unknown = await call(executor, "nonexistent")
        XCTAssertTrue(unknown.isError)
        XCTAssertTrue(unknown.content.contains("unknown tool 'nonexistent'") && unknown.content.contains("probe.echo"), unknown.content)
        let qualified = await call(executor, "probe.nonexistent")
        XCTAssertTrue(qualified.isError)
        XCTAssertTrue(qualified.content.contains("plugin 'probe' offers: echo"), qualified.content)
        let badArguments = await call(executor, "echo", ["not", "an", "object"])
        XCTAssertTrue(badArguments.isError)
        XCTAssertTrue(badArguments.content.contains("must be a JSON object"), badArguments.content)
    }

    func testCrashDuringCallThenRestartOnce() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)], limits: PluginHostLimits(restarts: 1))
        let firstInstance = await call(executor, "instance").content
        let crash = await call(executor, "crash")
        XCTAssertTrue(crash.isError)
        XCTAssertTrue(crash.content.contains("exited with status 7") && crash.content.contains("crashing during a call"), crash.content)
        let secondInstance = await call(executor, "instance")
        XCTAssertFalse(secondInstance.isError, "restarted once after the crash: \(secondInstance.content)")
        XCTAssertNotEqual(firstInstance, secondInstance.content)
        _ = await call(executor, "crash")
        let third = await call(executor, "echo", ["text": "x"])
        XCTAssertTrue(third.isError)
        XCTAssertTrue(third.content.contains("not restarted again"), third.content)
    }

    func testCrashedPluginIsRestartedTwiceAndEachRestartIsReported() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)])
        for restart in 1...2 {
            let crash = await call(executor, "crash")
            XCTAssertTrue(crash.isError && crash.content.contains("exited with status 7"), crash.content)
            let echo = await call(executor, "echo", ["text": .string("back \(restart)")])
            XCTAssertFalse(echo.isError, echo.content)
            XCTAssertEqual(echo.content, "back \(restart)")
            XCTAssertEqual(echo.warnings, ["loom restarted plugin 'probe' for this call (restart \(restart) of at most 2 "
                                           + "in this run) after it stopped"])
            let quiet = await call(executor, "echo", ["text": "quiet"])
            XCTAssertNil(quiet.warnings, "a warning is reported once")
        }
        _ = await call(executor, "crash")
        let lost = await call(executor, "echo", ["text": "x"])
        XCTAssertTrue(lost.isError && lost.content.contains("failed 3 time(s) and is not restarted again"), lost.content)
    }

    func testNonZeroExitAfterAValidAnswerKeepsTheAnswerWithAWarning() async throws {
        let marker = "exit-after-answer-\(UUID().uuidString.prefix(8))"
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: marker)])
        let answered = await call(executor, "exit_after_answer", ["status": 3])
        XCTAssertFalse(answered.isError, answered.content)
        XCTAssertEqual(answered.content, "answered; exiting with status 3", "the valid answer is used")
        // Let the exit happen before the next call, so that call finds the plugin ended (not racing it).
        waitUntilGone(marker)
        let next = await call(executor, "echo", ["text": "again"])
        XCTAssertFalse(next.isError, next.content)
        XCTAssertEqual(next.content, "again")
        // Noticed at the answer if the exit came first, else on the next result: reported exactly once.
        let warnings = (answered.warnings ?? []) + (next.warnings ?? [])
        XCTAssertEqual(warnings.filter { $0 == "plugin 'probe' exited with status 3 after answering a call; its answer is "
                                           + "used, and the plugin is restarted for its next call" }.count, 1, "\(warnings)")
        XCTAssertTrue(next.warnings?.contains { $0.contains("(restart 1 of at most 2 in this run)") } == true,
                      "\(next.warnings ?? [])")

        let zero = await call(executor, "exit_after_answer", ["status": 0])
        waitUntilGone(marker)
        let afterZero = await call(executor, "echo", ["text": "once more"])
        XCTAssertEqual(afterZero.content, "once more")
        XCTAssertFalse(((zero.warnings ?? []) + (afterZero.warnings ?? [])).contains { $0.contains("exited") },
                       "an exit with status 0 after answering is only a restart")
    }

    /// Waits (at most 10 s) until no process has `marker` in its command line.
    private func waitUntilGone(_ marker: String, file: StaticString = #filePath, line: UInt = #line) {
        var polls = 0
        while !processes(containing: marker).isEmpty && polls < 1000 {
            usleep(10_000)
            polls += 1
        }
        XCTAssertEqual(processes(containing: marker), [], "the plugin process ended", file: file, line: line)
    }

    func testUnsandboxedModeAlsoCapturesFailures() async throws {
        let configuration = PluginToolExecutor.Configuration(
            launcher: try SandboxLauncher.detect(allowUnsandboxed: true),
            resolver: CommandResolver(executableDirectory: nil, searchPath: ["/usr/bin"]))
        let executor = PluginToolExecutor(plugins: [try Probe.plugin(self)], configuration: configuration)
        addTeardownBlock { await executor.shutdown() }
        let echo = await call(executor, "echo", ["text": "plain"])
        XCTAssertEqual(echo.content, "plain")
        let crash = await call(executor, "crash")
        XCTAssertTrue(crash.isError && crash.content.contains("exited with status 7"), crash.content)
    }
}
