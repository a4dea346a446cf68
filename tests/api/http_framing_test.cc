// The framing rules of http_framing.h (request smuggling, RFC 9112 §5.2, §6) called directly,
// without a socket; hardening_test.cc checks the same through a real server.
#include "api/internal/http_framing.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace atelier::api {
namespace {

FramingFields fields(std::vector<std::string_view> te, std::vector<std::string_view> cl = {},
                     unsigned version = 11) {
  return FramingFields{version, std::move(cl), std::move(te)};
}

void expect_refused(const FramingFields& f, int status, std::string_view code,
                    std::string_view field) {
  auto verdict = framing_error(f);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->status, status);
  EXPECT_EQ(verdict->error.code, code);
  EXPECT_EQ(verdict->error.field, field);
}

TEST(HttpFraming, OneFramingIsAccepted) {
  EXPECT_FALSE(framing_error(fields({})));               // No body.
  EXPECT_FALSE(framing_error(fields({}, {"0"})));        // One Content-Length.
  EXPECT_FALSE(framing_error(fields({}, {"12"}, 10)));   // Also in HTTP/1.0.
  EXPECT_FALSE(framing_error(fields({"chunked"})));      // A lone chunked.
  EXPECT_FALSE(framing_error(fields({"ChUnKeD"})));      // Codings are case-insensitive.
  EXPECT_FALSE(framing_error(fields({" chunked\t"})));   // OWS around list items.
  EXPECT_FALSE(framing_error(fields({", chunked ,"})));  // Empty list items (RFC 9110 §5.6.1).
}

TEST(HttpFraming, TransferEncodingNotEndingInOneChunkedIs400) {
  for (std::string_view te : {"chunked, identity", "identity", "gzip", "chunked, gzip", "chunkedx",
                              "chunked, chunked", "\"chunked\""}) {
    SCOPED_TRACE(te);
    expect_refused(fields({te}), 400, "bad_framing", "Transfer-Encoding");
  }
  // Two fields are one list: chunked then identity ends in identity; chunked twice.
  expect_refused(fields({"chunked", "identity"}), 400, "bad_framing", "Transfer-Encoding");
  expect_refused(fields({"chunked", "chunked"}), 400, "bad_framing", "Transfer-Encoding");
  expect_refused(fields({""}), 400, "bad_framing", "Transfer-Encoding");
  expect_refused(fields({" , "}), 400, "bad_framing", "Transfer-Encoding");
}

TEST(HttpFraming, CodingsBeforeChunkedAre501) {
  expect_refused(fields({"gzip, chunked"}), 501, "transfer_coding_not_implemented",
                 "Transfer-Encoding");
  expect_refused(fields({"gzip", "chunked"}), 501, "transfer_coding_not_implemented",
                 "Transfer-Encoding");
}

TEST(HttpFraming, TransferEncodingWithContentLengthOrInHttp10Is400) {
  expect_refused(fields({"chunked"}, {"5"}), 400, "bad_framing", "Transfer-Encoding");
  expect_refused(fields({"identity"}, {"2"}), 400, "bad_framing", "Transfer-Encoding");
  expect_refused(fields({"chunked"}, {}, 10), 400, "bad_framing", "Transfer-Encoding");
}

TEST(HttpFraming, RepeatedOrListedContentLengthIs400) {
  expect_refused(fields({}, {"2", "2"}), 400, "bad_framing", "Content-Length");
  expect_refused(fields({}, {"2, 2"}), 400, "bad_framing", "Content-Length");
  expect_refused(fields({}, {"2", "0"}), 400, "bad_framing", "Content-Length");
  // Checked before Transfer-Encoding, so it names Content-Length.
  expect_refused(fields({"chunked"}, {"1", "1"}), 400, "bad_framing", "Content-Length");
}

TEST(HttpFraming, ObsFoldInTheRawHeadIs400) {
  EXPECT_TRUE(has_obs_fold("POST / HTTP/1.1\r\nX: a\r\n b\r\n"));
  EXPECT_TRUE(has_obs_fold("POST / HTTP/1.1\r\nX:\r\n\tTransfer-Encoding: chunked\r\n"));
  EXPECT_TRUE(has_obs_fold("POST / HTTP/1.1\r\n Host: x\r\n"));  // Right after the start line.
  EXPECT_FALSE(has_obs_fold("POST / HTTP/1.1\r\nX: a b\r\nY:\tc\r\n"));
  EXPECT_FALSE(has_obs_fold("POST / HTTP/1.1\r\n"));

  const std::string_view folded = "POST / HTTP/1.1\r\nX: a\r\n b\r\n\r\n";
  auto verdict = raw_head_error(folded);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->status, 400);
  EXPECT_EQ(verdict->error.code, "bad_framing");
  EXPECT_EQ(verdict->error.field, "headers");
  // Nothing is decided before the head's end has arrived; a body may hold anything.
  EXPECT_FALSE(raw_head_error(folded.substr(0, folded.size() - 2)));
  EXPECT_FALSE(raw_head_error("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\n\r\n x"));
}

// Found by http_fuzz: Beast adds a chunked body's trailer fields to the request's fields (and
// unfolds obs-fold there), so a field no proxy saw in the header reached the handlers.
TEST(HttpFraming, TrailerFieldsAreRefused) {
  EXPECT_FALSE(trailer_error(3, 3));
  EXPECT_FALSE(trailer_error(0, 0));
  auto verdict = trailer_error(3, 4);
  ASSERT_TRUE(verdict.has_value());
  EXPECT_EQ(verdict->status, 400);
  EXPECT_EQ(verdict->error.code, "bad_framing");
  EXPECT_EQ(verdict->error.field, "trailer");
}

// framing_fields reads names case-insensitively from any field list (Beast's in the server).
TEST(HttpFraming, FieldsAreCollectedByName) {
  struct Field {
    std::string_view n, v;
    std::string_view name_string() const { return n; }
    std::string_view value() const { return v; }
  };
  std::vector<Field> head = {{"content-length", "3"},
                             {"Host", "x"},
                             {"TRANSFER-ENCODING", "gzip"},
                             {"Transfer-Encoding", "chunked"},
                             {"Content-Lengths", "9"}};
  auto f = framing_fields(head, 11);
  EXPECT_EQ(f.version, 11u);
  EXPECT_EQ(f.content_lengths, (std::vector<std::string_view>{"3"}));
  EXPECT_EQ(f.transfer_encodings, (std::vector<std::string_view>{"gzip", "chunked"}));
}

}  // namespace
}  // namespace atelier::api
