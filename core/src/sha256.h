// SHA-256 (FIPS 180-4) for fingerprinting recordings and models: the dependencies have no
// crypto library, and the fingerprint needs a hash nobody can mistake for a checksum of
// another file, not secrecy.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace emotrace {

class Sha256 {
  public:
    Sha256();
    void update(std::span<const std::byte> data);
    // The digest as 64 lowercase hex digits. Call once; the object is spent afterwards.
    std::string finishHex();

  private:
    void compressBlock(const std::byte* block);

    std::array<std::uint32_t, 8> state_;
    std::array<std::byte, 64> buffer_{};
    std::size_t buffered_ = 0;
    std::uint64_t total_bytes_ = 0;
};

}  // namespace emotrace
