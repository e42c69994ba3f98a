import Foundation
import GGUF
import Kernels

/// Keys and values of prompt prefixes saved on disk, so that the next process whose prompt starts
/// with the same tokens loads them instead of computing them (an agent's system prompt, its tool
/// list and worked examples are the same for every question it gets).
///
/// An entry is keyed by the model's identity (its sha256), the build that computed it (the KV layout
/// and the kernels' numerics), and the exact token ids of the prefix. Loading an entry gives the
/// very keys and values that computing the prefix gives, so the logits that follow are bit-identical
/// to those of a run that computed it (`LocalModel` always computes a cacheable prefix as its own
/// forward pass, hit or miss, so the rest of the prompt is split the same way in both cases).
///
/// File layout (little-endian), `<hash>.kv` in `directory`:
/// 1. magic `LOOMKVC\0` (8 bytes), format version (u32), layer count (u32), kv dimension (u32),
///    token count n (u32), identity length (u32);
/// 2. the identity (UTF-8: model identity, newline, build identity), then the n token ids (u32 each);
/// 3. checksum of the payload (u64), then checksum of everything before it (u64);
/// 4. the payload: for each layer, the keys (n, kvDim) then the values (n, kvDim), as f16.
///
/// A file that is truncated, corrupt, of another format, model, build or shape, or that holds other
/// tokens is never used: `load` reports why and removes it (the run then computes the prefix and
/// writes it again). Files are written to a temporary name and renamed into place, so two processes
/// writing the same entry at once each leave a whole file and a reader never sees half of one. The
/// directory is kept under `capacityBytes` by removing the least recently used entries.
public final class PromptCache: @unchecked Sendable {
    /// Bumped whenever the file layout or the KV cache's layout or rounding changes.
    public static let formatVersion: UInt32 = 1
    /// The default bound on the directory's size: 2 GB.
    public static let defaultCapacityBytes: Int64 = 2_000_000_000
    /// Entries' file extension.
    static let fileExtension = "kv"
    static let magic: [UInt8] = Array("LOOMKVC\0".utf8)

    /// Where the entries live.
    public let directory: URL
    /// The most bytes the entries may take together.
    public let capacityBytes: Int64
    /// The model's identity (its sha256, or another stable description of the file).
    public let modelIdentity: String
    /// The build's identity: anything that changes the keys and values computed for the same tokens.
    public let buildIdentity: String
    /// Writes a whole file (replaceable in tests, to simulate a full disk).
    let writeFile: @Sendable (_ path: String, _ bytes: UnsafeRawBufferPointer) throws -> Void

    /// What `load` found.
    public enum LoadResult: Equatable, Sendable {
        /// The entry was loaded: its keys and values now fill positions `0 ..< tokens`.
        case hit(tokens: Int)
        /// There is no entry for these tokens.
        case miss
        /// There was a file, but it cannot be trusted (why); it was removed.
        case rejected(String)
    }

    /// One entry on disk, as `list` describes it.
    public struct Entry: Sendable, Hashable {
        /// The file.
        public var path: String
        /// Its size.
        public var bytes: Int64
        /// When it was last written or loaded.
        public var lastUsed: Date
        /// Prefix length in tokens (nil when the header cannot be read).
        public var tokens: Int?
        /// The model identity in its header (nil when the header cannot be read).
        public var model: String?
    }

    /// Creates a cache over `directory` (made on first write).
    /// - Parameters:
    ///   - modelIdentity: the model file's sha256 (or another stable identity of the file).
    ///   - buildIdentity: identifies the code that computes keys and values (see `defaultBuildIdentity`).
    public convenience init(directory: URL, capacityBytes: Int64 = PromptCache.defaultCapacityBytes, modelIdentity: String,
                buildIdentity: String = PromptCache.defaultBuildIdentity) {
        self.init(directory: directory, capacityBytes: capacityBytes, modelIdentity: modelIdentity,
                  buildIdentity: buildIdentity, writeFile: PromptCache.posixWrite)
    }

    init(directory: URL, capacityBytes: Int64, modelIdentity: String, buildIdentity: String,
         writeFile: @escaping @Sendable (String, UnsafeRawBufferPointer) throws -> Void) {
        self.directory = directory
        self.capacityBytes = capacityBytes
        self.modelIdentity = modelIdentity
        self.buildIdentity = buildIdentity
        self.writeFile = writeFile
    }

    /// The format version, the kernels in use (SIMD or portable) and this executable's size and
    /// modification time: another build of Loom may compute keys and values that differ in the last
    /// bit, so it does not share entries with this one.
    public static var defaultBuildIdentity: String {
        var identity = "format \(formatVersion), kernels \(Kernels.simdEnabled ? "avx2" : "portable")"
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().path
        if let attributes = try? FileManager.default.attributesOfItem(atPath: executable) {
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            identity += ", build \(size)-\(Int64(modified * 1000))"
        }
        return identity
    }

    // MARK: - Loading

    /// Loads the entry for `tokens` into `session`'s KV cache (replacing what it held).
    ///
    /// Entries do not depend on the context length of the session that wrote them (the payload holds
    /// the filled positions only); a prefix longer than this session's context is a miss, and the
    /// file is kept for sessions it fits.
    func load(_ tokens: ArraySlice<Int>, into session: InferenceSession) -> LoadResult {
        guard tokens.count <= session.contextLength else { return .miss }
        let path = file(for: tokens).path
        guard let data = FileManager.default.contents(atPath: path) else { return .miss }
        let outcome: LoadResult = data.withUnsafeBytes { raw in
            do {
                let header = try Header(reading: raw)
                try header.check(identity: identity, session: session, tokens: tokens, fileSize: raw.count)
                let payload = UnsafeRawBufferPointer(rebasing: raw[header.byteCount...])
                guard Self.checksum(payload) == header.payloadChecksum else { throw CacheRejection("its payload checksum does not match") }
                session.restore(tokens: Array(tokens)) { cache in
                    let rowValues = tokens.count * cache.kvDimension
                    var offset = 0
                    for layer in 0..<cache.layerCount {
                        for target in [cache.keys(layer: layer, position: 0), cache.values(layer: layer, position: 0)] {
                            dequantize(.f16, payload.baseAddress! + offset, target, count: rowValues)
                            offset += rowValues * 2
                        }
                    }
                }
                return .hit(tokens: tokens.count)
            } catch let rejection as CacheRejection {
                return .rejected(rejection.reason)
            } catch {
                return .rejected(String(describing: error))
            }
        }
        switch outcome {
        case .hit: touch(path)
        case .rejected: try? FileManager.default.removeItem(atPath: path)
        case .miss: break
        }
        return outcome
    }

    // MARK: - Storing

    /// Writes the keys and values of `session`'s first `count` cached positions as the entry for
    /// those tokens, then trims the directory to its capacity.
    /// - Throws: `LLMError.invalidArgument` when the session does not hold `count` tokens, or the
    ///   file system's error (a full disk, say); nothing partial is left behind.
    func store(count: Int, from session: InferenceSession) throws {
        let tokens = session.cachedTokens.prefix(count)
        guard tokens.count == count, count > 0 else {
            throw LLMError.invalidArgument("the session holds \(session.cachedTokens.count) tokens, not \(count)")
        }
        let header = Header(identity: identity, layerCount: session.model.configuration.layerCount,
                            kvDimension: session.model.configuration.kvDimension, tokens: Array(tokens))
        let payloadBytes = 2 * header.layerCount * count * header.kvDimension * 2
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: header.byteCount + payloadBytes, alignment: 64)
        defer { buffer.deallocate() }
        let payload = UnsafeMutableRawBufferPointer(rebasing: buffer[header.byteCount...])
        session.withCache { cache in
            let rowValues = count * cache.kvDimension
            var offset = 0
            for layer in 0..<cache.layerCount {
                for source in [cache.keys(layer: layer, position: 0), cache.values(layer: layer, position: 0)] {
                    let half = (payload.baseAddress! + offset).assumingMemoryBound(to: Float16.self)
                    for i in 0..<rowValues { half[i] = Float16(source[i]) }
                    offset += rowValues * 2
                }
            }
        }
        header.write(into: buffer, payloadChecksum: Self.checksum(UnsafeRawBufferPointer(payload)))

        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let final = file(for: tokens).path
        try CacheFiles.writeWhole(final, parts: [UnsafeRawBufferPointer(buffer)]) { path, parts in try writeFile(path, parts[0]) }
        CacheFiles.trim(directory, fileExtension: Self.fileExtension, capacityBytes: capacityBytes, keeping: final)
    }

    // MARK: - The directory

    /// The entries in `directory`, most recently used first.
    public static func list(directory: URL) -> [Entry] {
        var entries: [Entry] = []
        for file in CacheFiles.list(directory, fileExtension: fileExtension) {
            let path = file.path
            var entry = Entry(path: path, bytes: file.bytes, lastUsed: file.lastUsed)
            if let handle = FileHandle(forReadingAtPath: path) {
                // The fixed fields say how long the whole header is.
                var head = (try? handle.read(upToCount: Header.fixedBytes)) ?? Data()
                if head.count == Header.fixedBytes {
                    let count = head.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 20, as: UInt32.self))) }
                    let identity = head.withUnsafeBytes { Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 24, as: UInt32.self))) }
                    head += (try? handle.read(upToCount: min(identity + 4 * count + 16, 1 << 23))) ?? Data()
                }
                try? handle.close()
                if let header = head.withUnsafeBytes({ try? Header(reading: $0, headerOnly: true) }) {
                    entry.tokens = header.tokens.count
                    entry.model = header.identity.split(separator: "\n").first.map(String.init)
                }
            }
            entries.append(entry)
        }
        return entries.sorted { $0.lastUsed > $1.lastUsed }
    }

    /// Removes every entry (and any temporary file) in `directory`; returns how many entries and bytes.
    @discardableResult
    public static func clear(directory: URL) throws -> (entries: Int, bytes: Int64) {
        let entries = list(directory: directory)
        for entry in entries { try FileManager.default.removeItem(atPath: entry.path) }
        CacheFiles.removeTemporaries(directory, fileExtension: fileExtension, onlyStale: false)
        return (entries.count, entries.reduce(0) { $0 + $1.bytes })
    }

    /// The file of the entry for `tokens`.
    func file<C: Collection<Int>>(for tokens: C) -> URL {
        var bytes = Array(identity.utf8)
        for token in tokens { withUnsafeBytes(of: UInt32(truncatingIfNeeded: token).littleEndian) { bytes += $0 } }
        let name = bytes.withUnsafeBytes { raw in
            String(format: "%016llx%016llx", Self.checksum(raw, seed: 1), Self.checksum(raw, seed: 2))
        }
        return directory.appendingPathComponent(name + "." + Self.fileExtension)
    }

    private var identity: String { modelIdentity + "\n" + buildIdentity }

    /// Marks an entry as just used (the least recently used entries go first).
    private func touch(_ path: String) {
        try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: path)
    }

    /// Writes `bytes` to a new file at `path` with POSIX calls.
    static let posixWrite: @Sendable (String, UnsafeRawBufferPointer) throws -> Void = { path, bytes in
        try CacheFiles.posixWrite(path, [bytes])
    }

    // MARK: - Checksum

    /// A fast 64-bit checksum (four multiply-rotate lanes over 8-byte words); catches corruption, not forgery.
    static func checksum(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let prime: UInt64 = 0x9E37_79B9_7F4A_7C15
        var lanes: (UInt64, UInt64, UInt64, UInt64) = (seed ^ 0x243F_6A88_85A3_08D3, seed ^ 0x1319_8A2E_0370_7344,
                                                      seed ^ 0xA409_3822_299F_31D0, seed ^ 0x082E_FA98_EC4E_6C89)
        func mix(_ h: UInt64, _ w: UInt64) -> UInt64 {
            let x = (h ^ w) &* prime
            return (x << 31) | (x >> 33)
        }
        let words = bytes.count / 8
        var i = 0
        if let base = bytes.baseAddress {
            while i + 4 <= words {
                lanes.0 = mix(lanes.0, base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                lanes.1 = mix(lanes.1, base.loadUnaligned(fromByteOffset: i * 8 + 8, as: UInt64.self))
                lanes.2 = mix(lanes.2, base.loadUnaligned(fromByteOffset: i * 8 + 16, as: UInt64.self))
                lanes.3 = mix(lanes.3, base.loadUnaligned(fromByteOffset: i * 8 + 24, as: UInt64.self))
                i += 4
            }
            while i < words {
                lanes.0 = mix(lanes.0, base.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self))
                i += 1
            }
        }
        var tail: UInt64 = UInt64(bytes.count)
        for j in (words * 8)..<bytes.count { tail = (tail << 8) | UInt64(bytes[j]) }
        var h = mix(mix(mix(mix(lanes.0, lanes.1), lanes.2), lanes.3), tail)
        h ^= h >> 29
        return h &* prime
    }
}

/// Errors writing the prompt cache.
public enum PromptCacheError: Error, CustomStringConvertible, Equatable {
    /// A system call on `path` failed.
    case io(path: String, errno: Int32)

    public var description: String {
        switch self {
        case .io(let path, let code): return "\(path): \(String(cString: strerror(code)))"
        }
    }
}

/// The header of an entry file (items 1–3 of `PromptCache`'s layout).
private struct Header {
    var version = PromptCache.formatVersion
    var identity: String
    var layerCount: Int
    var kvDimension: Int
    var tokens: [Int]
    var payloadChecksum: UInt64 = 0

    /// Fixed fields before the identity.
    static let fixedBytes = 8 + 5 * 4

    init(identity: String, layerCount: Int, kvDimension: Int, tokens: [Int]) {
        self.identity = identity
        self.layerCount = layerCount
        self.kvDimension = kvDimension
        self.tokens = tokens
    }

    var byteCount: Int { Self.fixedBytes + identity.utf8.count + 4 * tokens.count + 16 }

    /// Reads and checks a header (and with `headerOnly`, only as much as `raw` holds of it).
    init(reading raw: UnsafeRawBufferPointer, headerOnly: Bool = false) throws {
        guard raw.count >= Self.fixedBytes else { throw CacheRejection("it is shorter than a header (\(raw.count) bytes)") }
        guard Array(raw[0..<8]) == PromptCache.magic else { throw CacheRejection("it is not a Loom prompt cache file") }
        func u32(_ offset: Int) -> Int { Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))) }
        version = UInt32(u32(8))
        guard version == PromptCache.formatVersion else {
            throw CacheRejection("it has format version \(version), this build writes \(PromptCache.formatVersion)")
        }
        layerCount = u32(12)
        kvDimension = u32(16)
        let count = u32(20), identityLength = u32(24)
        guard identityLength <= 4096, count <= 1 << 20 else { throw CacheRejection("its header is malformed") }
        let end = Self.fixedBytes + identityLength + 4 * count + 16
        guard raw.count >= end else { throw CacheRejection("it is truncated inside its header") }
        identity = String(decoding: raw[Self.fixedBytes ..< Self.fixedBytes + identityLength], as: UTF8.self)
        let tokenStart = Self.fixedBytes + identityLength
        tokens = (0..<count).map { u32(tokenStart + 4 * $0) }
        payloadChecksum = raw.loadUnaligned(fromByteOffset: end - 16, as: UInt64.self).littleEndian
        let headerChecksum = raw.loadUnaligned(fromByteOffset: end - 8, as: UInt64.self).littleEndian
        if !headerOnly, PromptCache.checksum(UnsafeRawBufferPointer(rebasing: raw[0 ..< end - 8])) != headerChecksum {
            throw CacheRejection("its header checksum does not match")
        }
    }

    /// Throws unless this header describes the entry wanted, for this session, in a file of `fileSize` bytes.
    func check(identity wanted: String, session: InferenceSession, tokens wantedTokens: ArraySlice<Int>, fileSize: Int) throws {
        guard identity == wanted else {
            throw CacheRejection("it was written for another model or build (\(identity.replacingOccurrences(of: "\n", with: "; ")))")
        }
        let c = session.model.configuration
        guard layerCount == c.layerCount, kvDimension == c.kvDimension else {
            throw CacheRejection("it holds \(layerCount) layers of width \(kvDimension), the model has \(c.layerCount) of \(c.kvDimension)")
        }
        guard tokens.elementsEqual(wantedTokens) else { throw CacheRejection("it holds other tokens") }
        let expected = byteCount + 2 * layerCount * tokens.count * kvDimension * 2
        guard fileSize == expected else {
            throw CacheRejection(fileSize < expected ? "it is truncated (\(fileSize) of \(expected) bytes)"
                                                : "it has \(fileSize - expected) bytes after its payload")
        }
    }

    /// Writes the header into the start of `buffer`, with the checksums.
    func write(into buffer: UnsafeMutableRawBufferPointer, payloadChecksum: UInt64) {
        var offset = 0
        func put(_ bytes: [UInt8]) {
            for byte in bytes { buffer[offset] = byte; offset += 1 }
        }
        func put32(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { put(Array($0)) } }
        func put64(_ value: UInt64) { withUnsafeBytes(of: value.littleEndian) { put(Array($0)) } }
        put(PromptCache.magic)
        put32(Int(version))
        put32(layerCount)
        put32(kvDimension)
        put32(tokens.count)
        put32(identity.utf8.count)
        put(Array(identity.utf8))
        for token in tokens { put32(token) }
        put64(payloadChecksum)
        put64(PromptCache.checksum(UnsafeRawBufferPointer(rebasing: buffer[0..<offset])))
    }
}
