// Status: errors as values. The engine builds with -fno-exceptions, so every
// fallible call returns a Status that carries one precise, human-readable
// message ("tensor 'blk.3.attn_q.weight': data ends at byte 1234 but the file
// has 1000 bytes").
#pragma once

#include <cstdarg>
#include <cstdio>
#include <string>
#include <utility>

namespace pipit {

class [[nodiscard]] Status {
 public:
  Status() = default;

  static Status Ok() { return Status(); }

  // printf-style constructor for an error.
  [[gnu::format(printf, 1, 2)]] static Status Error(const char* fmt, ...) {
    char buf[512];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, args);
    va_end(args);
    Status s;
    s.failed_ = true;
    s.message_ = buf;
    return s;
  }

  bool ok() const { return !failed_; }
  const std::string& message() const { return message_; }

  // Prefixes context to an error: "loading model.gguf: " + message.
  Status& Prefix(const std::string& context) {
    if (failed_) message_ = context + ": " + message_;
    return *this;
  }

 private:
  bool failed_ = false;
  std::string message_;
};

}  // namespace pipit

// Returns early from the enclosing function when `expr` yields an error.
#define PIPIT_TRY(expr)                          \
  do {                                           \
    ::pipit::Status pipit_try_status_ = (expr);  \
    if (!pipit_try_status_.ok()) return pipit_try_status_; \
  } while (0)
