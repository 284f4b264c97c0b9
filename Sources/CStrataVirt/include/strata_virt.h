#ifndef STRATA_VIRT_H
#define STRATA_VIRT_H

#include <stddef.h>
#include <stdint.h>

/* libvirt for the agent, loaded with dlopen("libvirt.so.0") only when hypervisor URIs are configured:
   agents without them never map libvirt (and its dependencies) into memory. Types come from libvirt's
   headers at build time (libvirt-dev); the library is never linked. */

typedef struct {
    char model[32];
    unsigned long memory_kib;
    unsigned int cpus;
    unsigned int mhz;
    unsigned int sockets, cores, threads;
    char type[32];
    unsigned long version;
    unsigned long libvirt_version;
    char hostname[256];
} strata_virt_node;

typedef struct {
    char uuid[40];
    char name[256];
    int state;
    int reason;
    unsigned long max_memory_kib;
    unsigned long memory_kib;
    unsigned int vcpus;
    unsigned long long cpu_time_ns;
    char os_type[32];
} strata_virt_domain_info;

typedef struct {
    long long rx_bytes, rx_packets, rx_errs, rx_drop;
    long long tx_bytes, tx_packets, tx_errs, tx_drop;
} strata_virt_interface_stats;

typedef struct {
    long long rd_req, rd_bytes, wr_req, wr_bytes, errs;
} strata_virt_block_stats;

/* 0 when libvirt is loaded; otherwise -1 and a message in error. */
int strata_virt_load(char *error, size_t error_size);
/* The last libvirt error of this thread, or "". */
const char *strata_virt_last_error(void);

void *strata_virt_open(const char *uri, int read_only);
int strata_virt_close(void *connection);
int strata_virt_is_alive(void *connection);
int strata_virt_node_info(void *connection, strata_virt_node *out);

/* Every domain (active and inactive): fills *domains (free with strata_virt_domains_free); count or -1. */
int strata_virt_list_domains(void *connection, void ***domains);
void strata_virt_domains_free(void **domains, int count);
int strata_virt_domain_info_of(void *domain, strata_virt_domain_info *out);
/* The domain's XML description (free with strata_virt_free), or NULL. */
char *strata_virt_domain_xml(void *domain);
int strata_virt_domain_interface_stats(void *domain, const char *device, strata_virt_interface_stats *out);
int strata_virt_domain_block_stats(void *domain, const char *device, strata_virt_block_stats *out);
void strata_virt_free(void *pointer);

/* Lifecycle, for moving simulated domains between test-driver hosts. */
void *strata_virt_define(void *connection, const char *xml);
void *strata_virt_lookup(void *connection, const char *uuid);
int strata_virt_create(void *domain);
int strata_virt_destroy(void *domain);
/* Pauses (suspends) a running domain; resumes a paused one. 0 on success. */
int strata_virt_suspend(void *domain);
int strata_virt_resume(void *domain);
int strata_virt_undefine(void *domain);
void strata_virt_domain_free(void *domain);

/* Control actions (the agent's VM commands), on a connection opened read-write. 0 on success. The snapshot name
   must be letters, digits, '.', '_' or '-' (the agent checks it; others are refused here too). */
int strata_virt_shutdown(void *domain);
int strata_virt_reboot(void *domain);
int strata_virt_reset(void *domain);
int strata_virt_snapshot_create(void *domain, const char *name);
int strata_virt_snapshot_revert(void *domain, const char *name);
int strata_virt_snapshot_delete(void *domain, const char *name);
/* 1 when the domain has a snapshot called name, 0 when not. */
int strata_virt_snapshot_exists(void *domain, const char *name);

#endif
