import AgentCore
import Foundation
import Traces
import XCTest

/// Plugin, page and model text printed to a terminal cannot drive it: controls become visible escapes.
final class TerminalTextTests: XCTestCase {
    func testEscapeSequencesAndControlsBecomeVisible() {
        let hostile = "\u{1B}]0;pwned\u{07}red\u{1B}[31mtext\u{0}\u{9B}2J\u{7F}\rover\u{202E}lmth.exe"
        XCTAssertEqual(TerminalText.neutralized(hostile),
                       #"\x1b]0;pwned\x07red\x1b[31mtext\x00\x9b2J\x7f\rover\u{202E}lmth.exe"#)
    }

    func testLineBreaksAndTabsStayOnlyInMultilineOutput() {
        XCTAssertEqual(TerminalText.neutralized("a\tb\nc"), "a\tb\nc")
        XCTAssertEqual(TerminalText.neutralized("a\tb\nc", multiline: false), #"a\tb\nc"#)
    }

    func testPlainTextIsUnchanged() {
        let text = "∫₀³ x⁴ dx = 243/5 — naïve café, 日本語, emoji 🧵, back\\slash"
        XCTAssertEqual(TerminalText.neutralized(text), text)
        XCTAssertEqual(TerminalText.neutralized(text, multiline: false), text)
    }

    func testNoControlCharacterSurvivesAnyScalar() {
        var generator = SeededGenerator(seed: 18)
        for _ in 0..<200 {
            let scalars = (0..<40).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x2100, using: &generator)) }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            let out = TerminalText.neutralized(String(text), multiline: false)
            XCTAssertFalse(out.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }, out)
        }
    }

    func testTraceShowNeutralisesPluginText() async throws {
        let path = try await Recording.record(replies: Recording.planReplies) { call in
            let (content, isError) = await Recording.calc(call)
            return (isError ? "\u{1B}]0;owned\u{07}\u{1B}[2J" + content : content, isError)
        }
        let text = TraceText.render(try TraceReader.read(path: path))
        XCTAssertFalse(text.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, text)
        XCTAssertTrue(text.contains(#"\x1b]0;owned\x07\x1b[2Jerror: cannot evaluate 'x'"#), text)
        XCTAssertTrue(text.contains("\n"), "the transcript stays multi-line")
    }
}
