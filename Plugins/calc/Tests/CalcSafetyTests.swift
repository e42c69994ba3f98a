import Foundation
import MCP
import XCTest

/// Giac can read and write files and run commands: calc refuses those functions before evaluating,
/// and the evaluating process could not reach files or programs anyway (secure mode, seccomp).
final class CalcSafetyTests: CalcTestCase {
    func testCommandFunctionsAreRefused() async throws {
        for expression in ["system(ls)", "shell(ls)", "2*system(id)"] {
            try await expectError("evaluate", ["expression": .string(expression)], mentioning: ["is not available", "only does mathematics"])
        }
    }

    func testFileFunctionsAreRefused() async throws {
        for (expression, name) in [("read(/etc/passwd)", "read"), ("write(f, 1)", "write"), ("fopen(f)", "fopen"),
                                   ("2read(f)", "read"), ("unarchive(f)", "unarchive")] {
            try await expectError("evaluate", ["expression": .string(expression)], mentioning: ["'\(name)' is not available"])
        }
    }

    func testTextToCodeFunctionsAreRefused() async throws {
        try await expectError("evaluate", ["expression": "expr(char(115))"], mentioning: ["is not available"])
    }

    func testQuotedTextIsRefused() async throws {
        try await expectError("evaluate", ["expression": "read(\"/etc/passwd\")"], mentioning: ["double quotes"])
    }

    func testRefusedNamesInsideOtherToolsAreRefused() async throws {
        try await expectError("differentiate", ["expression": "system(x)"], mentioning: ["'system' is not available"])
        try await expectError("matrix", ["operation": "det", "matrix": "[[read(a),1],[1,1]]"], mentioning: ["'read' is not available"])
    }

    func testNamesThatMerelyContainARefusedWordAreAllowed() async throws {
        // `thread`, `reader` and `closed` contain refused words but are ordinary symbols.
        let text = try await expectResult("expand", ["expression": "(thread+reader)*closed"])
        XCTAssertTrue(text.contains("thread") && text.contains("reader"), text)
    }

    func testPrintDoesNotCorruptTheProtocol() async throws {
        // Giac's print writes to the console; stdout is the MCP channel, so it must go to stderr.
        try await expectResult("evaluate", ["expression": "print(12345)"])
        try await expectResult("evaluate", ["expression": "x(x+1)"]) // Giac warns about implicit multiplication
        let text = try await expectResult("evaluate", ["expression": "6*7"])
        XCTAssertEqual(text, "42")
        let tools = try await plugin.client.listTools()
        XCTAssertEqual(tools.tools.count, 11)
    }
}
