import AgentCore
import Foundation
import Orchestrator
@testable import AgentRuntime
import XCTest

/// `loom ask` on a terminal shows the answer as the model writes it: the `answer` value of the streamed
/// JSON, decoded, however the text is split; pipes and `--json` get nothing streamed.
final class AnswerStreamTests: XCTestCase {
    func testTheAnswerValueIsDecodedWhateverTheSplit() {
        let output = #"{"source": "s2", "answer": "It costs 1.50 \u20ac \"each\"\nin total \ud83d\ude00."} trailing"#
        let expected = "It costs 1.50 € \"each\"\nin total 😀."
        let characters = Array(output)
        for split in 0...characters.count {
            var stream = AnswerStream()
            let text = stream.feed(String(characters[..<split])) + stream.feed(String(characters[split...]))
            XCTAssertEqual(text, expected, "split at \(split)")
        }
        var stream = AnswerStream()
        XCTAssertEqual(characters.map { stream.feed(String($0)) }.joined(), expected, "one character at a time")
        var noAnswer = AnswerStream()
        XCTAssertEqual(noAnswer.feed(#"{"source": "s1", "note": "answer"}"#), "")
    }

    private final class Output: @unchecked Sendable {
        let lock = NSLock()
        var text = ""
        func append(_ piece: String) { lock.lock(); text += piece; lock.unlock() }
    }

    func testPrinterStreamsTheAnswerOnlyWhenGivenAnOutput() {
        let progress = Output(), answer = Output()
        let printer = AskProgressPrinter(write: { progress.append($0) }, answerOutput: { answer.append($0) })
        for piece in [#"{"source": "s1", "answer": "117"#, #"380 screws"#, "\u{1B}[2J", #""}"#] {
            printer.handle(.answerText(piece))
        }
        XCTAssertEqual(answer.text, #"117380 screws\x1b[2J"#, "streamed, control characters escaped")
        XCTAssertEqual(printer.remainder(of: "117380 screws\u{1B}[2J\n\n(note: s3 failed)"), "\n\n(note: s3 failed)\n")
        XCTAssertEqual(printer.remainder(of: "117380"), "\n117380\n", "a trimmed answer is printed whole")
        XCTAssertEqual(progress.text, "", "the answer does not go to the progress stream")

        let quiet = AskProgressPrinter(write: { progress.append($0) })
        quiet.handle(.answerText(#"{"answer": "42"}"#))
        XCTAssertEqual(quiet.streamedAnswer, "")
        XCTAssertEqual(quiet.remainder(of: "42"), "42\n")
    }
}
