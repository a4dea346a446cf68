// `atelier serve`, `atelier apikey` — filled in when the API module lands.
#include <CLI/CLI.hpp>

#include "cli/cli.h"

namespace atelier::cli {

void add_server_commands(CLI::App&, Globals&) {}

}  // namespace atelier::cli
