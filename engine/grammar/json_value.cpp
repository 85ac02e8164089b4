#include "grammar/json_value.h"

#include <charconv>
#include <cmath>
#include <cstdint>

#include "tokenizer/unicode.h"

namespace pipit::grammar {
namespace {

class Parser {
 public:
  Parser(std::string_view text, JsonParseOptions options) : text_(text), options_(options) {}

  Status ParseDocument(JsonValue* out) {
    SkipWhitespace();
    PIPIT_TRY(ParseValue(out, 0));
    SkipWhitespace();
    if (pos_ != text_.size()) return ErrorAt(pos_, "unexpected '%s' after the JSON value", Show(pos_).c_str());
    return Status::Ok();
  }

 private:
  // "line L, column C: message" for the byte at `at`.
  [[gnu::format(printf, 3, 4)]] Status ErrorAt(size_t at, const char* fmt, ...) {
    size_t line = 1, column = 1;
    for (size_t i = 0; i < at && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    char message[256];
    va_list args;
    va_start(args, fmt);
    std::vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return Status::Error("JSON line %zu, column %zu: %s", line, column, message);
  }

  // The byte at `at` for messages: a printable character or "\xHH" / "end of input".
  std::string Show(size_t at) const {
    if (at >= text_.size()) return "end of input";
    unsigned char c = static_cast<unsigned char>(text_[at]);
    char buf[8];
    if (c >= 0x20 && c < 0x7f) {
      buf[0] = static_cast<char>(c);
      buf[1] = 0;
    } else {
      std::snprintf(buf, sizeof buf, "\\x%02X", c);
    }
    return buf;
  }

  void SkipWhitespace() {
    while (pos_ < text_.size()) {
      char c = text_[pos_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
      ++pos_;
    }
  }

  bool Consume(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  Status ParseValue(JsonValue* out, int depth) {
    if (pos_ >= text_.size()) return ErrorAt(pos_, "expected a value, found end of input");
    char c = text_[pos_];
    *out = JsonValue();
    switch (c) {
      case '{': return ParseObject(out, depth + 1);
      case '[': return ParseArray(out, depth + 1);
      case '"':
        out->type = JsonType::kString;
        return ParseString(&out->text);
      case 't':
      case 'f':
      case 'n':
        if (Consume("true")) {
          out->type = JsonType::kBool;
          out->boolean = true;
        } else if (Consume("false")) {
          out->type = JsonType::kBool;
        } else if (Consume("null")) {
          out->type = JsonType::kNull;
        } else {
          return ErrorAt(pos_, "invalid literal (expected true, false or null)");
        }
        return Status::Ok();
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return ParseNumber(out);
        return ErrorAt(pos_, "expected a value, found '%s'", Show(pos_).c_str());
    }
  }

  Status ParseObject(JsonValue* out, int depth) {
    if (depth > options_.max_depth) return ErrorAt(pos_, "nesting deeper than %d", options_.max_depth);
    out->type = JsonType::kObject;
    ++pos_;  // '{'
    SkipWhitespace();
    if (Consume("}")) return Status::Ok();
    while (true) {
      SkipWhitespace();
      size_t key_at = pos_;
      if (pos_ >= text_.size() || text_[pos_] != '"')
        return ErrorAt(pos_, "expected a string key, found '%s'", Show(pos_).c_str());
      std::string key;
      PIPIT_TRY(ParseString(&key));
      if (out->Find(key) != nullptr) return ErrorAt(key_at, "duplicate key \"%s\"", key.c_str());
      SkipWhitespace();
      if (!Consume(":")) return ErrorAt(pos_, "expected ':' after key, found '%s'", Show(pos_).c_str());
      SkipWhitespace();
      JsonValue value;
      PIPIT_TRY(ParseValue(&value, depth));
      out->members.push_back(JsonMember{std::move(key), std::move(value)});
      SkipWhitespace();
      if (Consume("}")) return Status::Ok();
      if (!Consume(",")) return ErrorAt(pos_, "expected ',' or '}' in object, found '%s'", Show(pos_).c_str());
    }
  }

  Status ParseArray(JsonValue* out, int depth) {
    if (depth > options_.max_depth) return ErrorAt(pos_, "nesting deeper than %d", options_.max_depth);
    out->type = JsonType::kArray;
    ++pos_;  // '['
    SkipWhitespace();
    if (Consume("]")) return Status::Ok();
    while (true) {
      SkipWhitespace();
      JsonValue item;
      PIPIT_TRY(ParseValue(&item, depth));
      out->items.push_back(std::move(item));
      SkipWhitespace();
      if (Consume("]")) return Status::Ok();
      if (!Consume(",")) return ErrorAt(pos_, "expected ',' or ']' in array, found '%s'", Show(pos_).c_str());
    }
  }

  Status ParseHex4(uint32_t* out) {
    if (pos_ + 4 > text_.size()) return ErrorAt(pos_, "truncated \\u escape");
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_ + i];
      int d = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
      if (d < 0) return ErrorAt(pos_ + i, "invalid hex digit '%s' in \\u escape", Show(pos_ + i).c_str());
      v = v * 16 + static_cast<uint32_t>(d);
    }
    pos_ += 4;
    *out = v;
    return Status::Ok();
  }

  // Length of the valid UTF-8 sequence at pos_ (0 if invalid).
  size_t Utf8Length() const {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text_[pos_ + i]); };
    auto cont = [&](size_t i) { return pos_ + i < text_.size() && (byte(i) & 0xC0) == 0x80; };
    unsigned char b0 = byte(0);
    if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
      if (!cont(1) || !cont(2)) return 0;
      if (b0 == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
      if (b0 == 0xED && byte(1) >= 0xA0) return 0;  // surrogate
      return 3;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (b0 == 0xF0 && byte(1) < 0x90) return 0;   // overlong
      if (b0 == 0xF4 && byte(1) >= 0x90) return 0;  // > U+10FFFF
      return 4;
    }
    return 0;
  }

  Status ParseString(std::string* out) {
    size_t start = pos_;
    ++pos_;  // opening quote
    while (true) {
      if (pos_ >= text_.size()) return ErrorAt(start, "unterminated string");
      unsigned char c = static_cast<unsigned char>(text_[pos_]);
      if (c == '"') {
        ++pos_;
        return Status::Ok();
      }
      if (c < 0x20) return ErrorAt(pos_, "control character \\x%02X in string (must be escaped)", c);
      if (c >= 0x80) {
        size_t n = Utf8Length();
        if (n == 0) return ErrorAt(pos_, "invalid UTF-8 byte \\x%02X in string", c);
        out->append(text_.substr(pos_, n));
        pos_ += n;
        continue;
      }
      if (c != '\\') {
        out->push_back(static_cast<char>(c));
        ++pos_;
        continue;
      }
      size_t escape_at = pos_;
      ++pos_;
      if (pos_ >= text_.size()) return ErrorAt(start, "unterminated string");
      char e = text_[pos_++];
      switch (e) {
        case '"': out->push_back('"'); break;
        case '\\': out->push_back('\\'); break;
        case '/': out->push_back('/'); break;
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          uint32_t cp = 0;
          PIPIT_TRY(ParseHex4(&cp));
          if (cp >= 0xDC00 && cp <= 0xDFFF) return ErrorAt(escape_at, "unpaired low surrogate \\u%04X", cp);
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low = 0;
            if (!Consume("\\u")) return ErrorAt(escape_at, "unpaired high surrogate \\u%04X", cp);
            PIPIT_TRY(ParseHex4(&low));
            if (low < 0xDC00 || low > 0xDFFF) return ErrorAt(escape_at, "unpaired high surrogate \\u%04X", cp);
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          tokenizer::AppendUtf8(cp, out);
          break;
        }
        default:
          return ErrorAt(escape_at, "invalid escape '\\%s' in string", Show(pos_ - 1).c_str());
      }
    }
  }

  Status ParseNumber(JsonValue* out) {
    size_t start = pos_;
    auto digit = [&]() { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; };
    if (text_[pos_] == '-') ++pos_;
    if (!digit()) return ErrorAt(pos_, "expected a digit in number, found '%s'", Show(pos_).c_str());
    if (text_[pos_] == '0') {
      ++pos_;
      if (digit()) return ErrorAt(pos_, "leading zero in number");
    } else {
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && text_[pos_] == '.') {
      ++pos_;
      if (!digit()) return ErrorAt(pos_, "expected a digit after '.', found '%s'", Show(pos_).c_str());
      while (digit()) ++pos_;
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (!digit()) return ErrorAt(pos_, "expected a digit in exponent, found '%s'", Show(pos_).c_str());
      while (digit()) ++pos_;
    }
    out->type = JsonType::kNumber;
    out->text = std::string(text_.substr(start, pos_ - start));
    // from_chars does not take a leading '+' but does take '-': the grammar above matches it.
    double v = 0;
    auto result = std::from_chars(text_.data() + start, text_.data() + pos_, v);
    if (result.ec == std::errc::result_out_of_range) {
      // Too large or too small for a double: keep the text, saturate the value.
      bool negative = text_[start] == '-';
      bool tiny = false;
      for (size_t i = start; i < pos_; ++i) {
        if (text_[i] == 'e' || text_[i] == 'E') tiny = text_[i + 1] == '-';
      }
      v = tiny ? 0.0 : HUGE_VAL;
      if (negative) v = -v;
    }
    out->number = v;
    return Status::Ok();
  }

  std::string_view text_;
  JsonParseOptions options_;
  size_t pos_ = 0;
};

void SerializeInto(const JsonValue& value, std::string* out) {
  switch (value.type) {
    case JsonType::kNull: out->append("null"); break;
    case JsonType::kBool: out->append(value.boolean ? "true" : "false"); break;
    case JsonType::kNumber: out->append(value.text); break;
    case JsonType::kString: AppendJsonString(value.text, out); break;
    case JsonType::kArray:
      out->push_back('[');
      for (size_t i = 0; i < value.items.size(); ++i) {
        if (i) out->push_back(',');
        SerializeInto(value.items[i], out);
      }
      out->push_back(']');
      break;
    case JsonType::kObject:
      out->push_back('{');
      for (size_t i = 0; i < value.members.size(); ++i) {
        if (i) out->push_back(',');
        AppendJsonString(value.members[i].key, out);
        out->push_back(':');
        SerializeInto(value.members[i].value, out);
      }
      out->push_back('}');
      break;
  }
}

}  // namespace

const char* JsonTypeName(JsonType type) {
  switch (type) {
    case JsonType::kNull: return "null";
    case JsonType::kBool: return "boolean";
    case JsonType::kNumber: return "number";
    case JsonType::kString: return "string";
    case JsonType::kArray: return "array";
    case JsonType::kObject: return "object";
  }
  return "?";
}

bool JsonValue::IsInteger() const {
  return type == JsonType::kNumber && std::isfinite(number) && std::floor(number) == number;
}

const JsonValue* JsonValue::Find(std::string_view key) const {
  for (const auto& [name, value] : members) {
    if (name == key) return &value;
  }
  return nullptr;
}

Status ParseJson(std::string_view text, JsonValue* out, JsonParseOptions options) {
  Parser parser(text, options);
  return parser.ParseDocument(out);
}

void AppendJsonString(std::string_view s, std::string* out) {
  static const char kHex[] = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      default:
        if (c < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

std::string SerializeJson(const JsonValue& value) {
  std::string out;
  SerializeInto(value, &out);
  return out;
}

bool JsonEqual(const JsonValue& a, const JsonValue& b) {
  if (a.type != b.type) return false;
  switch (a.type) {
    case JsonType::kNull: return true;
    case JsonType::kBool: return a.boolean == b.boolean;
    case JsonType::kNumber: return a.number == b.number;
    case JsonType::kString: return a.text == b.text;
    case JsonType::kArray:
      if (a.items.size() != b.items.size()) return false;
      for (size_t i = 0; i < a.items.size(); ++i) {
        if (!JsonEqual(a.items[i], b.items[i])) return false;
      }
      return true;
    case JsonType::kObject:
      if (a.members.size() != b.members.size()) return false;
      for (const auto& [key, value] : a.members) {
        const JsonValue* other = b.Find(key);
        if (other == nullptr || !JsonEqual(value, *other)) return false;
      }
      return true;
  }
  return false;
}

}  // namespace pipit::grammar
