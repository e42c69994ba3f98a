import Foundation
import XCTest

/// A `logits-<model>.json` file from llama.cpp (see Fixtures/README.md for every field).
struct GoldenLogits: Decodable {
    /// One recorded distribution: the 20 largest logits and the log-sum-exp over the vocabulary.
    struct Row: Decodable {
        var topIDs: [Int]
        var topLogits: [Float]
        var logSumExp: Double
        /// Golden top-1 minus top-2 logit.
        var margin: Float { topLogits[0] - topLogits[1] }

        enum CodingKeys: String, CodingKey {
            case topIDs = "top_ids", topLogits = "top_logits", logSumExp = "logsumexp"
        }
    }

    struct Position: Decodable {
        var pos: Int
        var row: Row

        enum CodingKeys: String, CodingKey { case pos }
        init(from decoder: Decoder) throws {
            pos = try decoder.container(keyedBy: CodingKeys.self).decode(Int.self, forKey: .pos)
            row = try Row(from: decoder)
        }
    }

    struct Step: Decodable {
        var step: Int
        var logitsAtPos: Int
        var chosenID: Int
        var row: Row

        enum CodingKeys: String, CodingKey {
            case step, logitsAtPos = "logits_at_pos", chosenID = "chosen_id"
        }
        init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            step = try c.decode(Int.self, forKey: .step)
            logitsAtPos = try c.decode(Int.self, forKey: .logitsAtPos)
            chosenID = try c.decode(Int.self, forKey: .chosenID)
            row = try Row(from: decoder)
        }
    }

    struct Greedy: Decodable {
        var tokenIDs: [Int]
        var steps: [Step]

        enum CodingKeys: String, CodingKey { case tokenIDs = "token_ids", steps }
    }

    struct Prompt: Decodable {
        var id: String
        var promptIDs: [Int]
        var positions: [Position]
        var greedy: Greedy

        enum CodingKeys: String, CodingKey {
            case id, promptIDs = "prompt_ids", positions, greedy
        }
    }

    var modelFile: String
    var vocabularySize: Int
    var prompts: [Prompt]

    enum CodingKeys: String, CodingKey {
        case modelFile = "model_file", vocabularySize = "n_vocab", prompts
    }

    /// Loads `Fixtures/logits-<model>.json` for a model file name such as `TestModels.qwen05`.
    static func load(model: String) throws -> GoldenLogits {
        let name = "logits-" + model.replacingOccurrences(of: ".gguf", with: "")
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            XCTFail("fixture \(name).json is missing from the test bundle")
            throw CocoaError(.fileNoSuchFile)
        }
        return try JSONDecoder().decode(GoldenLogits.self, from: Data(contentsOf: url))
    }
}

/// How far our distribution is from a golden row, measured at the golden top-20 ids.
struct RowComparison {
    var maxLogitDiff: Float = 0
    var maxLogProbDiff: Double = 0
    var top1Equal = true

    init(ours logits: [Float], golden row: GoldenLogits.Row) {
        let lse = logSumExp(logits)
        for (id, value) in zip(row.topIDs, row.topLogits) {
            maxLogitDiff = max(maxLogitDiff, abs(logits[id] - value))
            let ourLogProb = Double(logits[id]) - lse
            let goldenLogProb = Double(value) - row.logSumExp
            maxLogProbDiff = max(maxLogProbDiff, abs(ourLogProb - goldenLogProb))
        }
        top1Equal = argmax(logits) == row.topIDs[0]
    }
}

/// Index of the largest value, the lowest index on ties (llama.cpp's greedy rule).
func argmax(_ values: [Float]) -> Int {
    var best = 0
    for i in values.indices where values[i] > values[best] { best = i }
    return best
}

/// log Σ exp(values), in double.
func logSumExp(_ values: [Float]) -> Double {
    let m = values.max() ?? 0
    return Double(m) + log(values.reduce(0.0) { $0 + exp(Double($1 - m)) })
}

/// Largest absolute difference between two equally long vectors.
func maxAbsDiff(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// The gap between the largest and the second-largest value.
func topMargin(_ values: [Float]) -> Float {
    var first = -Float.infinity, second = -Float.infinity
    for v in values {
        if v > first { (first, second) = (v, first) } else if v > second { second = v }
    }
    return first - second
}
