// idempotent.h — answering an idempotent request in the transaction of the work it does
// (store.h "Idempotency", issue 14).
//
//   InCommit<market::Sale> answer(ctx, [](const market::Sale& s) -> Result<HttpResponse> {
//     return json_text_response(market::sale_json(s), 201);
//   });
//   auto sale = market.purchase(ListingId(id), AccountId(buyer), quantity, options,
//   answer.respond()); if (!sale) return fail(sale.error()); return answer.response(*sale);
//
// With an Idempotency-Key claim, the engine calls `answer` inside its commit and the store keeps
// the response with the change, so a retry after a crash replays it instead of running the
// work again; this client gets that same response. Without a claim, respond() is null and
// response() calls `answer` after the fact. Lives on the handler's stack: not movable, and it
// must outlive the engine call.
#pragma once

#include <functional>
#include <optional>

#include "api/internal/http_types.h"
#include "api/internal/router.h"
#include "store/ledger_store.h"

namespace atelier::api {

template <typename T>
class InCommit {
 public:
  using Answer = std::function<Result<HttpResponse>(const T&)>;

  InCommit(const RequestContext& ctx, Answer answer) : answer_(std::move(answer)) {
    if (!ctx.idempotency) return;
    respond_.emplace(store::Respond<T>{
        *ctx.idempotency, [this](const T& result) -> Result<store::IdempotentResponse> {
          auto r = answer_(result);
          if (!r) return fail(r.error());
          // A change may be retried (racing buyers): the last answer is the committed one.
          answered_ = *r;
          return store::IdempotentResponse{r->status, r->body};
        }});
  }
  InCommit(const InCommit&) = delete;
  InCommit& operator=(const InCommit&) = delete;

  const store::Respond<T>* respond() const { return respond_ ? &*respond_ : nullptr; }

  // The response stored with the work, or (no claim, or the work stored none) answer(result).
  Result<HttpResponse> response(const T& result) const {
    if (answered_) return *answered_;
    return answer_(result);
  }

 private:
  Answer answer_;
  std::optional<store::Respond<T>> respond_;
  std::optional<HttpResponse> answered_;
};

}  // namespace atelier::api
