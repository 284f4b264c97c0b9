#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* Macros Swift cannot import, as functions. */
static inline long strata_ssl_set_sni(SSL *ssl, const char *name) { return SSL_set_tlsext_host_name(ssl, name); }
static inline EVP_PKEY *strata_ec_p256_key(void) { return EVP_EC_gen("P-256"); }
static inline long strata_ctx_min_tls12(SSL_CTX *context) { return SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION); }
static inline long strata_bio_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }
