// routes_renders.h — the render representation shared by the render and asset routes.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "render/engine.h"
#include "store/store.h"

namespace atelier::api {

// {"recipe_id","recipe":{…},"generator":{name,hash},"token_hash","width","height","format",
//  "asset":{sha256,mime_type,size_bytes,url},"url","traits":{…},"timings":{…},
//  "atelier_version","created_ms"[,"cached"]}
nlohmann::json render_json(const store::RenderRecord& record, const std::string& mime_type,
                           std::int64_t size_bytes, const render::RenderTimings* timings,
                           std::optional<bool> cached);

std::string asset_url(const std::string& sha256);

}  // namespace atelier::api
