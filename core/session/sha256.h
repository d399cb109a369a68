// SHA-256 for fingerprinting recordings and models, from OpenSSL's libcrypto (EVP): a kept,
// audited implementation instead of a hand-written one. The fingerprint needs a hash nobody can
// mistake for a checksum of another file, not secrecy.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

struct evp_md_ctx_st;

namespace emotrace {

class Sha256 {
  public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(std::span<const std::byte> data);
    // The digest as 64 lowercase hex digits. Call once; the object is spent afterwards.
    std::string finishHex();

  private:
    struct ContextFree {
        void operator()(evp_md_ctx_st* context) const;
    };
    std::unique_ptr<evp_md_ctx_st, ContextFree> context_;
};

}  // namespace emotrace
