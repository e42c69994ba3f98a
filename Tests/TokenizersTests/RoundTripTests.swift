import Foundation
import TestSupport
import Tokenizers
import XCTest

/// `decode(encode(s)) == s` on seeded random Unicode, for both vocabularies and both parsing modes.
final class RoundTripTests: XCTestCase {
    func testQwenRoundTripsRandomUnicode() throws {
        try roundTrip(TestModels.qwen05, seed: 1)
    }

    func testSmolLMRoundTripsRandomUnicode() throws {
        try roundTrip(TestModels.smollm, seed: 2)
    }

    private func roundTrip(_ model: String, seed: UInt64) throws {
        let tokenizer = try SharedTokenizers.load(model)
        // Bytes without a byte token are dropped, by llama.cpp too; every other byte must come back.
        let representable = (0...255).map { tokenizer.byteToken(UInt8($0)) != nil }
        var rng = TestRandom(seed: seed)
        for round in 0..<400 {
            let text = RandomText.make(&rng, length: Int(rng.next() % 60))
            for parseSpecial in [false, true] {
                let ids = tokenizer.encode(text, parseSpecial: parseSpecial)
                XCTAssertTrue(ids.allSatisfy { (0..<tokenizer.vocabularySize).contains($0) })
                let decoded = tokenizer.decodeBytes(ids)
                XCTAssertEqual(decoded, text.utf8.filter { representable[Int($0)] },
                               "\(model) round \(round) parseSpecial \(parseSpecial): \(text.debugDescription) -> \(ids)")
            }
        }
    }

    func testByteTokenCoverage() throws {
        let qwen = try SharedTokenizers.load(TestModels.qwen05)
        XCTAssertEqual((0...255).filter { qwen.byteToken(UInt8($0)) == nil }, [])
        // SmolLM2's vocabulary has no token for these bytes (C0 controls it never saw, and bytes that
        // only start scalars in unassigned planes or never occur in UTF-8).
        let smol = try SharedTokenizers.load(TestModels.smollm)
        XCTAssertEqual((0...255).filter { smol.byteToken(UInt8($0)) == nil },
                       [0x04, 0x06, 0x13, 0x14, 0x16, 0x1D, 0xC0, 0xC1, 0xF1, 0xF2] + Array(0xF5...0xFF))
        XCTAssertEqual(smol.decode(smol.encode("a\u{4}b")), "ab")
    }

    func testStreamingDetokenizerEmitsOnlyCompleteCharacters() throws {
        let tokenizer = try SharedTokenizers.load(TestModels.qwen05)
        var rng = TestRandom(seed: 3)
        var sawHeldBack = false
        for _ in 0..<200 {
            let text = RandomText.make(&rng, length: 40)
            var stream = StreamingDetokenizer(tokenizer: tokenizer, renderSpecial: true)
            var pieces: [String] = []
            for id in tokenizer.encode(text, parseSpecial: true) {
                let piece = stream.append(id)
                XCTAssertFalse(piece.unicodeScalars.contains("\u{FFFD}") && !text.unicodeScalars.contains("\u{FFFD}"),
                               "a piece contains a broken character: \(piece.debugDescription)")
                if stream.pendingByteCount > 0 { sawHeldBack = true }
                pieces.append(piece)
            }
            pieces.append(stream.finish())
            XCTAssertEqual(pieces.joined(), text)
        }
        XCTAssertTrue(sawHeldBack, "no token ever ended inside a character: the test text is too tame")
    }

    func testStreamingDetokenizerFlushesAnIncompleteTail() throws {
        let tokenizer = try SharedTokenizers.load(TestModels.smollm)
        // 🦙 is split over several byte-level tokens in SmolLM's vocabulary.
        let ids = tokenizer.encode("🦙")
        XCTAssertGreaterThan(ids.count, 1)
        var stream = StreamingDetokenizer(tokenizer: tokenizer)
        XCTAssertEqual(stream.append(ids[0]), "")
        XCTAssertEqual(stream.finish(), "\u{FFFD}")
        XCTAssertEqual(stream.pendingByteCount, 0)
    }
}

/// A small seeded generator for test inputs (SplitMix64).
struct TestRandom {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func pick<T>(_ items: [T]) -> T { items[Int(next() % UInt64(items.count))] }
}

/// Random text that exercises every pre-tokenizer branch.
enum RandomText {
    static let fragments = [
        "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>", "<|endoftext|>", "'s", "'LL", "'Re", "'d",
        "\r\n", "  \n ", "\t\t", "...", " (", "2024", "٣", "²", "Ⅻ", "ﬁ", "é", "e\u{301}", "👍🏽", "👨‍👩‍👧", "🇫🇷",
        "你好", "こんにちは", "한국어", "Привет", "مرحبا", "\u{A0}", "\u{2003}", "\u{3000}", "\u{85}", "\u{200B}",
        "\u{FEFF}", "\u{FFFD}", "\u{E000}", "\u{FFFF}", "\u{10FFFF}", "\u{0}", "\u{1C}", "\u{7F}", "\u{1B}[0m",
    ]

    static func make(_ rng: inout TestRandom, length: Int) -> String {
        var s = ""
        for _ in 0..<length {
            switch rng.next() % 6 {
            case 0: s += rng.pick(fragments)
            case 1: s += String(rng.pick(Array("abcXYZ019 \n!?.,;:-_'\"{}[]()<>|/\\@#$%^&*+=~`")))
            case 2: s += String(rng.pick(Array("the quick brown fox ")))
            default:
                // Any scalar: mostly the BMP, sometimes beyond; surrogates are not scalars.
                let limit: UInt64 = rng.next() % 4 == 0 ? 0x110000 : 0x10000
                if let scalar = Unicode.Scalar(UInt32(rng.next() % limit)) { s.unicodeScalars.append(scalar) }
            }
        }
        return s
    }
}
