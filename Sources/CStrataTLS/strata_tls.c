#include "strata_tls.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* One pointer per OpenSSL function used, typed from the headers; the library is never linked. */
#define STRATA_FUNCTIONS(X) \
    X(ssl, TLS_client_method) X(ssl, SSL_CTX_new) X(ssl, SSL_CTX_free) X(ssl, SSL_CTX_ctrl) X(ssl, SSL_CTX_set_verify) \
    X(ssl, SSL_CTX_load_verify_locations) X(ssl, SSL_CTX_set_default_verify_paths) \
    X(ssl, SSL_CTX_use_certificate_chain_file) X(ssl, SSL_CTX_use_PrivateKey_file) X(ssl, SSL_CTX_check_private_key) \
    X(ssl, SSL_new) X(ssl, SSL_free) X(ssl, SSL_set_fd) X(ssl, SSL_ctrl) X(ssl, SSL_set1_host) X(ssl, SSL_get0_param) \
    X(ssl, SSL_connect) X(ssl, SSL_get_verify_result) X(ssl, SSL_write) X(ssl, SSL_read) X(ssl, SSL_get_error) \
    X(ssl, SSL_shutdown) \
    X(crypto, X509_VERIFY_PARAM_set1_ip_asc) X(crypto, X509_verify_cert_error_string) X(crypto, ERR_get_error) \
    X(crypto, ERR_error_string_n) X(crypto, EVP_PKEY_Q_keygen) X(crypto, EVP_PKEY_free) X(crypto, X509_REQ_new) \
    X(crypto, X509_REQ_free) X(crypto, X509_REQ_set_version) X(crypto, X509_REQ_set_pubkey) \
    X(crypto, X509_REQ_get_subject_name) X(crypto, X509_NAME_add_entry_by_txt) X(crypto, X509_REQ_sign) \
    X(crypto, EVP_sha256) X(crypto, BIO_new) X(crypto, BIO_s_mem) X(crypto, BIO_free) X(crypto, BIO_ctrl) \
    X(crypto, PEM_write_bio_PrivateKey) X(crypto, PEM_write_bio_X509_REQ)

#define DECLARE(library, name) static __typeof__(&name) p_##name;
STRATA_FUNCTIONS(DECLARE)

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static char load_error[256];

static void load_all(void) {
    void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    void *ssl = crypto ? dlopen("libssl.so.3", RTLD_NOW | RTLD_LOCAL) : NULL;
    if (!crypto || !ssl) {
        snprintf(load_error, sizeof load_error, "cannot load OpenSSL 3 (install libssl3): %s", dlerror());
        return;
    }
#define LOAD(library, name) \
    if (!(p_##name = (__typeof__(&name))dlsym(library, #name))) { \
        snprintf(load_error, sizeof load_error, "OpenSSL lacks %s", #name); return; }
    STRATA_FUNCTIONS(LOAD)
}

int strata_tls_load(char *error, size_t error_size) {
    pthread_once(&load_once, load_all);
    if (load_error[0]) { snprintf(error, error_size, "%s", load_error); return -1; }
    return 0;
}

static void fail(char *error, size_t error_size, const char *what) {
    unsigned long code = p_ERR_get_error ? p_ERR_get_error() : 0;
    char reason[200] = "unknown error";
    if (code) p_ERR_error_string_n(code, reason, sizeof reason);
    snprintf(error, error_size, "%s: %s", what, reason);
}

void *strata_tls_context_new(const char *ca_file, char *error, size_t error_size) {
    if (strata_tls_load(error, error_size) != 0) return NULL;
    SSL_CTX *context = p_SSL_CTX_new(p_TLS_client_method());
    if (!context) { fail(error, error_size, "cannot create a TLS context"); return NULL; }
    p_SSL_CTX_ctrl(context, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, NULL);
    p_SSL_CTX_set_verify(context, SSL_VERIFY_PEER, NULL);
    int loaded = ca_file ? p_SSL_CTX_load_verify_locations(context, ca_file, NULL) : p_SSL_CTX_set_default_verify_paths(context);
    if (loaded != 1) {
        fail(error, error_size, ca_file ? "cannot load the CA file" : "cannot load the system trust store");
        p_SSL_CTX_free(context);
        return NULL;
    }
    return context;
}

int strata_tls_context_use_certificate(void *context, const char *certificate_file, const char *key_file,
                                       char *error, size_t error_size) {
    if (p_SSL_CTX_use_certificate_chain_file(context, certificate_file) != 1 ||
        p_SSL_CTX_use_PrivateKey_file(context, key_file, SSL_FILETYPE_PEM) != 1 ||
        p_SSL_CTX_check_private_key(context) != 1) {
        fail(error, error_size, "cannot use the client certificate");
        return -1;
    }
    return 0;
}

void strata_tls_context_free(void *context) {
    if (context) p_SSL_CTX_free(context);
}

void *strata_tls_connect(void *context, int fd, const char *host, char *error, size_t error_size) {
    SSL *ssl = p_SSL_new(context);
    if (!ssl) { fail(error, error_size, "cannot create a TLS session"); return NULL; }
    p_SSL_set_fd(ssl, fd);
    if (p_X509_VERIFY_PARAM_set1_ip_asc(p_SSL_get0_param(ssl), host) != 1) {
        p_SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, (void *)host);
        p_SSL_set1_host(ssl, host);
    }
    if (p_SSL_connect(ssl) != 1) {
        long verify = p_SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
            snprintf(error, error_size, "TLS handshake with %s failed: %s", host, p_X509_verify_cert_error_string(verify));
        } else {
            char what[300];
            snprintf(what, sizeof what, "TLS handshake with %s failed", host);
            fail(error, error_size, what);
        }
        p_SSL_free(ssl);
        return NULL;
    }
    return ssl;
}

int strata_tls_write(void *connection, const void *buffer, int length, char *error, size_t error_size) {
    int sent = 0;
    while (sent < length) {
        int count = p_SSL_write(connection, (const char *)buffer + sent, length - sent);
        if (count <= 0) { fail(error, error_size, "TLS write"); return -1; }
        sent += count;
    }
    return 0;
}

int strata_tls_read(void *connection, void *buffer, int length, char *error, size_t error_size) {
    errno = 0;
    int count = p_SSL_read(connection, buffer, length);
    if (count > 0) return count;
    int reason = p_SSL_get_error(connection, count);
    if (reason == SSL_ERROR_ZERO_RETURN || (reason == SSL_ERROR_SYSCALL && errno == 0)) return 0;
    if (reason == SSL_ERROR_SYSCALL && (errno == EAGAIN || errno == EWOULDBLOCK)) return -2;
    fail(error, error_size, "TLS read");
    return -1;
}

void strata_tls_close(void *connection) {
    if (!connection) return;
    p_SSL_shutdown(connection);
    p_SSL_free(connection);
}

static char *pem_of(int (*write)(BIO *, void *), void *object) {
    BIO *bio = p_BIO_new(p_BIO_s_mem());
    if (!bio) return NULL;
    char *result = NULL;
    if (write(bio, object) == 1) {
        char *data = NULL;
        long length = p_BIO_ctrl(bio, BIO_CTRL_INFO, 0, (char *)&data);
        if (length > 0 && data && (result = malloc((size_t)length + 1))) {
            memcpy(result, data, (size_t)length);
            result[length] = 0;
        }
    }
    p_BIO_free(bio);
    return result;
}

static int write_key(BIO *bio, void *key) { return p_PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL); }
static int write_request(BIO *bio, void *request) { return p_PEM_write_bio_X509_REQ(bio, request); }

int strata_tls_key_and_csr(const char *common_name, char **key_pem, char **csr_pem, char *error, size_t error_size) {
    if (strata_tls_load(error, error_size) != 0) return -1;
    EVP_PKEY *key = p_EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    if (!key) { fail(error, error_size, "cannot generate a P-256 key"); return -1; }
    X509_REQ *request = p_X509_REQ_new();
    int status = -1;
    if (request && p_X509_REQ_set_version(request, 0) == 1 && p_X509_REQ_set_pubkey(request, key) == 1 &&
        p_X509_NAME_add_entry_by_txt(p_X509_REQ_get_subject_name(request), "CN", MBSTRING_UTF8,
                                     (const unsigned char *)common_name, -1, -1, 0) == 1 &&
        p_X509_REQ_sign(request, key, p_EVP_sha256()) > 0) {
        *key_pem = pem_of(write_key, key);
        *csr_pem = pem_of(write_request, request);
        status = (*key_pem && *csr_pem) ? 0 : -1;
    }
    if (status != 0) fail(error, error_size, "cannot make a certificate request");
    if (request) p_X509_REQ_free(request);
    p_EVP_PKEY_free(key);
    return status;
}
