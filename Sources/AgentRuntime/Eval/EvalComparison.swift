import Foundation

/// Two runs of the same evaluation set compared question by question (`loom eval --compare A.json B.json`):
/// which questions flipped each way, and the exact McNemar test on those flips.
public struct EvalComparison: Codable, Sendable, Hashable {
    /// Errors reading a saved report.
    public enum LoadError: Error, CustomStringConvertible, Sendable {
        case unreadable(path: String)
        case notAReport(path: String, reason: String)

        public var description: String {
            switch self {
            case .unreadable(let path): return "\(path): cannot read the file"
            case .notAReport(let path, let reason):
                return "\(path): not a report written by 'loom eval --json': \(reason)"
            }
        }
    }

    /// Questions present in both runs.
    public var common: Int
    /// The score of run A on the common questions.
    public var scoreA: EvalStatistics.Score
    /// The score of run B on the common questions.
    public var scoreB: EvalStatistics.Score
    /// Ids that failed in A and pass in B.
    public var fixed: [String]
    /// Ids that passed in A and fail in B.
    public var broken: [String]
    /// Ids only in run A.
    public var onlyInA: [String]
    /// Ids only in run B.
    public var onlyInB: [String]
    /// The two-sided exact McNemar p-value on `fixed` against `broken`.
    public var pValue: Double

    /// Compares run `a` with run `b`; a question counts as passed when its answer passed and no budget stopped it.
    public init(_ a: EvalRunner.Report, _ b: EvalRunner.Report) {
        let resultsA = Dictionary(a.results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let resultsB = Dictionary(b.results.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let ids = a.results.map(\.id).filter { resultsB[$0] != nil }
        var fixed: [String] = []
        var broken: [String] = []
        var passedA = 0
        var passedB = 0
        for id in ids {
            guard let resultA = resultsA[id], let resultB = resultsB[id] else { continue }
            passedA += resultA.counted ? 1 : 0
            passedB += resultB.counted ? 1 : 0
            if !resultA.counted, resultB.counted { fixed.append(id) }
            if resultA.counted, !resultB.counted { broken.append(id) }
        }
        common = ids.count
        scoreA = EvalStatistics.Score(passed: passedA, total: ids.count)
        scoreB = EvalStatistics.Score(passed: passedB, total: ids.count)
        self.fixed = fixed
        self.broken = broken
        onlyInA = a.results.map(\.id).filter { resultsB[$0] == nil }
        onlyInB = b.results.map(\.id).filter { resultsA[$0] == nil }
        pValue = EvalStatistics.mcnemarExactP(onlyA: broken.count, onlyB: fixed.count)
    }

    /// Reads a report saved from `loom eval --json`.
    public static func load(path: String) throws -> EvalRunner.Report {
        guard let data = FileManager.default.contents(atPath: path) else { throw LoadError.unreadable(path: path) }
        do {
            return try JSONDecoder().decode(EvalRunner.Report.self, from: data)
        } catch let DecodingError.keyNotFound(key, context) {
            let at = (context.codingPath + [key]).map(\.stringValue).joined(separator: ".")
            throw LoadError.notAReport(path: path, reason: "missing '\(at)'")
        } catch {
            throw LoadError.notAReport(path: path, reason: "\(error)")
        }
    }

    /// The comparison as text; `nameA` and `nameB` label the runs.
    public func text(nameA: String = "A", nameB: String = "B") -> String {
        var out = "\(common) questions in both runs\n"
        out += "\(nameA): \(scoreA.text)\n\(nameB): \(scoreB.text)\n"
        out += "fixed in \(nameB) (failed in \(nameA)): \(fixed.count)\(list(fixed))\n"
        out += "broken in \(nameB) (passed in \(nameA)): \(broken.count)\(list(broken))\n"
        if !onlyInA.isEmpty { out += "only in \(nameA): \(onlyInA.count)\(list(onlyInA))\n" }
        if !onlyInB.isEmpty { out += "only in \(nameB): \(onlyInB.count)\(list(onlyInB))\n" }
        let flips = fixed.count + broken.count
        out += String(format: "exact McNemar test on the %d %@: p = %.4g", flips, flips == 1 ? "flip" : "flips", pValue)
        return out
    }

    private func list(_ ids: [String]) -> String { ids.isEmpty ? "" : " — " + ids.joined(separator: ", ") }
}
