/// The kinds of resource in Strata's inventory tree.
///
/// Containment runs `platform ⊃ hypervisor ⊃ vm ⊃ platform (guest) ⊃ server ⊃ service`;
/// `container` sits under a platform; `application` and `group` are user-defined; `source` is a metrics
/// source known only from remote-written labels (a Prometheus job and instance no agent has identified).
public enum ResourceKind: String, Sendable, Codable, CaseIterable, Hashable {
    case platform
    case hypervisor
    case vm
    case server
    case service
    case container
    case application
    case group
    case source

    /// Whether an agent may report resources of this kind. Agents discover what runs below their own
    /// platform; `application` and `group` belong to users and `source` to remote write, so a batch naming
    /// one is refused rather than allowed to rename or move it.
    public var isAgentReported: Bool {
        switch self {
        case .platform, .hypervisor, .vm, .server, .service, .container: return true
        case .application, .group, .source: return false
        }
    }
}
