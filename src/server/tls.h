#pragma once
// The TLS side of the RESP port: the OpenSSL context a node serves TLS
// connections with (NodeOptions::tls_*), built once at start.
//
// Errors: a Status naming the file and OpenSSL's reason (a missing or
// unreadable file, a key that does not match the certificate, a bad CA
// file), so that a misconfigured node refuses to start instead of failing
// every handshake. Thread-safety: the context is read-only once built.
#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <utility>  // before Asio (Boost 1.74)

#include "common/status.h"
#include "server/node.h"

namespace cairn::server {

// TLS 1.2 and 1.3 only. Client certificates per opt.tls_auth_clients:
// "no" asks for none; "optional" checks one if the client sends it; "yes"
// refuses a client without one. Both need tls_ca_cert_file.
Result<std::unique_ptr<boost::asio::ssl::context>> MakeServerTlsContext(const NodeOptions& opt);

}  // namespace cairn::server
