// random_id.h — unpredictable identifiers and secrets from the OS CSPRNG (OpenSSL RAND).
// Never used for anything that influences pixels.
#pragma once

#include <string>

namespace atelier {

// `bytes` random bytes as lowercase hex.
std::string random_hex(std::size_t bytes);
// `bytes` random bytes as unpadded base64url (for API key secrets).
std::string random_base64url(std::size_t bytes);

}  // namespace atelier
