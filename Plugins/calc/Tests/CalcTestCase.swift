import MCP
import TestSupport
import XCTest

/// Base for calc tests that talk to one freshly started calc executable per test.
class CalcTestCase: XCTestCase {
    /// Arguments the plugin is started with (a subclass may shorten the time limit).
    var pluginArguments: [String] { [] }
    private(set) var plugin: PluginProcess!

    override func setUp() async throws {
        plugin = try await PluginProcess(executable: "calc", arguments: pluginArguments)
    }

    override func tearDown() async throws {
        await plugin?.stop()
        plugin = nil
    }

    /// Calls a tool and asserts it succeeded; returns its text.
    @discardableResult
    func expectResult(_ tool: String, _ arguments: [String: Value],
                      file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let (text, isError) = try await plugin.call(tool, arguments)
        XCTAssertFalse(isError, "\(tool) \(arguments) failed: \(text)", file: file, line: line)
        return text
    }

    /// Calls a tool and asserts it returned an `isError` result mentioning every one of `fragments`.
    @discardableResult
    func expectError(_ tool: String, _ arguments: [String: Value], mentioning fragments: [String],
                     file: StaticString = #filePath, line: UInt = #line) async throws -> String {
        let (text, isError) = try await plugin.call(tool, arguments)
        XCTAssertTrue(isError, "\(tool) \(arguments) should fail, got: \(text)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "'\(text)' should mention '\(fragment)'", file: file, line: line)
        }
        return text
    }
}
