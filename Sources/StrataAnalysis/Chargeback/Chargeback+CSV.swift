extension Chargeback.Report {
    /// The report as CSV: one row per line (VMs, then tenants, groups, applications, and the total), with a header;
    /// fields holding a comma, quote or line break are quoted.
    public func csv() -> String {
        var rows = ["scope,key,name,vcpu_hours,memory_gb_hours,storage_gb_days,network_gb,cpu_core_hours_used,cost,currency"]
        for line in vms + tenants + groups + applications + [total] {
            let q = line.quantities
            let fields = [line.scope, line.key, line.name] + [q.vcpuHours, q.memoryGBHours, q.storageGBDays, q.networkGB,
                                                              q.cpuCoreHoursUsed, line.cost].map { String($0) } + [currency]
            rows.append(fields.map(Self.quoted).joined(separator: ","))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}
