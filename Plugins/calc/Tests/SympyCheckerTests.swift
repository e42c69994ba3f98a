import XCTest

/// The checker must reject wrong answers of every kind, or the problem table proves nothing.
final class SympyCheckerTests: XCTestCase {
    func testCheckerRejectsWrongAnswersAndAcceptsEquivalentOnes() throws {
        try SympyChecker.requireSympy()
        let cases: [(SympyChecker.Case, Bool)] = [
            (.init(id: 0, kind: "equal", got: "x+2", expected: "x+1", decimal: nil, extra: [:]), false),
            (.init(id: 1, kind: "equal", got: "(x^2-1)/(x-1)", expected: "x+1", decimal: nil, extra: [:]), true),
            (.init(id: 2, kind: "set", got: "[2,3]", expected: "[3,2]", decimal: nil, extra: [:]), true),
            (.init(id: 3, kind: "set", got: "[2]", expected: "[3,2]", decimal: nil, extra: [:]), false),
            (.init(id: 4, kind: "float", got: "3.14159265358979", expected: "pi", decimal: nil, extra: ["digits": "15"]), true),
            (.init(id: 5, kind: "float", got: "3.14159265358", expected: "pi", decimal: nil, extra: ["digits": "15"]), false),
            (.init(id: 6, kind: "antiderivative", got: "ln(abs(x))", expected: "1/x", decimal: nil, extra: ["variable": "x"]), true),
            (.init(id: 7, kind: "antiderivative", got: "x^2", expected: "x", decimal: nil, extra: ["variable": "x"]), false),
            (.init(id: 8, kind: "factored", got: "x^2-1", expected: "(x-1)*(x+1)", decimal: nil, extra: [:]), false),
            (.init(id: 9, kind: "ifactored", got: "4*90", expected: "360", decimal: nil, extra: [:]), false),
            (.init(id: 10, kind: "expanded", got: "(x+1)^2", expected: "x**2+2*x+1", decimal: nil, extra: [:]), false),
            (.init(id: 11, kind: "equal", got: "1/3", expected: "1/3", decimal: "0.3334", extra: [:]), false),
            (.init(id: 12, kind: "eigenvectors", got: "[[1,0],[0,1]]", expected: "", decimal: nil,
                   extra: ["matrix": "[[2,1],[1,2]]"]), false),
            (.init(id: 13, kind: "nullspace", got: "[[1,1]]", expected: "", decimal: nil, extra: ["matrix": "[[1,2],[2,4]]"]), false),
            (.init(id: 14, kind: "equal", got: "+infinity", expected: "oo", decimal: nil, extra: [:]), true),
            (.init(id: 15, kind: "equal", got: "not an answer(", expected: "1", decimal: nil, extra: [:]), false),
            (.init(id: 16, kind: "simplest", got: "1", expected: "cosh(t)**2-sinh(t)**2", decimal: nil, extra: [:]), true),
            (.init(id: 17, kind: "simplest", got: "2*tan(t)/(tan(t)^2+1)", expected: "2*sin(t)*cos(t)", decimal: nil, extra: [:]), false),
            (.init(id: 18, kind: "simplest", got: "sin(2*t)", expected: "2*sin(t)*cos(t)+1", decimal: nil, extra: [:]), false),
        ]
        let verdicts = try SympyChecker.check(cases.map(\.0))
        for (item, shouldPass) in cases {
            XCTAssertEqual(verdicts[item.id]?.ok, shouldPass, "case \(item.id): \(item.got) vs \(item.expected) (\(item.kind))")
        }
    }
}
