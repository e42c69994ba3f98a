import Foundation
import MCP
import XCTest

/// Time and size limits: a runaway computation is stopped and the next call works; huge results
/// are cut with a note saying how much.
final class CalcLimitTests: CalcTestCase {
    /// A short budget keeps the test quick; the default is 10 s.
    override var pluginArguments: [String] { ["--time-limit", "2"] }

    func testRunawayComputationIsStoppedAndTheNextCallWorks() async throws {
        // Factoring a 92-digit semiprime takes Giac far longer than 2 s.
        let start = ContinuousClock.now
        try await expectError("factor", ["expression": "nextprime(10^45)*nextprime(10^46)"],
                              mentioning: ["Stopped", "2 s limit"])
        let elapsed = ContinuousClock.now - start
        XCTAssertLessThan(elapsed, .seconds(6), "the time limit was not enforced")
        XCTAssertTrue(plugin.isRunning)
        let text = try await expectResult("evaluate", ["expression": "2^10"])
        XCTAssertEqual(text, "1024")
    }

    func testTwoRunawayComputationsInARowAreBothStopped() async throws {
        try await expectError("evaluate", ["expression": "ifactor(nextprime(10^50)*nextprime(10^51))"], mentioning: ["Stopped"])
        try await expectError("evaluate", ["expression": "ifactor(nextprime(10^52)*nextprime(10^53))"], mentioning: ["Stopped"])
        let text = try await expectResult("solve", ["equation": "x^2=9"])
        XCTAssertEqual(text.split(separator: "\n").first, "[-3,3]")
    }

    func testHugeIntegerIsCutWithACountOfTheDigitsCut() async throws {
        let text = try await expectResult("evaluate", ["expression": "100000!"])
        let lines = text.split(separator: "\n").map(String.init)
        // 100000! has 456574 digits; 300 are shown.
        XCTAssertEqual(lines[0].count, 301, "300 digits and an ellipsis")
        XCTAssertTrue(lines[0].hasPrefix("28242294079603478742934215780245355184774949260912248505789180865429779509010630178725517714138311636107136117373619629514749961831239180227260734090938324220055569688667840380377379444961268380147875111966906386044926144538111370090160766866405407170565952261298041958356778909047541512871140836924"),
                      lines[0])
        XCTAssertTrue(lines[0].hasSuffix("…"))
        XCTAssertTrue(lines.contains("≈ 2.82422940796035e+456573"), text)
        XCTAssertTrue(text.contains("456574 digits"), text)
        XCTAssertTrue(text.contains("the last 456274 digits were cut"), text)
        XCTAssertLessThan(text.utf8.count, 1000)
    }

    func testLongSymbolicResultIsCutWithACharacterCount() async throws {
        let text = try await expectResult("expand", ["expression": "(x+1)^400"])
        XCTAssertTrue(text.hasPrefix("x^400+400*x^399+79800*x^398+"), String(text.prefix(80)))
        XCTAssertTrue(text.contains("(result cut:"), String(text.suffix(200)))
        XCTAssertLessThan(text.count, 4200)
    }

    func testToolListMatchesTheManifest() async throws {
        let manifestURL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("manifest.json")
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: manifestURL)) as? [String: Any]
        let declared = try XCTUnwrap(manifest?["tools"] as? [String])
        let tools = try await plugin.client.listTools().tools
        XCTAssertEqual(tools.map(\.name), declared)
        for tool in tools {
            let description = tool.description ?? ""
            XCTAssertTrue(description.contains("Example"), "\(tool.name): description needs an example")
            XCTAssertLessThan(description.count, 320, "\(tool.name): description should stay short")
            XCTAssertEqual(tool.inputSchema.objectValue?["type"], "object", tool.name)
            let required = tool.inputSchema.objectValue?["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let properties = tool.inputSchema.objectValue?["properties"]?.objectValue ?? [:]
            XCTAssertFalse(required.isEmpty, tool.name)
            XCTAssertTrue(required.allSatisfy { properties[$0] != nil }, tool.name)
        }
    }
}
