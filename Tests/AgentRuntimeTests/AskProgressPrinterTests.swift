import AgentCore
import Foundation
import Orchestrator
import XCTest
import AgentRuntime

/// `loom ask` progress shows plugin and page text with its control characters as visible escapes.
final class AskProgressPrinterTests: XCTestCase {
    private final class Lines: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        func append(_ line: String) { lock.lock(); text += line; lock.unlock() }
    }

    func testStepResultsAndNotesCannotDriveTheTerminal() {
        let lines = Lines()
        let printer = AskProgressPrinter { lines.append($0) }
        let call = ToolCall(id: "s1", name: "web-fetch.fetch", arguments: ["url": "http://example.test/\u{9B}31m"])
        printer.handle(.stepStarted(call))
        let result = ToolResult(callID: "s1", plugin: "web-fetch", tool: "fetch",
                                content: "\u{1B}]0;pwned\u{07}Title\u{1B}[31m red\u{0}\nsecond line", isError: false)
        printer.handle(.stepFinished(call, result))
        printer.handle(.observation("model wrote \u{1B}[2J"))
        XCTAssertFalse(lines.text.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || (0x7F...0x9F).contains($0.value) },
                       lines.text)
        XCTAssertTrue(lines.text.contains(#"\x1b]0;pwned\x07Title\x1b[31m red\x00"#), lines.text)
        XCTAssertTrue(lines.text.contains(#"http://example.test/\x9b31m"#), lines.text)
        XCTAssertTrue(lines.text.contains(#"note: model wrote \x1b[2J"#), lines.text)
        XCTAssertEqual(lines.text.split(separator: "\n").count, 3, "one line per event: \(lines.text)")
    }
}
