import StrataCore

/// Converts a CSV inventory of physical servers with their utilisation history (P2V planning for machines without
/// an agent) into an import document: one `platform` per host (a physical machine, as an agent would report it:
/// `cpu.cores`, `memory_bytes`, virtualization role `physical`) and a gauge series per column, one row per host per
/// time (docs/import.md "CSV inventories"):
///
/// ```
/// host,cpus,memory_gb,timestamp,cpu_used_cores,memory_used_gb,disk_iops,net_mbps
/// db-01,16,64,2026-11-01T00:00:00Z,3.5,41.2,850,120
/// ```
///
/// `host` and `timestamp` are required; every other column is optional and an empty cell is no sample. Rows may come
/// in any order (each host's are sorted by time); a host twice at one time is an error naming both lines.
public enum InventoryCSV {
    /// A column the converter knows: the series it makes and the factor to the series' unit.
    struct Column {
        var metric: String
        var factor: Double
    }

    /// The columns that become series.
    static let seriesColumns: [String: Column] = [
        "cpus": Column(metric: "cpu_cores", factor: 1),
        "memory_gb": Column(metric: "memory_total_bytes", factor: 1_073_741_824),
        "cpu_used_cores": Column(metric: "cpu_used_cores", factor: 1),
        "memory_used_gb": Column(metric: "memory_used_bytes", factor: 1_073_741_824),
        "disk_iops": Column(metric: "disk_iops", factor: 1),
        "net_mbps": Column(metric: "network_bytes_per_second", factor: 125_000),
    ]

    /// Every column name accepted, `host` and `timestamp` first.
    public static let columns = ["host", "timestamp", "cpus", "memory_gb", "cpu_used_cores", "memory_used_gb", "disk_iops", "net_mbps"]

    /// Why a CSV file was refused: the line and what is wrong.
    public struct Invalid: Error, Sendable, Equatable, CustomStringConvertible {
        /// 1-based line number, 0 for the file as a whole.
        public var line: Int
        public var reason: String
        public var description: String { line > 0 ? "line \(line): \(reason)" : reason }
    }

    /// The document of CSV `text`.
    public static func document(_ text: String) throws(Invalid) -> ImportDocument {
        let rows = try records(text)
        guard let header = rows.first else { throw Invalid(line: 0, reason: "the file is empty; the first line names the columns (\(columns.joined(separator: ",")))") }
        let names = header.fields.map { $0.trimmed.lowercased() }
        for name in names where !columns.contains(name) {
            throw Invalid(line: header.line, reason: "unknown column \"\(name.prefix(64))\"; columns are \(columns.joined(separator: ", "))")
        }
        guard let hostColumn = names.firstIndex(of: "host"), let timeColumn = names.firstIndex(of: "timestamp") else {
            throw Invalid(line: header.line, reason: "the columns host and timestamp are required")
        }
        guard Set(names).count == names.count else { throw Invalid(line: header.line, reason: "a column is named twice") }
        var hosts: [String] = []
        var capacity: [String: (cores: Double?, memoryGB: Double?)] = [:]
        var samples: [String: [(ms: Int64, line: Int, values: [(String, Double)])]] = [:]
        for row in rows.dropFirst() {
            guard row.fields.count == names.count else {
                throw Invalid(line: row.line, reason: "\(row.fields.count) fields, but the header names \(names.count) columns")
            }
            let host = row.fields[hostColumn].trimmed
            guard !host.isEmpty else { throw Invalid(line: row.line, reason: "host is empty") }
            let timeText = row.fields[timeColumn].trimmed
            guard let ms = time(timeText) else {
                throw Invalid(line: row.line, reason: "timestamp \"\(timeText.prefix(64))\" is neither Unix milliseconds nor an RFC 3339 time such as 2026-11-01T00:00:00Z")
            }
            if samples[host] == nil { hosts.append(host) }
            var values: [(String, Double)] = []
            for (index, name) in names.enumerated() where index != hostColumn && index != timeColumn {
                let cell = row.fields[index].trimmed
                guard !cell.isEmpty else { continue }
                guard let value = Double(cell), value >= 0, value <= 1e15 else {
                    throw Invalid(line: row.line, reason: "\(name) \"\(cell.prefix(64))\" is not a number from 0 to 10^15")
                }
                values.append((name, value))
                if name == "cpus" { capacity[host, default: (nil, nil)].cores = value }
                if name == "memory_gb" { capacity[host, default: (nil, nil)].memoryGB = value }
            }
            samples[host, default: []].append((ms, row.line, values))
        }
        var document = ImportDocument()
        for host in hosts {
            var properties: [(key: String, value: PropertyValue)] = []
            if let cores = capacity[host]?.cores { properties.append(("cpu", .map([("cores", number(cores)), ("logical_cpus", number(cores))]))) }
            if let memory = capacity[host]?.memoryGB { properties.append(("memory_bytes", number(memory * 1_073_741_824))) }
            properties.append(("virtualization", .map([("roles", .list([.map([("role", .string("physical"))])])),
                                                       ("evidence", .list([.string("imported from a CSV inventory")]))])))
            document.resources.append(ImportResource(kind: ResourceKind.platform.rawValue, key: host, name: host, properties: .map(properties)))
            let rows = (samples[host] ?? []).sorted { $0.ms < $1.ms }
            for (earlier, later) in zip(rows, rows.dropFirst()) where earlier.ms == later.ms {
                throw Invalid(line: later.line, reason: "host \(host) has a row for this time already (line \(earlier.line))")
            }
            for name in columns where seriesColumns[name] != nil {
                let column = seriesColumns[name]!
                let points = rows.compactMap { row in
                    row.values.first { $0.0 == name }.map { ImportSample(time: .ms(row.ms), value: $0.1 * column.factor) }
                }
                guard !points.isEmpty else { continue }
                document.series.append(ImportSeries(resource: host, metric: column.metric, samples: points))
            }
        }
        return document
    }

    static func number(_ value: Double) -> PropertyValue {
        if value.rounded() == value, abs(value) < 9e15 { return .int(Int64(value)) }
        return .double(value)
    }

    /// Unix ms of a CSV timestamp: an integer (ms), or RFC 3339 where a missing zone means UTC.
    static func time(_ text: String) -> Int64? {
        if let ms = Int64(text) { return ms >= 0 && ms <= ImportTime.latestMs ? ms : nil }
        return ImportTime.rfc3339(text) ?? ImportTime.rfc3339(text + "Z")
    }

    /// One CSV record and the line it starts on.
    struct Record {
        var line: Int
        var fields: [String]
    }

    /// The records of RFC 4180 text: fields separated by commas, quoted with `"` (doubled inside), records by CRLF or
    /// LF; blank lines skipped.
    static func records(_ text: String) throws(Invalid) -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var quoted = false
        var line = 1
        var start = 1
        var index = 0
        let bytes = Array(text.utf8)
        func endRecord() {
            fields.append(String(decoding: field, as: UTF8.self))
            if !(fields.count == 1 && fields[0].trimmed.isEmpty) { records.append(Record(line: start, fields: fields)) }
            fields = []
            field = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if quoted {
                if byte == UInt8(ascii: "\"") {
                    if index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "\"") {
                        field.append(byte)
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            } else if byte == UInt8(ascii: "\"") && field.allSatisfy({ $0 == 32 }) {
                field = []
                quoted = true
            } else if byte == UInt8(ascii: ",") {
                fields.append(String(decoding: field, as: UTF8.self))
                field = []
            } else if byte == 10 {
                endRecord()
                line += 1
                start = line
            } else if byte != 13 {
                field.append(byte)
            }
            index += 1
        }
        guard !quoted else { throw Invalid(line: start, reason: "a quoted field is not closed") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    var trimmed: String {
        var view = Substring(self)
        while let first = view.first, first == " " || first == "\t" { view = view.dropFirst() }
        while let last = view.last, last == " " || last == "\t" { view = view.dropLast() }
        return String(view)
    }
}
