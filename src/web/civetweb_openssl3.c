/*
 * What civetweb finds when it loads "libssl.so" and "libcrypto.so" (the
 * daemon's RPATH points at the directory holding the two libraries built
 * from this file).
 *
 * Debian 12's civetweb 1.15 loads OpenSSL by name at run time and looks up
 * SSL_get_peer_certificate, which OpenSSL 3 renamed SSL_get1_peer_certificate:
 * the missing pointer crashes the first TLS connection. This library depends
 * on the real libssl.so.3, so civetweb's lookups of every other function
 * resolve there, and it supplies the one function OpenSSL 3 lacks. It also
 * spares hosts the unversioned libssl.so that only libssl-dev installs.
 */
#ifdef EXECMOND_SHIM_FOR_LIBssl
#include <openssl/ssl.h>

#undef SSL_get_peer_certificate

X509 *SSL_get_peer_certificate(const SSL *ssl);

X509 *SSL_get_peer_certificate(const SSL *ssl)
{
	return SSL_get1_peer_certificate(ssl);
}
#else
/* libcrypto.so: only its dependency on libcrypto.so.3 matters. */
extern int execmond_libcrypto_shim;
int execmond_libcrypto_shim;
#endif
