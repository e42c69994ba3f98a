import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// Start on first use, one process shared by concurrent calls, answers matched to their requests.
final class LifecycleTests: XCTestCase {
    func testStartsOnFirstUseOnlyOnceAndMultiplexesConcurrentCalls() async throws {
        let marker = "serve-\(UUID().uuidString.prefix(8))"
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: marker)])
        XCTAssertEqual(processes(containing: marker), [], "nothing runs before the first call")

        let results = await withTaskGroup(of: (Int, ToolResult, ToolResult).self) { group in
            for index in 0..<8 {
                group.addTask {
                    let echo = await executor.call(ToolCall(id: "e\(index)", name: "echo", arguments: ["text": .string("n\(index)")]))
                    let instance = await executor.call(ToolCall(id: "i\(index)", name: "instance", arguments: [:]))
                    return (index, echo, instance)
                }
            }
            var collected: [(Int, ToolResult, ToolResult)] = []
            for await result in group { collected.append(result) }
            return collected
        }
        XCTAssertEqual(results.count, 8)
        for (index, echo, _) in results {
            XCTAssertEqual(echo.content, "n\(index)", "each answer reaches its own call")
            XCTAssertEqual(echo.callID, "e\(index)")
        }
        XCTAssertEqual(Set(results.map(\.2.content)).count, 1, "one plugin process served every call")
        XCTAssertFalse(results.contains { $0.2.isError })
    }

    func testSlowCallDoesNotBlockOtherPlugins() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, name: "slow", sandbox: ["wall_seconds": 2]),
                                                 try Probe.plugin(self, name: "fast")])
        _ = await executor.call(ToolCall(id: "warm", name: "fast.echo", arguments: ["text": "warm"]))
        async let hung = executor.call(ToolCall(id: "h", name: "slow.hang", arguments: [:]))
        try await Task.sleep(nanoseconds: 300_000_000)
        let fast = await executor.call(ToolCall(id: "f", name: "fast.echo", arguments: ["text": "quick"]))
        XCTAssertEqual(fast.content, "quick")
        XCTAssertLessThan(fast.durationSeconds, 1.5, "a hung plugin does not hold up another one")
        let slow = await hung
        XCTAssertTrue(slow.isError && slow.content.contains("did not answer within 2 s"), slow.content)
    }
}
