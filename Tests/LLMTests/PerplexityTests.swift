import LLM
import TestSupport
import Tokenizers
import XCTest

/// Perplexity as llama-perplexity computes it, against its figure on the golden text.
final class PerplexityTests: XCTestCase {
    private func text() throws -> String {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "ppl-text", withExtension: "txt", subdirectory: "Fixtures"))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// llama-perplexity -c 512 on ppl-text.txt: 18.3459 (Fixtures/README.md); we must be within 1%.
    func testSmolLM2PerplexityMatchesLlamaCpp() throws {
        let model = try Transformer(path: try TestModels.path(TestModels.smollm))
        let tokens = try Tokenizer(gguf: model.file).encode(try text(), parseSpecial: false)
        let session = try InferenceSession(model: model, contextLength: 512, threads: 2)
        let result = try Perplexity.evaluate(session: session, tokens: tokens, chunkLength: 512)
        XCTAssertEqual(result.chunks, 14)
        XCTAssertEqual(result.scoredTokens, 14 * 255)
        XCTAssertEqual(result.perChunk.count, 14)
        print("SmolLM2 perplexity \(result.perplexity) ± \(result.standardError) (llama.cpp 18.3459 ± 0.86234)")
        XCTAssertEqual(result.perplexity, 18.3459, accuracy: 18.3459 * 0.01)
        XCTAssertEqual(result.standardError, 0.86234, accuracy: 0.1)
    }

    func testTooShortTextIsAnError() throws {
        let model = try Transformer(path: try TestModels.path(TestModels.smollm))
        let session = try InferenceSession(model: model, contextLength: 64, threads: 1)
        XCTAssertThrowsError(try Perplexity.evaluate(session: session, tokens: Array(repeating: 1, count: 63),
                                                     chunkLength: 64)) { error in
            XCTAssertEqual(error as? LLMError, .textTooShort(tokens: 63, chunkLength: 64))
        }
        XCTAssertThrowsError(try Perplexity.evaluate(session: session, tokens: Array(repeating: 1, count: 300),
                                                     chunkLength: 128)) { error in
            guard case .invalidArgument? = error as? LLMError else { return XCTFail("\(error)") }
        }
    }

    /// The chunking and scoring rule, recomputed by hand from the session's logits.
    func testPerplexityOfTwoChunksCountsTheSecondHalves() throws {
        let model = try Transformer(path: try TestModels.path(TestModels.smollm))
        let session = try InferenceSession(model: model, contextLength: 16, threads: 1)
        let tokens = Array(1 ... 40)
        let result = try Perplexity.evaluate(session: session, tokens: tokens, chunkLength: 16)
        XCTAssertEqual(result.chunks, 2)
        XCTAssertEqual(result.scoredTokens, 2 * 7)
        // Recompute by hand from the session's logits: chunk c scores positions 8..14 predicting 9..15.
        var nll = 0.0
        for chunk in 0 ..< 2 {
            let ids = Array(tokens[chunk * 16 ..< chunk * 16 + 16])
            session.reset()
            let rows = try session.logitsForNewPositions(after: ids)
            for position in 8 ..< 15 { nll += logSumExp(rows[position]) - Double(rows[position][ids[position + 1]]) }
        }
        XCTAssertEqual(result.perplexity, exp(nll / 14), accuracy: 1e-5 * result.perplexity)
    }
}
