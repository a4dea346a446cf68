#include "store/internal/process_identity.h"

#include <unistd.h>

#include <charconv>
#include <fstream>
#include <mutex>
#include <sstream>

namespace atelier::store::internal {
namespace {

std::string boot_id() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  if (!(in >> id)) return "noboot";
  return id;
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
  return boot_id() + "/" + std::to_string(pid) + "/" + start;
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
  const auto a = owner.find('/');
  const auto b = a == std::string_view::npos ? a : owner.find('/', a + 1);
  if (b == std::string_view::npos) return true;
  const std::string_view boot = owner.substr(0, a);
  const std::string_view pid_text = owner.substr(a + 1, b - a - 1);
  const std::string_view start = owner.substr(b + 1);
  long pid = 0;
  auto [p, ec] = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
  if (ec != std::errc() || p != pid_text.data() + pid_text.size() || pid <= 0) return true;
  static const std::string our_boot = boot_id();
  if (our_boot == "noboot" || boot == "noboot" || start == "0") return true;  // Cannot tell.
  if (boot != our_boot) return false;  // That boot, and every process of it, is over.
  ProcStat st;
  if (!read_stat(pid, st)) return false;
  if (st.start_ticks != start) return false;  // The pid belongs to a later process now.
  return st.state != 'Z' && st.state != 'X';  // A zombie has exited; only its entry is left.
}

}  // namespace atelier::store::internal
