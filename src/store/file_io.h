// file_io.h — the POSIX file plumbing that durable writes share: write everything, sync a
// directory so a rename or link in it survives a crash, and errors that name the file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

#include "core/error.h"

namespace atelier::store {

// An internal "io_error" naming the operation, the path and errno's text.
Error io_error(const std::string& what, const std::filesystem::path& path);
// Writes all of `bytes` to `fd` (retrying short writes and EINTR).
Result<void> write_all(int fd, std::span<const std::uint8_t> bytes,
                       const std::filesystem::path& path);
// fsync()s a directory, making a rename/link/unlink in it durable.
Result<void> fsync_dir(const std::filesystem::path& dir);
// Creates `path` holding `bytes`, mode 0600 from the first byte, durably (a synced temporary
// file linked into place, then the directory synced), and never replaces an existing file:
// that is a conflict "file_exists" (a key made by another process first stays theirs).
Result<void> write_private_file(const std::filesystem::path& path,
                                std::span<const std::uint8_t> bytes);

}  // namespace atelier::store
