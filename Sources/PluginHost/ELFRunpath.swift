import Foundation

/// Reads the library search directories (`DT_RUNPATH`/`DT_RPATH`) an ELF executable asks the loader for.
///
/// The sandbox binds these read-only so a Swift plugin finds its runtime (e.g.
/// `/opt/swift/usr/lib/swift/linux`) without hard-coding the toolchain's location. A shebang script gets
/// its interpreter's directories instead. Layout followed: ELF-64 little-endian (System V gABI §4):
/// 1. the header gives the program-header table offset (`e_phoff`, byte 32), entry size and count;
/// 2. `PT_LOAD` entries map virtual addresses to file offsets; `PT_DYNAMIC` locates the dynamic section;
/// 3. the dynamic section's `DT_STRTAB` (a virtual address) and `DT_RUNPATH`/`DT_RPATH` (offsets into it).
enum ELFRunpath {
    /// Directories the executable at `path` loads libraries from; empty when it is not ELF-64 or has none.
    static func directories(of path: String) -> [String] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let file = ByteReader(handle: handle)
        guard let ident = file.bytes(0, 6), ident == [0x7F, 0x45, 0x4C, 0x46, 2, 1] else { return [] }  // ELF-64 LE
        let origin = URL(fileURLWithPath: path).resolvingSymlinksInPath().deletingLastPathComponent().path
        guard let names = runpathStrings(file) else { return [] }
        return names.flatMap { $0.split(separator: ":").map(String.init) }
            .map { $0.replacingOccurrences(of: "$ORIGIN", with: origin).replacingOccurrences(of: "${ORIGIN}", with: origin) }
            .filter { $0.hasPrefix("/") }
    }

    /// Reads little-endian fields at file offsets, seeking only where needed (binaries can be large).
    private struct ByteReader {
        let handle: FileHandle

        func bytes(_ offset: Int, _ count: Int, exact: Bool = true) -> [UInt8]? {
            guard offset >= 0, count >= 0, count <= 1 << 20 else { return nil }
            guard (try? handle.seek(toOffset: UInt64(offset))) != nil,
                  let data = try? handle.read(upToCount: count), data.count == count || !exact else { return nil }
            return [UInt8](data)
        }

        func integer(_ offset: Int, _ width: Int) -> Int? {
            guard let raw = bytes(offset, width) else { return nil }
            var value: UInt64 = 0
            for byte in raw.reversed() { value = value << 8 | UInt64(byte) }
            return value > UInt64(Int.max) ? nil : Int(value)
        }
    }

    private static func runpathStrings(_ file: ByteReader) -> [String]? {
        guard let phoff = file.integer(32, 8), let phentsize = file.integer(54, 2), let phnum = file.integer(56, 2),
              phentsize >= 56, let table = file.bytes(phoff, phentsize * phnum) else { return nil }
        func field(_ base: Int, _ offset: Int, _ width: Int) -> Int {
            var value = 0
            for i in (0..<width).reversed() { value = value << 8 | Int(table[base + offset + i]) }
            return value
        }
        var loads: [(vaddr: Int, offset: Int, size: Int)] = []
        var dynamic: (offset: Int, size: Int)?
        for index in 0..<phnum {
            let entry = index * phentsize
            let type = field(entry, 0, 4)
            if type == 1 { loads.append((field(entry, 16, 8), field(entry, 8, 8), field(entry, 32, 8))) }  // PT_LOAD
            if type == 2 { dynamic = (field(entry, 8, 8), field(entry, 32, 8)) }  // PT_DYNAMIC
        }
        guard let dynamic, dynamic.size >= 0, dynamic.size <= 1 << 20,
              let section = file.bytes(dynamic.offset, dynamic.size - dynamic.size % 16) else { return [] }
        var strtabAddress: Int?
        var pathOffsets: [Int] = []
        for entry in stride(from: 0, to: section.count, by: 16) {
            var tag = 0, value = 0
            for i in (0..<8).reversed() {
                tag = tag << 8 | Int(section[entry + i])
                value = value << 8 | Int(section[entry + 8 + i])
            }
            if tag == 0 { break }  // DT_NULL
            if tag == 5 { strtabAddress = value }  // DT_STRTAB
            if tag == 15 || tag == 29 { pathOffsets.append(value) }  // DT_RPATH, DT_RUNPATH
        }
        guard let strtabAddress,
              let segment = loads.first(where: { strtabAddress >= $0.vaddr && strtabAddress < $0.vaddr + $0.size })
        else { return [] }
        let strtab = segment.offset + (strtabAddress - segment.vaddr)
        return pathOffsets.compactMap { offset in
            guard let raw = file.bytes(strtab + offset, 4096, exact: false), let end = raw.firstIndex(of: 0) else { return nil }
            return String(decoding: raw[..<end], as: UTF8.self)
        }
    }
}
