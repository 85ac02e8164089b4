#include "grammar/json_schema.h"

#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "grammar/gbnf_builder.h"
#include "grammar/schema_integer.h"
#include "grammar/schema_string.h"
#include "tokenizer/unicode.h"

namespace pipit::grammar {
namespace {

constexpr int kMaxVisitDepth = 256;     // nested schemas being converted at once
constexpr int64_t kMaxCount = 10000;    // minItems/maxItems/minLength/maxLength

// Keywords that only annotate (or hold definitions): they never constrain.
bool IsAnnotation(std::string_view key) {
  static const char* const kKeys[] = {"title",    "description", "$schema",  "$id",       "examples",
                                      "default",  "$comment",    "deprecated", "readOnly", "writeOnly",
                                      "$defs",    "definitions"};
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

bool IsSupported(std::string_view key) {
  static const char* const kKeys[] = {
      "type",      "properties", "required",  "additionalProperties", "items",     "prefixItems",
      "enum",      "const",      "anyOf",     "oneOf",                "allOf",     "$ref",
      "minItems",  "maxItems",   "minLength", "maxLength",            "pattern",   "minimum",
      "maximum",   "exclusiveMinimum",        "exclusiveMaximum",     "format",    "uniqueItems"};
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

// JSON pointer of a child: "#/properties" + "a/b" -> "#/properties/a~1b".
std::string Child(const std::string& path, std::string_view token) {
  std::string out = path + "/";
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string Child(const std::string& path, size_t index) { return path + "/" + std::to_string(index); }

// Type bits. "integer" and "number" overlap: integers are numbers.
enum : unsigned {
  kNull = 1,
  kBoolean = 2,
  kInteger = 4,
  kNumber = 8,
  kString = 16,
  kArray = 32,
  kObject = 64,
  kAllTypes = 127,
};

unsigned TypeBitsOfValue(const JsonValue& v) {
  switch (v.type) {
    case JsonType::kNull: return kNull;
    case JsonType::kBool: return kBoolean;
    case JsonType::kNumber: return v.IsInteger() ? (kInteger | kNumber) : kNumber;
    case JsonType::kString: return kString;
    case JsonType::kArray: return kArray;
    case JsonType::kObject: return kObject;
  }
  return 0;
}

struct Property {
  std::string name;
  const JsonValue* schema = nullptr;  // nullptr: any value
  std::string path;
  bool required = false;
};

// The object keywords of a schema (or of an allOf, merged).
struct ObjectSpec {
  std::vector<Property> properties;  // schema order
  std::vector<std::pair<std::string, std::string>> required;  // name, pointer of the entry
  enum Extra { kAnyExtra, kNoExtra, kSchemaExtra } extra = kAnyExtra;
  const JsonValue* extra_schema = nullptr;
  std::string extra_path;
};

class Converter {
 public:
  explicit Converter(const JsonValue& root) : root_(root) {}

  Status Run(std::string* gbnf) {
    std::string expr;
    PIPIT_TRY(Visit(root_, "#", "root", 0, &expr));
    *gbnf = rules_.Text(expr);
    return Status::Ok();
  }

 private:
  // ---- dispatch ------------------------------------------------------------

  Status Visit(const JsonValue& s, const std::string& path, std::string_view hint, int depth, std::string* expr) {
    if (depth > kMaxVisitDepth) return Status::Error("JSON Schema at %s: nested too deeply", path.c_str());
    if (s.is_bool()) {
      if (!s.boolean) return Status::Error("JSON Schema at %s: the schema 'false' accepts nothing", path.c_str());
      *expr = rules_.AnyValue();
      return Status::Ok();
    }
    if (!s.is_object()) return Status::Error("JSON Schema at %s: a schema must be an object or a boolean", path.c_str());
    PIPIT_TRY(CheckKeywords(s, path));
    if (const JsonValue* ref = s.Find("$ref")) {
      PIPIT_TRY(OnlyWith(s, path, "$ref", {}));
      return VisitRef(*ref, Child(path, "$ref"), depth, expr);
    }
    if (s.Find("anyOf") != nullptr || s.Find("oneOf") != nullptr) return VisitAnyOf(s, path, hint, depth, expr);
    if (s.Find("allOf") != nullptr) return VisitAllOf(s, path, hint, depth, expr);
    if (s.Find("enum") != nullptr || s.Find("const") != nullptr) return VisitLiterals(s, path, expr);

    unsigned types = 0;
    PIPIT_TRY(ReadTypes(s, path, &types));
    std::vector<std::string> alternatives;
    if (types & kObject) {
      ObjectSpec spec;
      PIPIT_TRY(AddObjectKeywords(s, path, /*allof_branch=*/false, &spec));
      alternatives.emplace_back();
      PIPIT_TRY(EmitObject(spec, path, hint, depth, &alternatives.back()));
    }
    if (types & kArray) {
      alternatives.emplace_back();
      PIPIT_TRY(VisitArray(s, path, hint, depth, &alternatives.back()));
    }
    if (types & kString) {
      alternatives.emplace_back();
      PIPIT_TRY(VisitString(s, path, &alternatives.back()));
    }
    if (types & kNumber) {
      for (const char* bound : {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}) {
        if (s.Find(bound) != nullptr)
          return Status::Error("JSON Schema keyword '%s' at %s: bounds are only supported on type \"integer\"", bound,
                               Child(path, bound).c_str());
      }
      alternatives.push_back(rules_.AnyNumber());
    } else if (types & kInteger) {
      alternatives.emplace_back();
      PIPIT_TRY(VisitInteger(s, path, &alternatives.back()));
    }
    if (types & kBoolean) alternatives.push_back("( \"true\" | \"false\" )");
    if (types & kNull) alternatives.push_back("\"null\"");
    *expr = Alternatives(alternatives);
    return Status::Ok();
  }

  static std::string Alternatives(const std::vector<std::string>& alternatives) {
    if (alternatives.size() == 1) return alternatives[0];
    std::string out = "(";
    for (size_t i = 0; i < alternatives.size(); ++i) out += (i ? " | " : " ") + alternatives[i];
    return out + " )";
  }

  Status CheckKeywords(const JsonValue& s, const std::string& path) {
    for (const auto& [key, value] : s.members) {
      if (IsAnnotation(key)) continue;
      if (!IsSupported(key))
        return Status::Error("unsupported JSON Schema keyword '%s' at %s", key.c_str(), Child(path, key).c_str());
      if (key == "uniqueItems" && !(value.is_bool() && !value.boolean))
        return Status::Error("JSON Schema keyword 'uniqueItems' at %s: only false is supported (a grammar cannot "
                             "enforce unique items)",
                             Child(path, key).c_str());
    }
    return Status::Ok();
  }

  // Fails if `s` has a constraining keyword other than `keyword` and `allowed`.
  Status OnlyWith(const JsonValue& s, const std::string& path, const char* keyword,
                  std::initializer_list<const char*> allowed) {
    for (const auto& [key, value] : s.members) {
      if (key == keyword || IsAnnotation(key) || (key == "uniqueItems" && value.is_bool() && !value.boolean)) continue;
      bool ok = false;
      for (const char* a : allowed) ok = ok || key == a;
      if (!ok)
        return Status::Error("JSON Schema at %s: '%s' combined with '%s' is not supported", path.c_str(), keyword,
                             key.c_str());
    }
    return Status::Ok();
  }

  Status ReadTypes(const JsonValue& s, const std::string& path, unsigned* types) {
    const JsonValue* type = s.Find("type");
    if (type == nullptr) {
      *types = kAllTypes;
      return Status::Ok();
    }
    std::vector<const JsonValue*> names;
    if (type->is_string()) {
      names.push_back(type);
    } else if (type->is_array() && !type->items.empty()) {
      for (const JsonValue& item : type->items) names.push_back(&item);
    } else {
      return Status::Error("JSON Schema keyword 'type' at %s: must be a string or a non-empty array of strings",
                           Child(path, "type").c_str());
    }
    *types = 0;
    for (const JsonValue* name : names) {
      static const std::pair<const char*, unsigned> kNames[] = {
          {"null", kNull},     {"boolean", kBoolean}, {"integer", kInteger}, {"number", kNumber | kInteger},
          {"string", kString}, {"array", kArray},     {"object", kObject}};
      unsigned bit = 0;
      for (const auto& [n, b] : kNames) {
        if (name->is_string() && name->text == n) bit = b;
      }
      if (bit == 0)
        return Status::Error("JSON Schema keyword 'type' at %s: unknown type %s", Child(path, "type").c_str(),
                             SerializeJson(*name).c_str());
      *types |= bit;
    }
    return Status::Ok();
  }

  // ---- $ref ------------------------------------------------------------------

  Status Resolve(const JsonValue& ref, const std::string& path, const JsonValue** target, std::string* pointer) {
    if (!ref.is_string() || ref.text.empty() || ref.text[0] != '#')
      return Status::Error("JSON Schema keyword '$ref' at %s: only local references (\"#/$defs/name\") are supported",
                           path.c_str());
    const JsonValue* node = &root_;
    std::string_view rest = std::string_view(ref.text).substr(1);
    if (!rest.empty() && rest[0] != '/')
      return Status::Error("JSON Schema keyword '$ref' at %s: anchors (\"%s\") are not supported", path.c_str(),
                           ref.text.c_str());
    while (!rest.empty()) {
      rest.remove_prefix(1);  // '/'
      size_t end = rest.find('/');
      std::string_view raw = rest.substr(0, end);
      rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
      // Unescape %XX (URI fragment) then ~1 and ~0 (JSON pointer).
      std::string token;
      for (size_t i = 0; i < raw.size(); ++i) {
        auto hex = [](char c) { return (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1; };
        if (raw[i] == '%' && i + 2 < raw.size() + 0 && hex(raw[i + 1]) >= 0 && hex(raw[i + 2]) >= 0) {
          token.push_back(static_cast<char>(hex(raw[i + 1]) * 16 + hex(raw[i + 2])));
          i += 2;
        } else if (raw[i] == '~' && i + 1 < raw.size() && (raw[i + 1] == '0' || raw[i + 1] == '1')) {
          token.push_back(raw[i + 1] == '0' ? '~' : '/');
          ++i;
        } else {
          token.push_back(raw[i]);
        }
      }
      const JsonValue* next = nullptr;
      if (node->is_object()) {
        next = node->Find(token);
      } else if (node->is_array()) {
        char* end_ptr = nullptr;
        unsigned long index = std::strtoul(token.c_str(), &end_ptr, 10);
        if (!token.empty() && *end_ptr == 0 && index < node->items.size()) next = &node->items[index];
      }
      if (next == nullptr)
        return Status::Error("JSON Schema keyword '$ref' at %s: \"%s\" does not resolve", path.c_str(),
                             ref.text.c_str());
      node = next;
    }
    *target = node;
    *pointer = ref.text;
    return Status::Ok();
  }

  Status VisitRef(const JsonValue& ref, const std::string& path, int depth, std::string* expr) {
    const JsonValue* target = nullptr;
    std::string pointer;
    PIPIT_TRY(Resolve(ref, path, &target, &pointer));
    if (unguarded_refs_.count(pointer) != 0)
      return Status::Error("JSON Schema keyword '$ref' at %s: \"%s\" refers to itself before any input is consumed "
                           "(left recursion)",
                           path.c_str(), pointer.c_str());
    auto it = ref_rules_.find(pointer);
    if (it != ref_rules_.end()) {
      *expr = it->second;
      return Status::Ok();
    }
    std::string_view hint = pointer;
    if (size_t slash = hint.rfind('/'); slash != std::string_view::npos) hint = hint.substr(slash + 1);
    std::string name = rules_.Reserve(hint.empty() || hint == "#" ? "ref-root" : hint);
    ref_rules_[pointer] = name;
    unguarded_refs_.insert(pointer);
    std::string body;
    Status status = Visit(*target, pointer, hint, depth + 1, &body);
    unguarded_refs_.erase(pointer);
    PIPIT_TRY(status);
    rules_.Define(name, body);
    *expr = name;
    return Status::Ok();
  }

  // Follows $ref chains (for analysis, not emission).
  const JsonValue* Deref(const JsonValue* s, const std::string& path) {
    for (int hops = 0; hops < 32 && s->is_object(); ++hops) {
      const JsonValue* ref = s->Find("$ref");
      if (ref == nullptr) return s;
      const JsonValue* target = nullptr;
      std::string pointer;
      if (!Resolve(*ref, path, &target, &pointer).ok()) return nullptr;
      s = target;
    }
    return s->is_object() || s->is_bool() ? s : nullptr;
  }

  // ---- anyOf / oneOf / allOf ----------------------------------------------------

  Status VisitAnyOf(const JsonValue& s, const std::string& path, std::string_view hint, int depth, std::string* expr) {
    if (s.Find("anyOf") != nullptr && s.Find("oneOf") != nullptr)
      return Status::Error("JSON Schema at %s: 'anyOf' together with 'oneOf' is not supported", path.c_str());
    const char* keyword = s.Find("anyOf") != nullptr ? "anyOf" : "oneOf";
    PIPIT_TRY(OnlyWith(s, path, keyword, {}));
    const JsonValue& branches = *s.Find(keyword);
    std::string branches_path = Child(path, keyword);
    if (!branches.is_array() || branches.items.empty())
      return Status::Error("JSON Schema keyword '%s' at %s: must be a non-empty array of schemas", keyword,
                           branches_path.c_str());
    if (std::string_view(keyword) == "oneOf") PIPIT_TRY(CheckDisjoint(branches, branches_path));
    std::vector<std::string> alternatives;
    for (size_t i = 0; i < branches.items.size(); ++i) {
      const JsonValue& branch = branches.items[i];
      if (branch.is_bool() && !branch.boolean) continue;  // matches nothing
      alternatives.emplace_back();
      PIPIT_TRY(Visit(branch, Child(branches_path, i), hint, depth + 1, &alternatives.back()));
    }
    if (alternatives.empty())
      return Status::Error("JSON Schema keyword '%s' at %s: every branch is false", keyword, branches_path.c_str());
    *expr = Alternatives(alternatives);
    return Status::Ok();
  }

  // Types a schema can match (integer folded into number), for oneOf.
  unsigned PossibleTypes(const JsonValue* s, const std::string& path, int depth) {
    if (depth > 16) return kAllTypes;
    s = Deref(s, path);
    if (s == nullptr) return kAllTypes;
    if (s->is_bool()) return s->boolean ? static_cast<unsigned>(kAllTypes) : 0u;
    unsigned types = kAllTypes;
    if (s->Find("type") != nullptr) {
      unsigned bits = 0;
      if (ReadTypes(*s, path, &bits).ok()) types = bits;
    }
    const JsonValue* values = s->Find("enum");
    if (const JsonValue* c = s->Find("const")) types &= TypeBitsOfValue(*c);
    if (values != nullptr && values->is_array()) {
      unsigned bits = 0;
      for (const JsonValue& v : values->items) bits |= TypeBitsOfValue(v);
      types &= bits;
    }
    for (const char* key : {"anyOf", "oneOf"}) {
      if (const JsonValue* branches = s->Find(key); branches != nullptr && branches->is_array()) {
        unsigned bits = 0;
        for (const JsonValue& b : branches->items) bits |= PossibleTypes(&b, path, depth + 1);
        types &= bits;
      }
    }
    if (const JsonValue* branches = s->Find("allOf"); branches != nullptr && branches->is_array()) {
      for (const JsonValue& b : branches->items) types &= PossibleTypes(&b, path, depth + 1);
    }
    if (types & (kInteger | kNumber)) types |= kInteger | kNumber;
    return types;
  }

  // The finite set of values a schema allows, when it is only const/enum.
  static bool LiteralValues(const JsonValue* s, std::vector<const JsonValue*>* out) {
    if (s == nullptr || !s->is_object()) return false;
    out->clear();
    for (const auto& [key, value] : s->members) {
      if (key == "const") {
        out->push_back(&value);
      } else if (key == "enum" && value.is_array()) {
        for (const JsonValue& v : value.items) out->push_back(&v);
      } else if (!IsAnnotation(key) && key != "type") {
        return false;
      }
    }
    return !out->empty();
  }

  static bool Disjoint(const std::vector<const JsonValue*>& a, const std::vector<const JsonValue*>& b) {
    for (const JsonValue* x : a) {
      for (const JsonValue* y : b) {
        if (JsonEqual(*x, *y)) return false;
      }
    }
    return true;
  }

  // Two object schemas that require the same property with disjoint const/enum values.
  bool Discriminated(const JsonValue* a, const JsonValue* b) {
    if (a == nullptr || b == nullptr || !a->is_object() || !b->is_object()) return false;
    const JsonValue* req_a = a->Find("required");
    const JsonValue* props_a = a->Find("properties");
    const JsonValue* props_b = b->Find("properties");
    const JsonValue* req_b = b->Find("required");
    if (!req_a || !req_b || !props_a || !props_b || !req_a->is_array() || !req_b->is_array()) return false;
    for (const JsonValue& name : req_a->items) {
      bool in_b = false;
      for (const JsonValue& other : req_b->items) in_b = in_b || (name.is_string() && JsonEqual(name, other));
      if (!in_b || !props_a->is_object() || !props_b->is_object()) continue;
      std::vector<const JsonValue*> va, vb;
      if (LiteralValues(props_a->Find(name.text), &va) && LiteralValues(props_b->Find(name.text), &vb) &&
          Disjoint(va, vb)) {
        return true;
      }
    }
    return false;
  }

  // oneOf means "exactly one": the grammar (an alternation) is only right when
  // no value can match two branches. We accept what we can prove disjoint.
  Status CheckDisjoint(const JsonValue& branches, const std::string& path) {
    for (size_t i = 0; i < branches.items.size(); ++i) {
      for (size_t j = i + 1; j < branches.items.size(); ++j) {
        const JsonValue* a = Deref(&branches.items[i], path);
        const JsonValue* b = Deref(&branches.items[j], path);
        if ((PossibleTypes(a, path, 0) & PossibleTypes(b, path, 0)) == 0) continue;
        std::vector<const JsonValue*> va, vb;
        if (LiteralValues(a, &va) && LiteralValues(b, &vb) && Disjoint(va, vb)) continue;
        if (Discriminated(a, b)) continue;
        return Status::Error("JSON Schema keyword 'oneOf' at %s: branches %zu and %zu may both match; use 'anyOf', or "
                             "make them disjoint (different types, const/enum values, or a required property with "
                             "different const values)",
                             path.c_str(), i, j);
      }
    }
    return Status::Ok();
  }

  // allOf of object schemas: properties and required are merged.
  Status VisitAllOf(const JsonValue& s, const std::string& path, std::string_view hint, int depth, std::string* expr) {
    PIPIT_TRY(OnlyWith(s, path, "allOf", {"type", "properties", "required", "additionalProperties"}));
    if (const JsonValue* type = s.Find("type"); type != nullptr && !(type->is_string() && type->text == "object"))
      return Status::Error("JSON Schema at %s: 'allOf' is only supported for objects (\"type\": \"object\")",
                           path.c_str());
    ObjectSpec spec;
    PIPIT_TRY(AddObjectKeywords(s, path, /*allof_branch=*/false, &spec));
    size_t own_properties = spec.properties.size();
    PIPIT_TRY(MergeAllOf(*s.Find("allOf"), Child(path, "allOf"), 0, &spec));
    if (spec.extra != ObjectSpec::kAnyExtra && spec.properties.size() > own_properties)
      return Status::Error("JSON Schema at %s: 'additionalProperties' next to 'allOf' would forbid the properties the "
                           "allOf branches declare; put additionalProperties in a branch-free schema instead",
                           path.c_str());
    return EmitObject(spec, path, hint, depth, expr);
  }

  Status MergeAllOf(const JsonValue& branches, const std::string& path, int depth, ObjectSpec* spec) {
    if (!branches.is_array() || branches.items.empty())
      return Status::Error("JSON Schema keyword 'allOf' at %s: must be a non-empty array of schemas", path.c_str());
    if (depth > 16) return Status::Error("JSON Schema keyword 'allOf' at %s: nested too deeply", path.c_str());
    for (size_t i = 0; i < branches.items.size(); ++i) {
      std::string branch_path = Child(path, i);
      const JsonValue* branch = &branches.items[i];
      for (int hops = 0; branch->is_object() && branch->Find("$ref") != nullptr; ++hops) {
        PIPIT_TRY(CheckKeywords(*branch, branch_path));
        PIPIT_TRY(OnlyWith(*branch, branch_path, "$ref", {}));
        std::string pointer;
        if (hops > 16) return Status::Error("JSON Schema at %s: $ref chain too long", branch_path.c_str());
        PIPIT_TRY(Resolve(*branch->Find("$ref"), Child(branch_path, "$ref"), &branch, &pointer));
        branch_path = pointer;
      }
      if (branch->is_bool()) {
        if (branch->boolean) continue;
        return Status::Error("JSON Schema at %s: an allOf branch 'false' accepts nothing", branch_path.c_str());
      }
      if (!branch->is_object()) return Status::Error("JSON Schema at %s: a schema must be an object", branch_path.c_str());
      PIPIT_TRY(CheckKeywords(*branch, branch_path));
      for (const auto& [key, value] : branch->members) {
        if (IsAnnotation(key) || key == "properties" || key == "required" || key == "additionalProperties" ||
            key == "allOf")
          continue;
        if (key == "type" && value.is_string() && value.text == "object") continue;
        return Status::Error("JSON Schema keyword '%s' at %s: allOf branches may only hold object keywords "
                             "(properties, required, type \"object\")",
                             key.c_str(), Child(branch_path, key).c_str());
      }
      PIPIT_TRY(AddObjectKeywords(*branch, branch_path, /*allof_branch=*/true, spec));
      if (const JsonValue* nested = branch->Find("allOf"))
        PIPIT_TRY(MergeAllOf(*nested, Child(branch_path, "allOf"), depth + 1, spec));
    }
    return Status::Ok();
  }

  // ---- const / enum ------------------------------------------------------------

  Status VisitLiterals(const JsonValue& s, const std::string& path, std::string* expr) {
    const char* keyword = s.Find("const") != nullptr ? "const" : "enum";
    PIPIT_TRY(OnlyWith(s, path, keyword, {"type", "enum"}));
    std::vector<const JsonValue*> values;
    if (const JsonValue* c = s.Find("const")) values.push_back(c);
    if (const JsonValue* e = s.Find("enum")) {
      if (!e->is_array() || e->items.empty())
        return Status::Error("JSON Schema keyword 'enum' at %s: must be a non-empty array", Child(path, "enum").c_str());
      if (values.empty()) {
        for (const JsonValue& v : e->items) values.push_back(&v);
      } else {
        bool listed = false;  // const and enum: the const must be in the enum
        for (const JsonValue& v : e->items) listed = listed || JsonEqual(v, *values[0]);
        if (!listed) values.clear();
      }
    }
    unsigned types = 0;
    PIPIT_TRY(ReadTypes(s, path, &types));
    std::vector<std::string> alternatives;
    for (const JsonValue* v : values) {
      if ((TypeBitsOfValue(*v) & types) == 0) continue;
      std::string literal = GbnfLiteral(SerializeJson(*v));
      bool seen = false;
      for (const std::string& a : alternatives) seen = seen || a == literal;
      if (!seen) alternatives.push_back(literal);
    }
    if (alternatives.empty())
      return Status::Error("JSON Schema keyword '%s' at %s: no value is allowed (check 'type', 'const' and 'enum')",
                           keyword, Child(path, keyword).c_str());
    *expr = Alternatives(alternatives);
    return Status::Ok();
  }

  // ---- scalars ---------------------------------------------------------------------

  // A count keyword (minItems...): absent, or an integer in [0, kMaxCount].
  Status ReadCount(const JsonValue& s, const std::string& path, const char* key, std::optional<int64_t>* out) {
    const JsonValue* v = s.Find(key);
    out->reset();
    if (v == nullptr) return Status::Ok();
    if (!v->IsInteger() || v->number < 0)
      return Status::Error("JSON Schema keyword '%s' at %s: must be a non-negative integer", key,
                           Child(path, key).c_str());
    if (v->number > static_cast<double>(kMaxCount))
      return Status::Error("JSON Schema keyword '%s' at %s: values above %lld are not supported", key,
                           Child(path, key).c_str(), static_cast<long long>(kMaxCount));
    *out = static_cast<int64_t>(v->number);
    return Status::Ok();
  }

  static std::string Repeat(const std::string& item, int64_t lo, std::optional<int64_t> hi) {
    if (hi && *hi == 0) return "";
    std::string group = item.find(' ') == std::string::npos ? item : "( " + item + " )";
    if (lo == 0 && !hi) return group + "*";
    if (lo == 1 && !hi) return group + "+";
    if (lo == 0 && hi && *hi == 1) return group + "?";
    if (hi && *hi == lo) return group + "{" + std::to_string(lo) + "}";
    return group + "{" + std::to_string(lo) + "," + (hi ? std::to_string(*hi) : "") + "}";
  }

  Status VisitString(const JsonValue& s, const std::string& path, std::string* expr) {
    std::optional<int64_t> min_length, max_length;
    PIPIT_TRY(ReadCount(s, path, "minLength", &min_length));
    PIPIT_TRY(ReadCount(s, path, "maxLength", &max_length));
    const JsonValue* format = s.Find("format");
    const JsonValue* pattern = s.Find("pattern");
    bool lengths = min_length || max_length;
    const std::string quote = "\"\\\"\"";
    if (format != nullptr) {
      if (pattern != nullptr || lengths)
        return Status::Error("JSON Schema keyword 'format' at %s: combining it with pattern/minLength/maxLength is not "
                             "supported",
                             Child(path, "format").c_str());
      if (!format->is_string())
        return Status::Error("JSON Schema keyword 'format' at %s: must be a string", Child(path, "format").c_str());
      std::string content;
      Status status = FormatGbnf(format->text, &rules_, &content);
      if (!status.ok()) return status.Prefix("JSON Schema keyword 'format' at " + Child(path, "format"));
      *expr = quote + " " + content + " " + quote;
      return Status::Ok();
    }
    if (pattern != nullptr) {
      if (lengths)
        return Status::Error("JSON Schema keyword 'pattern' at %s: combining it with minLength/maxLength is not "
                             "supported (put the length into the pattern)",
                             Child(path, "pattern").c_str());
      if (!pattern->is_string())
        return Status::Error("JSON Schema keyword 'pattern' at %s: must be a string", Child(path, "pattern").c_str());
      std::string content;
      Status status = PatternGbnf(pattern->text, &rules_, &content);
      if (!status.ok()) return status.Prefix("JSON Schema keyword 'pattern' at " + Child(path, "pattern"));
      *expr = rules_.Add("pattern", quote + " " + content + " " + quote);
      return Status::Ok();
    }
    if (!lengths) {
      *expr = rules_.AnyString();
      return Status::Ok();
    }
    int64_t lo = min_length.value_or(0);
    if (max_length && *max_length < lo)
      return Status::Error("JSON Schema at %s: maxLength %lld is below minLength %lld", path.c_str(),
                           static_cast<long long>(*max_length), static_cast<long long>(lo));
    std::string chars = Repeat(rules_.Char(), lo, max_length);
    *expr = rules_.Add("string", quote + (chars.empty() ? "" : " " + chars) + " " + quote);
    return Status::Ok();
  }

  Status ReadBound(const JsonValue& s, const std::string& path, const char* key, std::optional<double>* out) {
    const JsonValue* v = s.Find(key);
    out->reset();
    if (v == nullptr) return Status::Ok();
    if (!v->is_number() || !std::isfinite(v->number))
      return Status::Error("JSON Schema keyword '%s' at %s: must be a number", key, Child(path, key).c_str());
    if (std::fabs(v->number) > static_cast<double>(kMaxIntegerBound))
      return Status::Error("JSON Schema keyword '%s' at %s: bounds beyond +-2^53 are not supported", key,
                           Child(path, key).c_str());
    *out = v->number;
    return Status::Ok();
  }

  Status VisitInteger(const JsonValue& s, const std::string& path, std::string* expr) {
    std::optional<double> minimum, maximum, exclusive_minimum, exclusive_maximum;
    PIPIT_TRY(ReadBound(s, path, "minimum", &minimum));
    PIPIT_TRY(ReadBound(s, path, "maximum", &maximum));
    PIPIT_TRY(ReadBound(s, path, "exclusiveMinimum", &exclusive_minimum));
    PIPIT_TRY(ReadBound(s, path, "exclusiveMaximum", &exclusive_maximum));
    std::optional<int64_t> lo, hi;
    auto raise = [&](int64_t v) { lo = lo ? std::max(*lo, v) : v; };
    auto lower = [&](int64_t v) { hi = hi ? std::min(*hi, v) : v; };
    if (minimum) raise(static_cast<int64_t>(std::ceil(*minimum)));
    if (exclusive_minimum) raise(static_cast<int64_t>(std::floor(*exclusive_minimum)) + 1);
    if (maximum) lower(static_cast<int64_t>(std::floor(*maximum)));
    if (exclusive_maximum) lower(static_cast<int64_t>(std::ceil(*exclusive_maximum)) - 1);
    std::string range;
    Status status = IntegerRangeGbnf(lo, hi, &range);
    if (!status.ok()) return status.Prefix("JSON Schema at " + path);
    *expr = rules_.Add(lo || hi ? "integer-range" : "integer", range);
    return Status::Ok();
  }

  // ---- arrays ------------------------------------------------------------------------

  Status VisitArray(const JsonValue& s, const std::string& path, std::string_view hint, int depth, std::string* expr) {
    std::optional<int64_t> min_items, max_items;
    PIPIT_TRY(ReadCount(s, path, "minItems", &min_items));
    PIPIT_TRY(ReadCount(s, path, "maxItems", &max_items));
    const JsonValue* prefix = s.Find("prefixItems");
    const JsonValue* items = s.Find("items");
    if (prefix != nullptr && !prefix->is_array())
      return Status::Error("JSON Schema keyword 'prefixItems' at %s: must be an array of schemas",
                           Child(path, "prefixItems").c_str());
    if (items != nullptr && items->is_array())
      return Status::Error("JSON Schema keyword 'items' at %s: the array form (draft 2019 tuples) is not supported; "
                           "use 'prefixItems'",
                           Child(path, "items").c_str());
    int64_t lo = min_items.value_or(0);
    std::optional<int64_t> hi = max_items;
    size_t n_prefix = prefix ? prefix->items.size() : 0;
    auto cap = [&](int64_t v) { hi = hi ? std::min(*hi, v) : v; };
    for (size_t i = 0; i < n_prefix; ++i) {
      if (prefix->items[i].is_bool() && !prefix->items[i].boolean) cap(static_cast<int64_t>(i));
    }
    bool no_tail = items != nullptr && items->is_bool() && !items->boolean;
    if (no_tail) cap(static_cast<int64_t>(n_prefix));
    if (hi && *hi < lo)
      return Status::Error("JSON Schema at %s: no array length satisfies minItems %lld (maxItems/prefixItems/items "
                           "allow at most %lld)",
                           path.c_str(), static_cast<long long>(lo), static_cast<long long>(*hi));

    std::string ws = rules_.Ws();
    std::string comma = "\",\" " + ws + " ";
    UnguardedScope scope(this);
    // Elements at positions >= this never appear.
    size_t n_positional = hi ? std::min<size_t>(n_prefix, static_cast<size_t>(*hi)) : n_prefix;
    std::vector<std::string> element(n_positional);
    for (size_t i = 0; i < n_positional; ++i) {
      PIPIT_TRY(Visit(prefix->items[i], Child(Child(path, "prefixItems"), i), std::string(hint) + "-" + std::to_string(i),
                      depth + 1, &element[i]));
      element[i] += " " + ws;
    }
    // The tail: items after the prefix.
    std::string tail;
    std::optional<int64_t> tail_hi;
    if (hi) tail_hi = std::max<int64_t>(0, *hi - static_cast<int64_t>(n_prefix));
    int64_t tail_lo = std::max<int64_t>(0, lo - static_cast<int64_t>(n_prefix));
    if (!(tail_hi && *tail_hi == 0)) {
      std::string item;
      if (items == nullptr) {
        item = rules_.AnyValue();
      } else {
        PIPIT_TRY(Visit(*items, Child(path, "items"), std::string(hint) + "-item", depth + 1, &item));
      }
      item += " " + ws;
      if (n_prefix == 0) {
        std::optional<int64_t> more_hi;
        if (tail_hi) more_hi = *tail_hi - 1;
        std::string more = Repeat(comma + item, std::max<int64_t>(0, tail_lo - 1), more_hi);
        std::string first = item + (more.empty() ? "" : " " + more);
        tail = tail_lo == 0 ? "( " + first + " )?" : first;
      } else {
        tail = Repeat(comma + item, tail_lo, tail_hi);
      }
    }
    // Positional elements, from the last: element i is optional when i >= minItems.
    std::string rest = tail;
    for (size_t i = n_positional; i-- > 0;) {
      std::string body = (i == 0 ? "" : comma) + element[i] + (rest.empty() ? "" : " " + rest);
      if (static_cast<int64_t>(i) >= lo) body = "( " + body + " )?";
      rest = rules_.Add(std::string(hint) + "-from-" + std::to_string(i), body);
    }
    *expr = rules_.Add(hint, "\"[\" " + ws + (rest.empty() ? "" : " " + rest) + " \"]\"");
    return Status::Ok();
  }

  // ---- objects -------------------------------------------------------------------------

  Status AddObjectKeywords(const JsonValue& s, const std::string& path, bool allof_branch, ObjectSpec* spec) {
    if (const JsonValue* props = s.Find("properties")) {
      if (!props->is_object())
        return Status::Error("JSON Schema keyword 'properties' at %s: must be an object",
                             Child(path, "properties").c_str());
      for (const auto& [name, schema] : props->members) {
        std::string prop_path = Child(Child(path, "properties"), name);
        bool duplicate = false;
        for (const Property& p : spec->properties) {
          if (p.name != name) continue;
          if (p.schema == nullptr || !JsonEqual(*p.schema, schema))
            return Status::Error("JSON Schema at %s: property '%s' is declared again with a different schema in allOf "
                                 "(not supported)",
                                 prop_path.c_str(), name.c_str());
          duplicate = true;
        }
        if (!duplicate) spec->properties.push_back({name, &schema, prop_path, false});
      }
    }
    if (const JsonValue* required = s.Find("required")) {
      std::string req_path = Child(path, "required");
      if (!required->is_array())
        return Status::Error("JSON Schema keyword 'required' at %s: must be an array of strings", req_path.c_str());
      for (size_t i = 0; i < required->items.size(); ++i) {
        if (!required->items[i].is_string())
          return Status::Error("JSON Schema keyword 'required' at %s: must be an array of strings", req_path.c_str());
        spec->required.emplace_back(required->items[i].text, Child(req_path, i));
      }
    }
    if (const JsonValue* extra = s.Find("additionalProperties")) {
      std::string extra_path = Child(path, "additionalProperties");
      if (extra->is_bool() && extra->boolean) return Status::Ok();
      if (allof_branch)
        return Status::Error("JSON Schema keyword 'additionalProperties' at %s: inside allOf branches only 'true' is "
                             "supported",
                             extra_path.c_str());
      if (extra->is_bool()) {
        spec->extra = ObjectSpec::kNoExtra;
      } else if (extra->is_object()) {
        spec->extra = ObjectSpec::kSchemaExtra;
        spec->extra_schema = extra;
        spec->extra_path = extra_path;
      } else {
        return Status::Error("JSON Schema keyword 'additionalProperties' at %s: must be a schema", extra_path.c_str());
      }
    }
    return Status::Ok();
  }

  // "key" for additional properties: any string of raw characters (no
  // escapes, so the spelling is unique) except the declared names. The
  // declared names form a trie; each node is a rule.
  Status ExtraKey(const std::vector<Property>& declared, const std::string& path, std::string* expr) {
    std::string raw_char = rules_.Add("key-char", "[^\"\\\\\\x00-\\x1F]");
    const std::string quote = "\"\\\"\"";
    struct Node {
      bool terminal = false;
      std::map<uint32_t, size_t> children;
    };
    std::vector<Node> trie(1);
    for (const Property& p : declared) {
      size_t node = 0;
      for (uint32_t cp : tokenizer::DecodeUtf8(p.name)) {
        auto it = trie[node].children.find(cp);
        if (it == trie[node].children.end()) {
          trie.emplace_back();
          it = trie[node].children.emplace(cp, trie.size() - 1).first;
        }
        node = it->second;
      }
      trie[node].terminal = true;
    }
    // Rules from the leaves up (children always have larger indices).
    std::vector<std::string> names(trie.size());
    for (size_t n = trie.size(); n-- > 0;) {
      const Node& node = trie[n];
      std::string body = node.terminal ? "" : "| ";  // leading empty alternative: the key may end here
      std::string others = "[^\"\\\\\\x00-\\x1F";
      std::string alternatives;
      for (const auto& [cp, child] : node.children) {
        if (!AppendClassChar(cp, &others))
          return Status::Error("JSON Schema at %s: property names with characters beyond U+FFFF need "
                               "\"additionalProperties\": false",
                               path.c_str());
        std::string utf8;
        tokenizer::AppendUtf8(cp, &utf8);
        alternatives += GbnfLiteral(utf8) + " " + names[child] + " | ";
      }
      body += alternatives + others + "] " + raw_char + "*";
      names[n] = rules_.Add("key-not-declared", body);
    }
    *expr = quote + " " + names[0] + " " + quote;
    return Status::Ok();
  }

  Status EmitObject(ObjectSpec spec, const std::string& path, std::string_view hint, int depth, std::string* expr) {
    // Required names: mark declared properties; undeclared ones must be present
    // with a value valid for additionalProperties.
    for (const auto& [name, req_path] : spec.required) {
      Property* found = nullptr;
      for (Property& p : spec.properties) {
        if (p.name == name) found = &p;
      }
      if (found == nullptr) {
        if (spec.extra == ObjectSpec::kNoExtra)
          return Status::Error("JSON Schema at %s: required property '%s' is not in 'properties' and "
                               "additionalProperties is false",
                               req_path.c_str(), name.c_str());
        spec.properties.push_back({name, spec.extra_schema, spec.extra_schema ? spec.extra_path : req_path, true});
        continue;
      }
      if (found->schema->is_bool() && !found->schema->boolean)
        return Status::Error("JSON Schema at %s: property '%s' is required but its schema is false", req_path.c_str(),
                             name.c_str());
      found->required = true;
    }
    UnguardedScope scope(this);
    std::string ws = rules_.Ws();
    std::string comma = "\",\" " + ws + " ";
    // One "key": value rule per property that may appear.
    std::vector<std::string> member;  // parallel to `present`
    std::vector<const Property*> present;
    for (const Property& p : spec.properties) {
      if (p.schema != nullptr && p.schema->is_bool() && !p.schema->boolean) continue;  // must not appear
      std::string value;
      if (p.schema == nullptr) {
        value = rules_.AnyValue();
      } else {
        PIPIT_TRY(Visit(*p.schema, p.path, p.name, depth + 1, &value));
      }
      std::string key;
      AppendJsonString(p.name, &key);
      member.push_back(rules_.Add(std::string(hint) + "-" + p.name + "-kv",
                                  GbnfLiteral(key) + " " + ws + " \":\" " + ws + " " + value + " " + ws));
      present.push_back(&p);
    }
    // Additional members, after the declared ones.
    std::string extra_first, extra_more;  // without / with a leading comma
    if (spec.extra != ObjectSpec::kNoExtra) {
      std::string key, value;
      PIPIT_TRY(ExtraKey(spec.properties, path, &key));
      if (spec.extra == ObjectSpec::kAnyExtra) {
        value = rules_.AnyValue();
      } else {
        PIPIT_TRY(Visit(*spec.extra_schema, spec.extra_path, std::string(hint) + "-extra", depth + 1, &value));
      }
      std::string kv = rules_.Add(std::string(hint) + "-extra-kv", key + " " + ws + " \":\" " + ws + " " + value + " " + ws);
      extra_more = "( " + comma + kv + " )*";
      extra_first = "( " + kv + " " + extra_more + " )?";
    }
    // tail[c][i]: members from property i on; c = 1 when one was written
    // already (so the next needs a comma). Optional properties may be skipped:
    // 2n rules instead of 2^n alternatives.
    size_t n = present.size();
    std::vector<std::string> tail[2];
    tail[0].resize(n + 1);
    tail[1].resize(n + 1);
    tail[0][n] = extra_first;
    tail[1][n] = extra_more;
    for (size_t i = n; i-- > 0;) {
      for (int c = 0; c < 2; ++c) {
        std::string with = (c ? comma : "") + member[i] + (tail[1][i + 1].empty() ? "" : " " + tail[1][i + 1]);
        std::string body;
        if (present[i]->required) {
          body = with;
        } else if (tail[c][i + 1].empty()) {
          body = "( " + with + " )?";
        } else {
          body = with + " | " + tail[c][i + 1];
        }
        tail[c][i] = rules_.Add(std::string(hint) + "-from-" + present[i]->name, body);
      }
    }
    *expr = rules_.Add(hint, "\"{\" " + ws + (tail[0][0].empty() ? "" : " " + tail[0][0]) + " \"}\"");
    return Status::Ok();
  }

  // Inside an object or array something was consumed ("{" or "["), so $refs
  // reached from here are not left-recursive.
  class UnguardedScope {
   public:
    explicit UnguardedScope(Converter* c) : c_(c), saved_(std::move(c->unguarded_refs_)) { c_->unguarded_refs_.clear(); }
    ~UnguardedScope() { c_->unguarded_refs_ = std::move(saved_); }

   private:
    Converter* c_;
    std::set<std::string> saved_;
  };

  const JsonValue& root_;
  GbnfBuilder rules_;
  std::map<std::string, std::string> ref_rules_;  // pointer -> rule name
  std::set<std::string> unguarded_refs_;          // refs being expanded since the last "{" or "["
};

}  // namespace

Status JsonSchemaToGbnf(const JsonValue& schema, std::string* gbnf) {
  Converter converter(schema);
  return converter.Run(gbnf);
}

Status JsonSchemaToGbnf(std::string_view schema_json, std::string* gbnf) {
  JsonValue schema;
  Status status = ParseJson(schema_json, &schema);
  if (!status.ok()) return status.Prefix("JSON Schema");
  return JsonSchemaToGbnf(schema, gbnf);
}

}  // namespace pipit::grammar
