import LLM
import TestSupport
import XCTest

/// Our logits against llama.cpp's on the golden prompts (Fixtures/README.md, "How to test").
///
/// Two passes per prompt. (1) Teacher-forced in one batch: `prompt_ids + greedy.token_ids` run as
/// one forward pass (f32 activations, the sgemm path), compared at every recorded prompt position
/// and every greedy step's `logits_at_pos`, within the README's bounds (0.5 qwen, 1.0 SmolLM2).
/// (2) Through the KV cache one token at a time: every prompt token and then each greedy token as a
/// single-token step (the matVec path, which quantizes activations to 8 bits as llama.cpp does,
/// with its own roundings, and uses no OpenBLAS, so the result is the same on every AVX2 machine);
/// compared at every step within `decodeTolerance`, and while no near-tie
/// (golden margin < 0.5) has been passed our argmax must equal llama.cpp's choice — so the
/// free-running greedy text is equal up to the first near-tie.
/// Top-1 must agree wherever the golden margin is at least 0.5, in both passes.
final class GoldenLogitsTests: XCTestCase {
    func testSmolLM2MatchesLlamaCpp() throws {
        try compare(model: TestModels.smollm, tolerance: 1.0, decodeTolerance: 1.0)
    }

    func testQwen05MatchesLlamaCpp() throws {
        try compare(model: TestModels.qwen05, tolerance: 0.5, decodeTolerance: 0.5)
    }

    private struct Stats {
        var rows = 0, top1Agree = 0
        var worstLogit: Float = 0, worstLogProb = 0.0

        var summary: String {
            "\(rows) rows, top-1 agreement \(top1Agree)/\(rows), max |Δlogit| \(worstLogit), max |Δlog-prob| \(worstLogProb)"
        }
    }

    private func check(_ logits: [Float], _ row: GoldenLogits.Row, tolerance: Float, _ what: String,
                       _ stats: inout Stats) {
        let r = RowComparison(ours: logits, golden: row)
        stats.rows += 1
        stats.top1Agree += r.top1Equal ? 1 : 0
        stats.worstLogit = max(stats.worstLogit, r.maxLogitDiff)
        stats.worstLogProb = max(stats.worstLogProb, r.maxLogProbDiff)
        XCTAssertLessThanOrEqual(r.maxLogitDiff, tolerance, "\(what): logit diff")
        XCTAssertLessThanOrEqual(r.maxLogProbDiff, Double(tolerance), "\(what): log-prob diff")
        if row.margin >= 0.5 {
            XCTAssertTrue(r.top1Equal, "\(what): top-1 \(argmax(logits)) ≠ \(row.topIDs[0]) (margin \(row.margin))")
        }
    }

    private func compare(model file: String, tolerance: Float, decodeTolerance: Float) throws {
        let path = try TestModels.path(file)
        let golden = try GoldenLogits.load(model: file)
        let model = try Transformer(path: path)
        XCTAssertEqual(model.configuration.vocabularySize, golden.vocabularySize)
        var batch = Stats(), decode = Stats()
        for prompt in golden.prompts {
            let name = "\(file) \(prompt.id)"
            // (1) Teacher-forced, one batch.
            let all = prompt.promptIDs + prompt.greedy.tokenIDs
            let batchSession = try InferenceSession(model: model, contextLength: 128, threads: 2)
            let rows = try batchSession.logitsForNewPositions(after: all)
            XCTAssertEqual(batchSession.lastEvaluation.batches, [all.count])
            for position in prompt.positions {
                check(rows[position.pos], position.row, tolerance: tolerance, "\(name) position \(position.pos)", &batch)
            }
            for step in prompt.greedy.steps {
                check(rows[step.logitsAtPos], step.row, tolerance: tolerance, "\(name) step \(step.step)", &batch)
            }
            // (2) Through the KV cache, one token per call; free-running equality until the first near-tie.
            let session = try InferenceSession(model: model, contextLength: 128, threads: 2)
            var context = prompt.promptIDs
            for end in 1..<context.count { _ = try session.logits(after: Array(context[..<end])) }
            var freeRunning = true
            for step in prompt.greedy.steps {
                XCTAssertEqual(step.logitsAtPos, context.count - 1)
                let logits = try session.logits(after: context)
                let expected = [1]
                XCTAssertEqual(session.lastEvaluation.batches, expected)
                check(logits, step.row, tolerance: decodeTolerance, "\(name) decode step \(step.step)", &decode)
                if step.row.margin < 0.5 { freeRunning = false }
                if freeRunning {
                    XCTAssertEqual(argmax(logits), step.chosenID, "\(name): greedy text diverges at step \(step.step)")
                }
                context.append(step.chosenID)
            }
        }
        print("golden \(file), one batch: \(batch.summary)")
        print("golden \(file), decode steps: \(decode.summary)")
    }
}
