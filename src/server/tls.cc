#include "server/tls.h"

#include <openssl/ssl.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace cairn::server {

namespace ssl = boost::asio::ssl;

namespace {

// OpenSSL reports a missing file as a bare "asio.ssl error": say which.
Status Readable(const std::string& setting, const std::string& path) {
  std::ifstream f(path);
  if (!f) return Status::InvalidArgument(setting + " " + path + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<ssl::context>> MakeServerTlsContext(const NodeOptions& opt) {
  if (opt.tls_cert_file.empty() || opt.tls_key_file.empty()) {
    return Status::InvalidArgument("TLS needs tls_cert_file and tls_key_file");
  }
  CAIRN_RETURN_IF_ERROR(Readable("tls_cert_file", opt.tls_cert_file));
  CAIRN_RETURN_IF_ERROR(Readable("tls_key_file", opt.tls_key_file));
  if (!opt.tls_ca_cert_file.empty()) {
    CAIRN_RETURN_IF_ERROR(Readable("tls_ca_cert_file", opt.tls_ca_cert_file));
  }
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  auto failed = [&](const std::string& what) {
    return Status::InvalidArgument(what + ": " + ec.message());
  };
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                       ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                       ssl::context::single_dh_use,
                   ec);
  if (ec) return failed("TLS options");
  ctx->use_certificate_chain_file(opt.tls_cert_file, ec);
  if (ec) return failed("tls_cert_file " + opt.tls_cert_file);
  ctx->use_private_key_file(opt.tls_key_file, ssl::context::pem, ec);
  if (ec) return failed("tls_key_file " + opt.tls_key_file);
  if (SSL_CTX_check_private_key(ctx->native_handle()) != 1) {
    return Status::InvalidArgument("tls_key_file " + opt.tls_key_file +
                                   " is not the key of the certificate in " + opt.tls_cert_file);
  }
  const std::string& auth = opt.tls_auth_clients;
  if (auth != "no" && auth != "optional" && auth != "yes") {
    return Status::InvalidArgument("tls_auth_clients: no, optional or yes");
  }
  if (auth != "no") {
    if (opt.tls_ca_cert_file.empty()) {
      return Status::InvalidArgument("tls_auth_clients " + auth +
                                     " checks client certificates: it needs tls_ca_cert_file");
    }
    ctx->load_verify_file(opt.tls_ca_cert_file, ec);
    if (ec) return failed("tls_ca_cert_file " + opt.tls_ca_cert_file);
    ctx->set_verify_mode(
        auth == "yes" ? ssl::verify_peer | ssl::verify_fail_if_no_peer_cert : ssl::verify_peer, ec);
    if (ec) return failed("TLS verify mode");
  } else {
    ctx->set_verify_mode(ssl::verify_none, ec);
  }
  return ctx;
}

}  // namespace cairn::server
