// process_identity.h — who owns an idempotency claim, and whether that owner still runs.
//
// An owner is "<boot id>/<pid namespace>/<pid>/<start time>" (Linux:
// /proc/sys/kernel/random/boot_id, the inode of /proc/self/ns/pid, and field 22 of
// /proc/<pid>/stat, in clock ticks since boot). Together they name one process forever: a pid is
// reused, but not with the same start time in the same boot. SQLite in WAL mode is shared by
// processes of one host only, so every owner of a row was a process of this host, and its
// liveness can be read from /proc instead of waiting for a lease to run out: after kill -9 and
// a restart, the killed process's claims are taken over by the first retry. An owner in another
// pid namespace (another container sharing the data directory) cannot be looked up: its lease
// decides.
#pragma once

#include <string>
#include <string_view>

namespace atelier::store::internal {

// This process's owner name (computed once per process, fork included).
std::string this_process_owner();

// False when `owner` is known not to run any more: another boot, no such process, a zombie,
// or the pid now belongs to a later process. True when it runs or when that cannot be told
// (a name of another form, no /proc): the claim's lease decides then.
bool owner_may_be_alive(std::string_view owner);

}  // namespace atelier::store::internal
