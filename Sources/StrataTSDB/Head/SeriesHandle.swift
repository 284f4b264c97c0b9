/// A head series held without reference counting, for the engine's loops over every sample of a batch
/// (validation, the WAL record, the append). Holding `MemSeries` references there retained and released one for
/// each sample several times over, about 9 % of the server's CPU under remote-write load (docs/performance.md).
///
/// Valid only while the head holds the series: for the rest of the engine actor's turn that found or created it,
/// since the head never drops a series within a turn. Never stored beyond that turn.
struct SeriesHandle {
    private let reference: Unmanaged<MemSeries>

    @inline(__always)
    init(_ series: MemSeries) { reference = .passUnretained(series) }

    /// The series, for reading and setting its stored properties.
    @inline(__always)
    var series: MemSeries { reference.takeUnretainedValue() }

    /// Runs `body` on the series without retaining it (for calls into it, which would otherwise retain it).
    @inline(__always)
    func with<Result>(_ body: (MemSeries) throws -> Result) rethrows -> Result {
        try reference._withUnsafeGuaranteedRef(body)
    }
}
