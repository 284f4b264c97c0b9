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
}
