import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// Text from plugins is capped and typed: oversized descriptions, schemas and results are cut, malformed
/// tool names are dropped, and results carry their provenance.
final class UntrustedTextTests: XCTestCase {
    func testToolListingIsCappedAndSanitized() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: "hostile-tools")])
        let tools = try await executor.tools()
        XCTAssertEqual(tools.map(\.name), ["echo", "fail"], "malformed names are dropped")
        let echo = try XCTUnwrap(tools.first)
        XCTAssertEqual(echo.plugin, "probe")
        XCTAssertTrue(echo.description.hasPrefix(String(repeating: "D", count: 1024)))
        XCTAssertTrue(echo.description.hasSuffix("[... 3976 more characters cut by loom]"), echo.description.suffix(60).description)
        XCTAssertEqual(echo.inputSchema, ["type": "object"], "an oversized schema is replaced")
        XCTAssertEqual(tools.last?.inputSchema, ["type": "object"], "a non-object schema is replaced")
        XCTAssertEqual(tools.last?.description, "")
    }

    func testLongResultIsCappedWithProvenance() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self)], limits: PluginHostLimits(resultCharacters: 100))
        let result = await executor.call(ToolCall(id: "call-9", name: "probe.echo",
                                                  arguments: ["text": .string(String(repeating: "r", count: 250))]))
        XCTAssertFalse(result.isError)
        XCTAssertEqual(result.content, String(repeating: "r", count: 100) + " [... 150 more characters cut by loom]")
        XCTAssertEqual([result.callID, result.plugin, result.tool], ["call-9", "probe", "echo"])
    }
}
