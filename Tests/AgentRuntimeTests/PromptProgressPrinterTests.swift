import AgentRuntime
import Foundation
import XCTest

/// `loom ask` shows a long prompt's progress on one line that it rewrites, then clears.
final class PromptProgressPrinterTests: XCTestCase {
    private final class Output: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        func append(_ piece: String) { lock.lock(); text += piece; lock.unlock() }
    }

    func testTheLineIsRewrittenInPlaceAndClearedWhenThePromptIsRead() {
        let output = Output()
        let printer = AskProgressPrinter(write: { output.append($0) })
        printer.promptProgress(computed: 0, total: 1300)
        printer.promptProgress(computed: 512, total: 1300)
        XCTAssertEqual(output.text, "\r  reading the prompt: 0 of 1300 tokens\r  reading the prompt: 512 of 1300 tokens")
        printer.promptProgress(computed: 1300, total: 1300)
        let cleared = "\r" + String(repeating: " ", count: "  reading the prompt: 1300 of 1300 tokens".count) + "\r"
        XCTAssertTrue(output.text.hasSuffix(cleared), output.text)
    }
}
