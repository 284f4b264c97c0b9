#ifndef STRATA_TLS_H
#define STRATA_TLS_H
#include <stddef.h>

/* TLS for the agent through the system's OpenSSL 3, loaded with dlopen on first use, so an agent that
   speaks plain HTTP never maps libssl/libcrypto. Every function that can fail writes a reason into
   `error` (size `error_size`) and returns NULL or a negative number. */

/* Loads libssl.so.3 and libcrypto.so.3 once; 0 on success. */
int strata_tls_load(char *error, size_t error_size);

/* A client context verifying the server against `ca_file` (PEM), or the system store when NULL; TLS 1.2+. */
void *strata_tls_context_new(const char *ca_file, char *error, size_t error_size);
/* Presents a client certificate chain and key (PEM files) on later connections; 0 on success. */
int strata_tls_context_use_certificate(void *context, const char *certificate_file, const char *key_file,
                                       char *error, size_t error_size);
void strata_tls_context_free(void *context);

/* Handshake on a connected socket, checking the certificate for `host` (a DNS name or an IP address). */
void *strata_tls_connect(void *context, int fd, const char *host, char *error, size_t error_size);
/* Writes all of `buffer`; 0 on success, -1 on error. */
int strata_tls_write(void *connection, const void *buffer, int length, char *error, size_t error_size);
/* Reads up to `length` bytes: > 0 bytes read, 0 at the end of the stream, -1 on error, -2 on timeout. */
int strata_tls_read(void *connection, void *buffer, int length, char *error, size_t error_size);
void strata_tls_close(void *connection);

/* A new P-256 key and a CSR with subject CN=`common_name`, both PEM, malloc'd (free them); 0 on success. */
int strata_tls_key_and_csr(const char *common_name, char **key_pem, char **csr_pem, char *error, size_t error_size);

#endif
