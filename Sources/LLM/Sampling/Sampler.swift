import AgentCore
import Foundation

/// Chooses the next token from logits: repetition penalty, then greedy or temperature sampling with
/// top-k, top-p and min-p, restricted by an optional token filter (constrained decoding).
///
/// The order of the steps (as in Hugging Face transformers): penalty → temperature → top-k →
/// filter → top-p → min-p → draw. With the same settings, seed and inputs the choice is always the same.
///
/// Candidates are visited best first, and only as many as needed, so the filter is evaluated lazily
/// and the vocabulary is rarely sorted in full: greedy stops at the first allowed token; sampling stops
/// once the unvisited tokens' probability mass is negligible (below 1e-9 of the total; such tokens are
/// never drawn) or can no longer reach the top-p nucleus or the min-p floor.
public struct Sampler: Sendable {
    /// The settings in use.
    public let settings: SamplingSettings
    private var random: Xoshiro256StarStar

    /// Unvisited mass below this fraction of the total is ignored when the filter is lazy.
    static let negligibleMass = 1e-9

    /// Creates a sampler whose generator is seeded with `settings.seed`.
    public init(settings: SamplingSettings) {
        self.settings = settings
        random = Xoshiro256StarStar(seed: settings.seed)
    }

    /// One token with its probability in the final distribution.
    public struct Candidate: Equatable, Sendable {
        /// Token id.
        public var token: Int
        /// Probability after every step (sums to one over the returned candidates).
        public var probability: Double
    }

    /// Picks the next token; nil when the filter allows none of the candidates.
    /// - Parameters:
    ///   - logits: one raw logit per vocabulary entry.
    ///   - history: tokens so far (the repetition penalty looks at the last `repetitionWindow`).
    ///   - allows: the token filter; nil allows everything.
    public mutating func sample(logits: [Float], history: [Int] = [], allows: ((Int) -> Bool)? = nil) -> Int? {
        if allows == nil, settings.temperature > 0, settings.topK <= 0, settings.topP >= 1, settings.minP <= 0 {
            return sampleFullVocabulary(logits: logits, history: history)
        }
        let candidates = distribution(logits: logits, history: history, allows: allows)
        guard let last = candidates.last else { return nil }
        if candidates.count == 1 { return last.token }
        let r = random.nextUnit()
        var cumulative = 0.0
        for candidate in candidates {
            cumulative += candidate.probability
            if r < cumulative { return candidate.token }
        }
        return last.token
    }

    /// Plain temperature sampling over the whole vocabulary: the same probabilities as `distribution`,
    /// drawn walking the ids in order, which needs no sorting.
    private mutating func sampleFullVocabulary(logits: [Float], history: [Int]) -> Int? {
        var scores = logits.map { $0.isNaN ? -Float.infinity : $0 }
        applyRepetitionPenalty(&scores, history: history)
        guard let maxScore = scores.max(), maxScore > -.infinity else { return nil }
        let weights = scores.map { exp((Double($0) - Double(maxScore)) / settings.temperature) }
        let total = weights.reduce(0, +)
        let r = random.nextUnit() * total
        var cumulative = 0.0
        var last: Int?
        for (token, w) in weights.enumerated() where w > 0 {
            cumulative += w
            last = token
            if r < cumulative { return token }
        }
        return last
    }

    /// The final distribution, best first (greedy: the single chosen token with probability one).
    public func distribution(logits: [Float], history: [Int] = [], allows: ((Int) -> Bool)? = nil) -> [Candidate] {
        var scores = logits.map { $0.isNaN ? -Float.infinity : $0 }
        applyRepetitionPenalty(&scores, history: history)

        var order = CandidateOrder(scores: scores, limit: settings.topK > 0 ? settings.topK : scores.count)
        if settings.temperature <= 0 {
            var index = 0
            while let token = order.candidate(at: index) {
                if scores[token] == -.infinity { return [] }
                if allows?(token) ?? true { return [Candidate(token: token, probability: 1)] }
                index += 1
            }
            return []
        }

        // Temperature: weights exp((s - max) / T) over the top-k set.
        guard let best = order.candidate(at: 0), scores[best] > -.infinity else { return [] }
        let maxScore = Double(scores[best])
        let temperature = settings.temperature
        var total = 0.0
        var weights: [Double] = []
        if order.limit == scores.count {
            weights = scores.map { exp((Double($0) - maxScore) / temperature) }
            total = weights.reduce(0, +)
        } else {
            for index in 0..<order.limit {
                if let token = order.candidate(at: index) { total += exp((Double(scores[token]) - maxScore) / temperature) }
            }
        }
        func weight(_ token: Int) -> Double {
            weights.isEmpty ? exp((Double(scores[token]) - maxScore) / temperature) : weights[token]
        }

        // Visit candidates best first, keeping the allowed ones, until the rest cannot matter.
        var allowed: [Candidate] = []
        var allowedMass = 0.0, visitedMass = 0.0
        var index = 0
        while let token = order.candidate(at: index) {
            let w = weight(token)
            if w == 0 { break }
            visitedMass += w
            if allows?(token) ?? true {
                allowed.append(Candidate(token: token, probability: w))
                allowedMass += w
            }
            index += 1
            let remaining = max(0, total - visitedMass)
            if remaining <= Self.negligibleMass * total { break }
            if settings.topP < 1, allowedMass > 0, allowedMass >= settings.topP * (allowedMass + remaining) { break }
            if settings.minP > 0, let first = allowed.first, w < settings.minP * first.probability { break }
        }
        guard allowedMass > 0 else { return [] }

        // Top-p: the smallest best-first prefix whose probability reaches topP.
        var kept: [Candidate] = []
        var cumulative = 0.0
        for candidate in allowed {
            let p = candidate.probability / allowedMass
            kept.append(Candidate(token: candidate.token, probability: p))
            cumulative += p
            if settings.topP < 1 && cumulative >= settings.topP { break }
        }
        // Min-p: drop tokens below minP times the best probability.
        if settings.minP > 0, let top = kept.first?.probability {
            kept = kept.filter { $0.probability >= settings.minP * top }
        }
        let sum = kept.reduce(0) { $0 + $1.probability }
        return kept.map { Candidate(token: $0.token, probability: $0.probability / sum) }
    }

    /// Divides positive logits by the penalty and multiplies negative ones (CTRL / llama.cpp rule),
    /// once per distinct token among the last `repetitionWindow` of `history`.
    private func applyRepetitionPenalty(_ scores: inout [Float], history: [Int]) {
        let penalty = Float(settings.repetitionPenalty)
        guard penalty != 1, settings.repetitionWindow > 0 else { return }
        for token in Set(history.suffix(settings.repetitionWindow)) where scores.indices.contains(token) {
            scores[token] = scores[token] > 0 ? scores[token] / penalty : scores[token] * penalty
        }
    }
}

