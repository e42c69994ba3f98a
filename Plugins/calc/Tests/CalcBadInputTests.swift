import MCP
import XCTest

/// Each kind of bad input comes back as an `isError` result that says what to fix, and the plugin
/// keeps answering.
final class CalcBadInputTests: CalcTestCase {
    func testSyntaxErrorSaysWhatToCheck() async throws {
        try await expectError("evaluate", ["expression": "2*(3+"], mentioning: ["Syntax error", "parentheses"])
        try await expectError("evaluate", ["expression": "3+*4"], mentioning: ["Syntax error near '*'"])
        try await expectResult("evaluate", ["expression": "2*(3+4)"])
    }

    func testDivisionByZeroIsAnError() async throws {
        try await expectError("evaluate", ["expression": "1/0"], mentioning: ["Division by zero", "denominators"])
        try await expectError("simplify", ["expression": "x/0"], mentioning: ["Division by zero"])
    }

    func testZeroOverZeroIsUndefined() async throws {
        try await expectError("evaluate", ["expression": "0/0"], mentioning: ["undefined", "limit tool"])
    }

    func testQuestionMarkNoiseIsRejectedWithAHint() async throws {
        try await expectError("evaluate", ["expression": "x = 3*4+2 = ?"], mentioning: ["Remove the '?'", "3*4+2"])
        try await expectError("solve", ["equation": "2x+1=7, x=?"], mentioning: ["Remove the '?'"])
    }

    func testUnknownFunctionIsNamed() async throws {
        try await expectError("evaluate", ["expression": "foo(3)+1"], mentioning: ["Unknown function 'foo'", "sqrt"])
    }

    func testMissingArgumentGivesAnExample() async throws {
        try await expectError("evaluate", [:], mentioning: ["Missing argument 'expression'", "Example"])
        try await expectError("sum", ["expression": "k"], mentioning: ["Missing argument 'lower'"])
    }

    func testEmptyExpressionIsRejected() async throws {
        try await expectError("evaluate", ["expression": "   "], mentioning: ["'expression' is empty"])
    }

    func testOutOfRangeIntegerArgumentIsRejected() async throws {
        try await expectError("differentiate", ["expression": "x^2", "order": 0], mentioning: ["'order'", "1 to 50"])
        try await expectError("evaluate", ["expression": "pi", "digits": 5000], mentioning: ["'digits'"])
    }

    func testBadVariableNameIsRejected() async throws {
        try await expectError("differentiate", ["expression": "x^2", "variable": "x+1"], mentioning: ["single variable name"])
    }

    func testDefiniteIntegralNeedsBothBounds() async throws {
        try await expectError("integrate", ["expression": "x", "lower": "0"], mentioning: ["'upper'", "both"])
    }

    func testCalculusOfAConstantPointsToEvaluate() async throws {
        try await expectError("integrate", ["expression": "7*det([[3,1,2],[0,5,4],[1,0,6]])", "lower": "0", "upper": "inf"],
                              mentioning: ["no variable", "evaluate"])
        try await expectError("differentiate", ["expression": "2^10"], mentioning: ["no variable", "evaluate"])
        // A constant factor next to the variable is an ordinary integrand.
        let text = try await expectResult("integrate", ["expression": "7*x", "lower": "0", "upper": "1"])
        XCTAssertEqual(text.split(separator: "\n").first, "7/2")
    }

    func testUnknownDirectionAndDomainAreRejected() async throws {
        try await expectError("limit", ["expression": "1/x", "point": "0", "direction": "up"], mentioning: ["left", "right"])
        try await expectError("solve", ["equation": "x^2=4", "domain": "integers"], mentioning: ["real", "complex"])
    }

    func testRaggedMatrixIsRejected() async throws {
        try await expectError("matrix", ["operation": "determinant", "matrix": "[[1,2],[3]]"], mentioning: ["equal length"])
    }

    func testNonSquareDeterminantIsRejected() async throws {
        try await expectError("matrix", ["operation": "determinant", "matrix": "[[1,2,3],[4,5,6]]"],
                              mentioning: ["square", "2 rows and 3 columns"])
    }

    func testSingularInverseIsAnError() async throws {
        try await expectError("matrix", ["operation": "inverse", "matrix": "[[1,2],[2,4]]"], mentioning: ["Not invertible"])
    }

    func testUnknownMatrixOperationListsTheChoices() async throws {
        try await expectError("matrix", ["operation": "diagonalise", "matrix": "[[1,0],[0,1]]"],
                              mentioning: ["determinant", "eigenvalues"])
    }

    func testMatrixGivenAsJSONArrayIsAccepted() async throws {
        let text = try await expectResult("matrix", ["operation": "det", "matrix": [[1, 2], [3, 4]]])
        XCTAssertEqual(text.split(separator: "\n").first, "-2")
    }

    func testNumbersAreAcceptedWhereTextIsAsked() async throws {
        let text = try await expectResult("limit", ["expression": "(1-cos(x))/x^2", "point": 0])
        XCTAssertEqual(text.split(separator: "\n").first, "1/2")
    }

    func testUnicodeOperatorsAreAccepted() async throws {
        let text = try await expectResult("evaluate", ["expression": "3 × 4 ÷ 2 + √16 − 2π + π·2"])
        XCTAssertEqual(text.split(separator: "\n").first, "10")
    }

    func testTooLongInputIsRejected() async throws {
        let long = Array(repeating: "1", count: 10_001).joined(separator: "+")
        try await expectError("evaluate", ["expression": .string(long)], mentioning: ["characters long", "limit"])
    }
}
