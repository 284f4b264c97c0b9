/// Natural keys, built and read in one place: a resource's identity derives from its kind and natural key.
public enum ResourceKey {
    /// The key of the VM with SMBIOS UUID `uuid`: the UUID alone (lower case), so the VM keeps its identity
    /// and its series wherever it runs.
    public static func vm(uuid: String) -> String { "vm:" + uuid.lowercased() }

    /// The UUID in a VM's key, nil for another kind of key.
    public static func vmUUID(_ key: String) -> String? {
        key.hasPrefix("vm:") ? String(key.dropFirst(3)) : nil
    }
}
