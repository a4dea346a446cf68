#include "store/internal/process_identity.h"

#include <unistd.h>

#include <charconv>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <tuple>

namespace atelier::store::internal {
namespace {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!(in >> id)) return "noboot";
  return id;
}

// The pid namespace (the inode of /proc/self/ns/pid): pids name processes only within one.
std::string pid_namespace() {
  std::error_code ec;
  const std::string link = std::filesystem::read_symlink("/proc/self/ns/pid", ec).string();
  const auto open = link.find('['), close = link.find(']');
  if (ec || open == std::string::npos || close == std::string::npos || close < open) return "nons";
  return link.substr(open + 1, close - open - 1);
}

// The state letter and start time of `pid` from /proc/<pid>/stat; nothing if it does not exist.
struct ProcStat {
  char state = '?';
  std::string start_ticks;
};

bool read_stat(long pid, ProcStat& out) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(in, line)) return false;
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields after it
  // start after the last ')'.
  const auto close = line.rfind(')');
  if (close == std::string::npos) return false;
  std::istringstream rest(line.substr(close + 1));
  std::string field;
  // Field 3 is the state; the start time is field 22, the 20th after the name.
  for (int i = 3; i <= 22; ++i) {
    if (!(rest >> field)) return false;
    if (i == 3) out.state = field.empty() ? '?' : field[0];
  }
  out.start_ticks = field;
  return true;
}

std::string compute_owner() {
  const long pid = static_cast<long>(::getpid());
  ProcStat st;
  const std::string start = read_stat(pid, st) ? st.start_ticks : "0";
  return boot_id() + "/" + pid_namespace() + "/" + std::to_string(pid) + "/" + start;
}

}  // namespace

std::string this_process_owner() {
  // Cached per pid: a child made by fork() inherits the cache but is another owner.
  static std::mutex mu;
  static long cached_pid = 0;
  static std::string cached;
  std::lock_guard lock(mu);
  const long pid = static_cast<long>(::getpid());
  if (pid != cached_pid) {
    cached = compute_owner();
    cached_pid = pid;
  }
  return cached;
}

bool owner_may_be_alive(std::string_view owner) {
  std::string_view part[4];
  for (int i = 0; i < 4; ++i) {
    const auto slash = owner.find('/');
    if ((slash == std::string_view::npos) != (i == 3)) return true;  // Another form.
    part[i] = owner.substr(0, slash);
    owner = i == 3 ? std::string_view() : owner.substr(slash + 1);
  }
  const auto [boot, pid_ns, pid_text, start] = std::tuple(part[0], part[1], part[2], part[3]);
  long pid = 0;
  auto [p, ec] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (ec != std::errc() || p != pid_text.data() + pid_text.size() || pid <= 0) return true;
  static const std::string our_boot = boot_id();
  static const std::string our_pid_ns = pid_namespace();
  if (our_boot == "noboot" || boot == "noboot") return true;  // Cannot tell.
  if (boot != our_boot) return false;  // That boot, and every process of it, is over.
  // Another container on this host sharing the data directory: its pids are not ours.
  if (pid_ns != our_pid_ns || our_pid_ns == "nons" || start == "0") return true;
  ProcStat st;
  if (!read_stat(pid, st)) return false;
  if (st.start_ticks != start) return false;  // The pid belongs to a later process now.
  return st.state != 'Z' && st.state != 'X';  // A zombie has exited; only its entry is left.
}

}  // namespace atelier::store::internal
