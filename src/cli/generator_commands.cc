// `atelier generator add|list|show`.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/cli.h"

namespace atelier::cli {

void add_generator_commands(CLI::App& app, Globals& globals) {
  auto* gen = app.add_subcommand("generator", "Register and inspect generators (Lua bundles)");
  gen->require_subcommand(1);

  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* add = gen->add_subcommand(
      "add", "Register a generator bundle directory. Changed content becomes a new version;\n"
             "old versions stay renderable. Prints name, version hash and whether it is new.");
  add->add_option("DIR", *dirs, "bundle directories (manifest.json + script)")->required();
  add->callback([&globals, dirs]() {
    Context ctx = open_or_exit(globals);
    for (const auto& dir : *dirs) {
      auto r = ctx.engine->add_generator(dir);
      if (!r) exit_with(r.error());
      std::printf("%s %s %s (version %s)\n", r->created ? "registered" : "unchanged",
                  r->version.name.c_str(), r->version.bundle_hash.c_str(),
                  r->version.version.c_str());
    }
  });

  auto* list = gen->add_subcommand("list", "List registered generators");
  auto list_json = std::make_shared<bool>(false);
  list->add_flag("--json", *list_json, "print JSON");
  list->callback([&globals, list_json]() {
    Context ctx = open_or_exit(globals);
    nlohmann::json out = nlohmann::json::array();
    store::PageRequest page{100, ""};
    for (;;) {
      auto r = ctx.db->list_generators(page);
      if (!r) exit_with(r.error());
      for (const auto& g : r->items) {
        if (*list_json) {
          out.push_back({{"name", g.name},
                         {"latest_hash", g.latest_hash},
                         {"version", g.latest_version},
                         {"versions", g.versions},
                         {"description", g.description}});
        } else {
          std::printf("%-20s %s  v%-8s %lld version(s)  %s\n", g.name.c_str(),
                      g.latest_hash.substr(0, 12).c_str(), g.latest_version.c_str(),
                      static_cast<long long>(g.versions), g.description.c_str());
        }
      }
      if (r->next_cursor.empty()) break;
      page.cursor = r->next_cursor;
    }
    if (*list_json) std::printf("%s\n", out.dump(2).c_str());
  });

  auto name = std::make_shared<std::string>();
  auto* show =
      gen->add_subcommand("show", "Show a generator's versions and its latest manifest (JSON)");
  show->add_option("NAME", *name, "generator name")->required();
  show->callback([&globals, name]() {
    Context ctx = open_or_exit(globals);
    auto versions = ctx.db->generator_versions(*name);
    if (!versions) exit_with(versions.error());
    if (versions->empty())
      exit_with(Error::not_found("unknown_generator", "no generator named " + *name, "NAME"));
    nlohmann::json out = {{"name", *name}, {"versions", nlohmann::json::array()}};
    for (const auto& v : *versions) {
      out["versions"].push_back(
          {{"hash", v.bundle_hash}, {"version", v.version}, {"created_ms", v.created_ms}});
    }
    out["manifest"] = nlohmann::json::parse(versions->front().manifest_json);
    std::printf("%s\n", out.dump(2).c_str());
  });
}

}  // namespace atelier::cli
