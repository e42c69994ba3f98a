import Foundation
import MCP
import PluginKit

/// The matrix tool: determinant, inverse, rank, eigenvalues and other linear algebra.
extension Calculator {
    /// Operation names the model may use, mapped to Giac's function (`multiply` is handled apart).
    static let matrixOperations: [(name: String, giac: String)] = [
        ("determinant", "det"), ("inverse", "inv"), ("rank", "rank"), ("eigenvalues", "eigenvals"),
        ("eigenvectors", "eigenvects"), ("transpose", "tran"), ("trace", "trace"), ("rref", "rref"),
        ("nullspace", "ker"), ("multiply", "*"),
    ]

    /// Short names models also write.
    static let matrixAliases: [String: String] = [
        "det": "determinant", "inv": "inverse", "eigenvals": "eigenvalues", "eigenvects": "eigenvectors",
        "tran": "transpose", "kernel": "nullspace", "ker": "nullspace", "product": "multiply", "times": "multiply",
    ]

    /// `matrix`: one operation on a matrix written as rows.
    var matrixTool: PluginTool {
        let names = Self.matrixOperations.map(\.name)
        return tool("matrix",
                    "Linear algebra on a matrix written as rows. Example: {\"operation\": \"determinant\", \"matrix\": \"[[1,2],[3,4]]\"}. Operations: \(names.joined(separator: ", ")); multiply also needs \"other\".",
                    Schema.object([
                        ("operation", Schema.choice("What to compute.", names)),
                        ("matrix", Schema.string("The matrix as a list of rows, e.g. \"[[1,2],[3,4]]\".")),
                        ("other", Schema.string("Second matrix or vector, for multiply.")),
                     ], required: ["operation", "matrix"])) { arguments throws(CalcError) in
            try await matrix(arguments)
        }
    }

    /// Checks the operation and the matrix shape, then evaluates.
    private func matrix(_ arguments: ToolArguments) async throws(CalcError) -> PluginToolOutput {
        let example = "{\"operation\": \"determinant\", \"matrix\": \"[[1,2],[3,4]]\"}"
        let requested = (arguments.values["operation"]?.stringValue ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        guard !requested.isEmpty else { throw .missingArgument(name: "operation", example: example) }
        let name = Self.matrixAliases[requested] ?? requested
        guard let operation = Self.matrixOperations.first(where: { $0.name == name }) else {
            throw .invalidArgument(name: "operation", problem: "must be one of: \(Self.matrixOperations.map(\.name).joined(separator: ", ")).")
        }
        let (matrix, rows, columns) = try Self.checkedMatrix(try arguments.required("matrix", example: example), argument: "matrix")
        if Self.squareOnly.contains(operation.name), rows != columns {
            throw .invalidArgument(name: "matrix", problem: "must be square for \(operation.name); it has \(rows) rows and \(columns) columns.")
        }
        let giac: String
        if operation.name == "multiply" {
            let other = try arguments.required("other", example: "{\"operation\": \"multiply\", \"matrix\": \"[[1,2],[3,4]]\", \"other\": \"[[5],[6]]\"}")
            giac = "(\(matrix))*(\(other))"
        } else {
            giac = "\(operation.giac)(\(matrix))"
        }
        let (answer, rootNote) = try await decimalsForRootOf(
            try requireDefined(try await compute(giac, input: matrix), input: matrix), giac: giac, input: matrix)
        var notes = rootNote.map { [$0] } ?? []
        if operation.name == "eigenvectors" { notes.append("(each column is an eigenvector)") }
        return ResultText.render(answer, notes: notes)
    }

    /// Operations defined only for square matrices.
    static let squareOnly: Set<String> = ["determinant", "inverse", "eigenvalues", "eigenvectors", "trace"]

    /// Checks that `text` is a bracketed list of rows of equal length (`[[1,2],[3,4]]`) and returns it
    /// with its shape; a single row `[1,2,3]` is accepted as a 1×n matrix.
    static func checkedMatrix(_ text: String, argument: String) throws(CalcError) -> (text: String, rows: Int, columns: Int) {
        let compact = text.replacingOccurrences(of: " ", with: "")
        guard compact.hasPrefix("["), compact.hasSuffix("]") else {
            throw .invalidArgument(name: argument, problem: "must be a list of rows such as [[1,2],[3,4]]; got '\(text)'.")
        }
        let inner = String(compact.dropFirst().dropLast())
        guard inner.hasPrefix("[") else { return ("[\(compact)]", 1, splitList(inner).count) }
        let rows = splitList(inner)
        let widths = rows.map { row in row.hasPrefix("[") && row.hasSuffix("]") ? splitList(String(row.dropFirst().dropLast())).count : -1 }
        guard let first = widths.first, first > 0, widths.allSatisfy({ $0 == first }) else {
            throw .invalidArgument(name: argument, problem: "must have rows of equal length, e.g. [[1,2],[3,4]]; got '\(text)'.")
        }
        return (compact, rows.count, first)
    }
}
