import CKernels
import Foundation
import GGUF
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A q4_K matrix W (rows, cols) repacked into panels of 8 rows for the int8 kernels, in memory of its
/// own or inside a read-only mapping of a panel cache file (`init(mapped:rows:cols:owner:)`).
///
/// In a panel the 8 rows' 4-element groups of one 32-element sub-block are interleaved, so one
/// `maddubs` multiplies 8 rows by a token's 4 activation bytes, and a sub-block's products are summed
/// in int16 before one `madd` by the rows' scales (see q4k_panels.c). Products on the panels give the
/// same integer sums as on the GGUF rows; only the f32 summation order of the super-blocks differs.
public final class Q4KPanels: @unchecked Sendable {
    /// Rows of W (a multiple of 8).
    public let rows: Int
    /// Columns of W (a multiple of 256).
    public let cols: Int
    /// The panels, `loom_q4k_panel_bytes(rows, cols)` bytes.
    let data: UnsafeRawPointer
    /// Bytes the panels take.
    public let byteCount: Int
    /// What keeps mapped panels alive (nil: `data` is this object's own allocation).
    private let owner: AnyObject?

    /// The panels as bytes (to save them).
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: data, count: byteCount) }

    /// The bytes panels of a (rows, cols) q4_K matrix take, or nil when they cannot be built (rows
    /// not a multiple of 8, cols not of 256).
    public static func byteCount(rows: Int, cols: Int) -> Int? {
        let bytes = loom_q4k_panel_bytes(Int64(rows), Int64(cols))
        return bytes > 0 ? bytes : nil
    }

    /// Panels that already exist at `data` (`byteCount(rows:cols:)` bytes, 64-byte aligned), inside
    /// memory that `owner` keeps alive (a file mapping); nil if the shape has no panels or the
    /// address is misaligned.
    public init?(mapped data: UnsafeRawPointer, rows: Int, cols: Int, owner: AnyObject) {
        guard let bytes = Self.byteCount(rows: rows, cols: cols), Int(bitPattern: data) % 64 == 0 else { return nil }
        self.rows = rows
        self.cols = cols
        self.data = data
        byteCount = bytes
        self.owner = owner
    }

    /// Repacks the q4_K matrix W (rows, cols) at `weights` (rows contiguous), on `threads` threads;
    /// nil if rows is not a multiple of 8 or cols of 256.
    public init?(q4K weights: UnsafeRawPointer, rows: Int, cols: Int, threads: Int = 2) {
        guard let bytes = Self.byteCount(rows: rows, cols: cols) else { return nil }
        self.rows = rows
        self.cols = cols
        byteCount = bytes
        owner = nil
        let data = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
        self.data = UnsafeRawPointer(data)
        let panels = rows / 8, parts = max(1, min(threads, panels))
        // Addresses as integers: the closure runs on other threads while both buffers stay alive here.
        let source = UInt(bitPattern: weights), target = UInt(bitPattern: data)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let range = ThreadPool.chunk(part, of: parts, count: panels)
            loom_q4k_repack(UnsafeRawPointer(bitPattern: source), Int64(cols), UnsafeMutableRawPointer(bitPattern: target),
                            Int64(range.lowerBound), Int64(range.upperBound))
        }
    }

    deinit { if owner == nil { data.deallocate() } }

    /// Drops the whole pages inside `bytes` bytes at `start`, part of a read-only file mapping, from
    /// the process's memory (MADV_DONTNEED: a later read faults them in from the file again). Used
    /// on the GGUF rows of a repacked matrix so that its weights are not resident twice.
    public static func releasePages(_ start: UnsafeRawPointer, bytes: Int) {
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let first = (Int(bitPattern: start) + page - 1) / page * page
        let end = (Int(bitPattern: start) + bytes) / page * page
        guard end > first, let pointer = UnsafeMutableRawPointer(bitPattern: first) else { return }
        _ = madvise(pointer, end - first, MADV_DONTNEED)
    }
}

/// W (rows, cols) @ Xq (n, cols)^T -> y (n, ldy) on q4_K panels: y[t·ldy + r] = (row r of W) · (token t).
///
/// `activations` must be q8_K rows of `cols` columns (`QuantizedActivations(for: .q4_K, ...)`). Panels
/// are shared among the pool's threads; each output is computed by one fixed sequence of operations,
/// so results depend neither on the thread count nor on n. n = 1 is the decode product.
public func panelMatMul(_ w: Q4KPanels, activations a: QuantizedActivations, y: UnsafeMutablePointer<Float>,
                        ldy: Int, pool: ThreadPool) {
    precondition(a.fits(.q4_K, cols: w.cols), "activations do not fit q4_K panels (\(w.rows), \(w.cols))")
    pool.parallelFor(w.rows / 8) { range in
        loom_q4k_panels_matmul(w.data, Int64(w.cols), a.data, a.rowBytes, Int64(a.n), y, Int64(ldy),
                               Int64(range.lowerBound), Int64(range.upperBound))
    }
}
