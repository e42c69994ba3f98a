import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// The documented example plugin (`examples/plugins/text-stats`) registers and works as the docs say.
final class ExamplePluginTests: XCTestCase {
    func testTextStatsExample() async throws {
        let manifestURL = Repository.root.appendingPathComponent("examples/plugins/text-stats/manifest.json")
        let registry = PluginRegistry(home: try Probe.temporaryDirectory(self), builtInDirectories: [])
        let plugin = try registry.add(manifestAt: manifestURL)
        XCTAssertEqual(plugin.manifest.tools, ["word_count", "top_words"])
        let executor = try Probe.executor(self, [plugin])
        let names = try await executor.tools().map(\.name)
        XCTAssertEqual(names, ["word_count", "top_words"])

        let top = await executor.call(ToolCall(id: "1", name: "text-stats.top_words",
                                               arguments: ["text": "the cat and the hat", "n": 2]))
        XCTAssertFalse(top.isError, top.content)
        XCTAssertEqual(top.content, "the (2), cat (1)")
        XCTAssertEqual(top.structured?["words"]?.arrayValue?.first, ["word": "the", "count": 2])

        let count = await executor.call(ToolCall(id: "2", name: "word_count", arguments: ["text": "one two\nthree"]))
        XCTAssertEqual(count.content, "3 words, 2 lines, 13 characters")

        let bad = await executor.call(ToolCall(id: "3", name: "top_words", arguments: ["text": "x", "n": 0]))
        XCTAssertTrue(bad.isError)
        XCTAssertEqual(bad.content, "argument 'n' must be an integer from 1 to 50")
    }
}
