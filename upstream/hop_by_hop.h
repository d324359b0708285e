// Which header fields a proxy must not forward (RFC 9110 section 7.6.1): they describe one
// connection, not the message.
#pragma once

#include <string_view>
#include <vector>

#include "protocol/request.h"

namespace closewise::upstream {

// True for the fields that are hop-by-hop whatever the message says: Connection, Keep-Alive,
// Proxy-Connection, TE, Transfer-Encoding, Upgrade, and any Proxy-* field (Proxy-Authorization,
// Proxy-Authenticate: credentials for this hop only). Case-insensitive. Trailer is end-to-end
// information about the trailer section and is kept; Transfer-Encoding is dropped because the
// proxy frames the body afresh on its own connection (RFC 9112 section 6.1).
bool isHopByHop(std::string_view name) noexcept;

// The fields of `headers` to forward: all but the hop-by-hop ones above and those the Connection
// fields name (RFC 9110 section 7.6.1: "a proxy or gateway MUST ... remove any header or trailer
// field ... listed in the Connection header field"), order kept.
std::vector<protocol::Header> endToEndHeaders(const std::vector<protocol::Header>& headers);

}  // namespace closewise::upstream
