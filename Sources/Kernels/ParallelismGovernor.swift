/// Decides, from what a `ThreadPool` measures, whether its loops run on all threads or on the
/// caller alone.
///
/// On an idle machine every worker takes its share of each loop and parallel loops win. When another
/// process keeps a core busy, the OS deschedules a worker for whole time slices (milliseconds), often
/// in the middle of a chunk it has claimed, and the caller, which cannot end the loop without that
/// chunk, waits. Decoding runs a few hundred loops of tens of microseconds per token, so such waits
/// can make two threads slower than one. The governor compares, over a window of parallel loops,
/// their measured time (the caller's own work plus its wait for the workers) with what the caller
/// alone would have taken (its own work divided by its share of the chunks). When the parallel loops
/// are not faster by at least `margin`, the next `serialLoops` loops run on the caller alone (the
/// workers sleep), and then a new window of parallel loops is measured.
struct ParallelismGovernor {
    /// Parallel loops measured before deciding.
    var window: Int
    /// Loops run on the caller alone after a window where parallel did not pay.
    var serialLoops: Int
    /// Parallel loops must take at most this fraction of the estimated serial time to go on.
    var margin: Double

    /// Creates a governor (the defaults suit decode: a window is about one token of the 1.5B model,
    /// and a serial stretch about eighteen).
    init(window: Int = 256, serialLoops: Int = 4096, margin: Double = 0.8) {
        self.window = window
        self.serialLoops = serialLoops
        self.margin = margin
    }

    private var measured = 0.0
    private var estimatedSerial = 0.0
    private var loops = 0
    private var serialLeft = 0
    /// Windows that ended in a switch to serial loops (for tests and diagnostics).
    private(set) var serialSwitches = 0

    /// Runs the next `loops` loops on the caller alone.
    mutating func runSerially(loops: Int) { serialLeft = loops }

    /// Whether the next loop runs on all threads (false: on the caller alone). Call once per loop.
    mutating func nextLoopIsParallel() -> Bool {
        guard serialLeft == 0 else {
            serialLeft -= 1
            return false
        }
        return true
    }

    /// Records a parallel loop: seconds the caller spent on its own chunks (`busy`) and then waiting
    /// for the workers (`stall`), and how many of the loop's `chunks` the caller ran.
    mutating func record(busy: Double, stall: Double, callerChunks: Int, chunks: Int) {
        // A loop the workers took whole says nothing about the caller's speed.
        guard callerChunks > 0, chunks > 0 else { return }
        measured += busy + stall
        estimatedSerial += busy * Double(chunks) / Double(callerChunks)
        loops += 1
        guard loops >= window else { return }
        if measured > margin * estimatedSerial {
            serialLeft = serialLoops
            serialSwitches += 1
        }
        measured = 0
        estimatedSerial = 0
        loops = 0
    }
}
