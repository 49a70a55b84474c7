//===- spattn/spattn.hpp - Thin C++ wrapper over the C API -------*- C++ -*-===//
//
// Header-only: an exception for failed calls and helpers to describe
// contiguous float32 tensors. Each library's <name>.h adds, for C++, a
// namespace <name> whose functions throw spattn::Error instead of
// returning a status.
//
//===----------------------------------------------------------------------===//
#ifndef SPATTN_SPATTN_HPP
#define SPATTN_SPATTN_HPP

#include "spattn/runtime.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace spattn {

/// A failed call: the status code and the library's message.
class Error : public std::runtime_error {
public:
  Error(int status, const std::string &message)
      : std::runtime_error(std::string(spattn_status_string(status)) + ": " +
                           message),
        code(status) {}
  int status() const { return code; }

private:
  int code;
};

/// Throws Error(status, message) unless status is SPATTN_OK.
inline void check(int status, const char *message) {
  if (status != SPATTN_OK)
    throw Error(status, message ? message : "");
}

/// A contiguous float32 [B, H, L, D] tensor.
inline spattn_tensor tensor(float *data, int64_t batch, int64_t heads,
                            int64_t length, int64_t dim) {
  const int64_t shape[4] = {batch, heads, length, dim};
  return spattn_contiguous(data, SPATTN_F32, 4, shape);
}

/// A contiguous float32 [B, H, L] tensor (LSE).
inline spattn_tensor tensor(float *data, int64_t batch, int64_t heads,
                            int64_t length) {
  const int64_t shape[3] = {batch, heads, length};
  return spattn_contiguous(data, SPATTN_F32, 3, shape);
}

} // namespace spattn

#endif
