#include "strata_virt.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

/* One pointer per libvirt function used, typed from the headers. */
#define STRATA_VIRT_FUNCTIONS(X) \
    X(virConnectOpen) X(virConnectOpenReadOnly) X(virConnectClose) X(virConnectIsAlive) X(virNodeGetInfo) \
    X(virConnectGetType) X(virConnectGetVersion) X(virConnectGetLibVersion) X(virConnectGetHostname) \
    X(virConnectListAllDomains) X(virDomainFree) X(virDomainGetUUIDString) X(virDomainGetName) X(virDomainGetInfo) \
    X(virDomainGetState) X(virDomainGetOSType) X(virDomainGetXMLDesc) X(virDomainInterfaceStats) X(virDomainBlockStats) \
    X(virDomainDefineXML) X(virDomainLookupByUUIDString) X(virDomainCreate) X(virDomainDestroy) X(virDomainUndefine) \
    X(virDomainSuspend) X(virDomainResume) \
    X(virDomainShutdown) X(virDomainReboot) X(virDomainReset) X(virDomainSnapshotCreateXML) X(virDomainSnapshotLookupByName) \
    X(virDomainRevertToSnapshot) X(virDomainSnapshotDelete) X(virDomainSnapshotFree) \
    X(virGetLastErrorMessage) X(virSetErrorFunc)

#define DECLARE(name) static __typeof__(&name) p_##name;
STRATA_VIRT_FUNCTIONS(DECLARE)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

/* libvirt prints every error to stderr by default; the agent reports them itself. */
static void quiet(void *data, virErrorPtr error) { (void)data; (void)error; }

static void load_all(void) {
    void *library = dlopen("libvirt.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!library) {
        snprintf(load_error, sizeof load_error, "cannot load libvirt.so.0 (install libvirt0): %s", dlerror());
        return;
    }
#define RESOLVE(name) \
    p_##name = (__typeof__(&name))dlsym(library, #name); \
    if (!p_##name) { snprintf(load_error, sizeof load_error, "libvirt.so.0 has no %s", #name); return; }
    STRATA_VIRT_FUNCTIONS(RESOLVE)
    p_virSetErrorFunc(NULL, quiet);
}

int strata_virt_load(char *error, size_t error_size) {
    pthread_once(&load_once, load_all);
    if (load_error[0]) {
        if (error && error_size) snprintf(error, error_size, "%s", load_error);
        return -1;
    }
    return 0;
}

const char *strata_virt_last_error(void) {
    if (!p_virGetLastErrorMessage) return load_error;
    const char *message = p_virGetLastErrorMessage();
    return message ? message : "";
}

void *strata_virt_open(const char *uri, int read_only) {
    return read_only ? p_virConnectOpenReadOnly(uri) : p_virConnectOpen(uri);
}

int strata_virt_close(void *connection) { return p_virConnectClose(connection); }

int strata_virt_is_alive(void *connection) { return p_virConnectIsAlive(connection); }

int strata_virt_node_info(void *connection, strata_virt_node *out) {
    virNodeInfo info;
    memset(out, 0, sizeof *out);
    if (p_virNodeGetInfo(connection, &info) < 0) return -1;
    snprintf(out->model, sizeof out->model, "%s", info.model);
    out->memory_kib = info.memory;
    out->cpus = info.cpus;
    out->mhz = info.mhz;
    out->sockets = info.sockets;
    out->cores = info.cores;
    out->threads = info.threads;
    const char *type = p_virConnectGetType(connection);
    snprintf(out->type, sizeof out->type, "%s", type ? type : "");
    p_virConnectGetVersion(connection, &out->version);
    p_virConnectGetLibVersion(connection, &out->libvirt_version);
    char *hostname = p_virConnectGetHostname(connection);
    if (hostname) {
        snprintf(out->hostname, sizeof out->hostname, "%s", hostname);
        free(hostname);
    }
    return 0;
}

int strata_virt_list_domains(void *connection, void ***domains) {
    virDomainPtr *list = NULL;
    int count = p_virConnectListAllDomains(connection, &list, 0);
    *domains = (void **)list;
    return count;
}

void strata_virt_domains_free(void **domains, int count) {
    if (!domains) return;
    for (int index = 0; index < count; index++) p_virDomainFree(domains[index]);
    free(domains);
}

int strata_virt_domain_info_of(void *domain, strata_virt_domain_info *out) {
    virDomainInfo info;
    memset(out, 0, sizeof *out);
    if (p_virDomainGetUUIDString(domain, out->uuid) < 0) return -1;
    const char *name = p_virDomainGetName(domain);
    snprintf(out->name, sizeof out->name, "%s", name ? name : "");
    if (p_virDomainGetInfo(domain, &info) < 0) return -1;
    out->state = info.state;
    out->max_memory_kib = info.maxMem;
    out->memory_kib = info.memory;
    out->vcpus = info.nrVirtCpu;
    out->cpu_time_ns = info.cpuTime;
    char *os_type = p_virDomainGetOSType(domain);
    if (os_type) {
        snprintf(out->os_type, sizeof out->os_type, "%s", os_type);
        free(os_type);
    }
    int state = 0, reason = 0;
    if (p_virDomainGetState(domain, &state, &reason, 0) == 0) {
        out->state = state;
        out->reason = reason;
    }
    return 0;
}

char *strata_virt_domain_xml(void *domain) { return p_virDomainGetXMLDesc(domain, 0); }

int strata_virt_domain_interface_stats(void *domain, const char *device, strata_virt_interface_stats *out) {
    virDomainInterfaceStatsStruct stats;
    if (p_virDomainInterfaceStats(domain, device, &stats, sizeof stats) < 0) return -1;
    out->rx_bytes = stats.rx_bytes; out->rx_packets = stats.rx_packets; out->rx_errs = stats.rx_errs; out->rx_drop = stats.rx_drop;
    out->tx_bytes = stats.tx_bytes; out->tx_packets = stats.tx_packets; out->tx_errs = stats.tx_errs; out->tx_drop = stats.tx_drop;
    return 0;
}

int strata_virt_domain_block_stats(void *domain, const char *device, strata_virt_block_stats *out) {
    virDomainBlockStatsStruct stats;
    if (p_virDomainBlockStats(domain, device, &stats, sizeof stats) < 0) return -1;
    out->rd_req = stats.rd_req; out->rd_bytes = stats.rd_bytes; out->wr_req = stats.wr_req; out->wr_bytes = stats.wr_bytes;
    out->errs = stats.errs;
    return 0;
}

void strata_virt_free(void *pointer) { free(pointer); }

void *strata_virt_define(void *connection, const char *xml) { return p_virDomainDefineXML(connection, xml); }
void *strata_virt_lookup(void *connection, const char *uuid) { return p_virDomainLookupByUUIDString(connection, uuid); }
int strata_virt_create(void *domain) { return p_virDomainCreate(domain); }
int strata_virt_destroy(void *domain) { return p_virDomainDestroy(domain); }
int strata_virt_suspend(void *domain) { return p_virDomainSuspend(domain); }
int strata_virt_resume(void *domain) { return p_virDomainResume(domain); }
int strata_virt_undefine(void *domain) { return p_virDomainUndefine(domain); }
void strata_virt_domain_free(void *domain) { p_virDomainFree(domain); }

int strata_virt_shutdown(void *domain) { return p_virDomainShutdown(domain); }
int strata_virt_reboot(void *domain) { return p_virDomainReboot(domain, 0); }
int strata_virt_reset(void *domain) { return p_virDomainReset(domain, 0); }

/* Whether name is a plain snapshot name: it goes into XML. */
static int plain_name(const char *name) {
    size_t length = strlen(name);
    if (length == 0 || length > 64) return 0;
    return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") == length;
}

int strata_virt_snapshot_create(void *domain, const char *name) {
    if (!plain_name(name)) return -1;
    char xml[160];
    snprintf(xml, sizeof xml, "<domainsnapshot><name>%s</name></domainsnapshot>", name);
    virDomainSnapshotPtr snapshot = p_virDomainSnapshotCreateXML(domain, xml, 0);
    if (!snapshot) return -1;
    p_virDomainSnapshotFree(snapshot);
    return 0;
}

/* Runs operation on the snapshot name of domain. */
static int with_snapshot(void *domain, const char *name, int (*operation)(virDomainSnapshotPtr, unsigned int)) {
    if (!plain_name(name)) return -1;
    virDomainSnapshotPtr snapshot = p_virDomainSnapshotLookupByName(domain, name, 0);
    if (!snapshot) return -1;
    int result = operation(snapshot, 0);
    p_virDomainSnapshotFree(snapshot);
    return result;
}

int strata_virt_snapshot_revert(void *domain, const char *name) { return with_snapshot(domain, name, p_virDomainRevertToSnapshot); }
int strata_virt_snapshot_delete(void *domain, const char *name) { return with_snapshot(domain, name, p_virDomainSnapshotDelete); }

int strata_virt_snapshot_exists(void *domain, const char *name) {
    if (!plain_name(name)) return 0;
    virDomainSnapshotPtr snapshot = p_virDomainSnapshotLookupByName(domain, name, 0);
    if (!snapshot) return 0;
    p_virDomainSnapshotFree(snapshot);
    return 1;
}
