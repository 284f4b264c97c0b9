extension ActionCatalog {
    /// The longest domain definition a failover start carries.
    public static let maxDefinitionBytes = 262_144

    /// What a hypervisor allows: only the failover start, which Strata requests itself (docs/control.md "VM failover").
    static let hypervisorActions: [ActionSpec] = [
        ActionSpec("failover-start", "define a VM from the definition its failed host last reported, and start it", parameters: [
            ParameterSpec("uuid", .name(maxLength: 36), summary: "the domain's UUID (the definition must carry it)"),
            ParameterSpec("definition", .text(maxLength: maxDefinitionBytes), summary: "the domain XML, on one line"),
        ], systemOnly: true),
    ]
}
