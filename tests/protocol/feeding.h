#pragma once

namespace closewise::testing {

// How a test hands bytes to a parser or decoder: all in one read, or one byte per read (every
// boundary a real connection's reads could put anywhere, at once). The helpers that take it
// (response_feeding.h, ws_feeding.h) do both and require the same outcome.
enum class Feeding { Whole, ByteByByte };

}  // namespace closewise::testing
