import AgentCore
import Foundation

/// A trace read from disk: its header, its events, and whether its end was torn off.
public struct TraceFile: Sendable, Hashable {
    /// A last line cut short (the run was killed while writing it).
    public struct TornLine: Sendable, Hashable {
        /// 1-based line number.
        public var line: Int
        /// Bytes of the partial line.
        public var bytes: Int
    }

    /// Where it was read from.
    public var path: String
    /// The first line.
    public var header: Trace.Header
    /// Every event after the header, in order (line `i + 2` of the file).
    public var records: [TraceRecord]
    /// The torn last line, if there was one; everything before it is intact.
    public var torn: TornLine?

    /// Whether the run finished (its summary is recorded).
    public var isComplete: Bool {
        guard case .summary? = records.last?.event else { return false }
        return true
    }

    /// The 1-based file line of `records[index]`.
    public static func line(ofRecord index: Int) -> Int { index + 2 }

    /// The recorded final answer, if any.
    public var answer: String? {
        records.lazy.compactMap { if case .answer(let text) = $0.event { return text } else { return nil } }.first
    }
}

/// Reads trace files. Every malformed input gives a `TraceError` naming the line; nothing crashes.
public enum TraceReader {
    /// Files larger than this are refused before reading.
    public static let maxBytes = 1 << 30

    /// Reads and checks the trace at `path`.
    public static func read(path: String) throws -> TraceFile {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? Int, size > maxBytes {
            throw TraceError.io(path: path, reason: "the file is \(size) bytes; traces above \(maxBytes) bytes are refused")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceError.io(path: path, reason: "cannot read the file")
        }
        return try parse(data, path: path)
    }

    /// Parses trace bytes.
    public static func parse(_ data: Data, path: String = "trace") throws -> TraceFile {
        if data.isEmpty { throw TraceError.empty(path: path) }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        var torn: TraceFile.TornLine?
        if data.last == UInt8(ascii: "\n") {
            lines.removeLast()
        } else if let last = lines.last, (try? decode(Data(last), line: lines.count)) == nil {
            torn = .init(line: lines.count, bytes: last.count)
            lines.removeLast()
        }
        guard let first = lines.first else { throw TraceError.empty(path: path) }
        let header = try readHeader(Data(first))
        var records: [TraceRecord] = []
        for (index, bytes) in lines.enumerated().dropFirst() {
            let record = try decode(Data(bytes), line: index + 1)
            if case .header = record.event { throw TraceError.unexpectedHeader(line: index + 1) }
            if record.seq != index { throw TraceError.outOfOrder(line: index + 1, expected: index, found: record.seq) }
            records.append(record)
        }
        return TraceFile(path: path, header: header, records: records, torn: torn)
    }

    /// The header line: its type and schema version are checked before its fields.
    static func readHeader(_ bytes: Data) throws -> Trace.Header {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: bytes) else {
            throw TraceError.malformedLine(line: 1, reason: "not JSON", excerpt: excerpt(bytes))
        }
        guard value["type"]?.stringValue == "header" else {
            throw TraceError.missingHeader(found: value["type"]?.stringValue.map { "a '\($0)' event" } ?? "no event type")
        }
        guard let version = value["header"]?["schemaVersion"]?.intValue else {
            throw TraceError.malformedLine(line: 1, reason: "the header has no schemaVersion", excerpt: excerpt(bytes))
        }
        guard version == Trace.schemaVersion else {
            throw TraceError.unsupportedSchemaVersion(found: version, supported: Trace.schemaVersion)
        }
        let record = try decode(bytes, line: 1)
        guard case .header(let header) = record.event else { throw TraceError.missingHeader(found: "another event") }
        return header
    }

    /// Decodes one line, turning decoding errors into a precise message.
    static func decode(_ bytes: Data, line: Int) throws -> TraceRecord {
        if bytes.isEmpty { throw TraceError.malformedLine(line: line, reason: "empty line", excerpt: "") }
        do {
            return try JSONDecoder().decode(TraceRecord.self, from: bytes)
        } catch let error as DecodingError {
            throw TraceError.malformedLine(line: line, reason: describe(error), excerpt: excerpt(bytes))
        } catch {
            throw TraceError.malformedLine(line: line, reason: "not JSON", excerpt: excerpt(bytes))
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let text = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.hasPrefix(".") ? String(text.dropFirst()) : text
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context).isEmpty ? "" : path(context) + ".")\(key.stringValue)'"
        case .typeMismatch(let type, let context): return "field '\(path(context))' is not \(type)"
        case .valueNotFound(let type, let context): return "field '\(path(context))' is null, expected \(type)"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not JSON" }
            return "field '\(path(context))': \(context.debugDescription)"
        @unknown default: return "undecodable"
        }
    }

    static func excerpt(_ bytes: Data) -> String {
        let text = String(decoding: bytes.prefix(80), as: UTF8.self)
        return bytes.count > 80 ? text + "…" : text
    }
}
