import Foundation

/// A source of elapsed time, injected wherever a run measures time (budgets, trace timestamps).
public protocol RunClock: Sendable {
    /// Seconds since an arbitrary fixed origin; only differences are meaningful.
    func now() -> Double
}

/// The real monotonic clock.
public struct SystemClock: RunClock {
    /// Creates the system clock.
    public init() {}

    /// Seconds from the system's monotonic clock.
    public func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
}
