// Names and detection of the built-in chat templates. Rendering is in
// chat_render.cpp.
#include "chat/chat_template.h"

namespace pipit {
namespace {

struct NamedTemplate {
  const char* name;
  ChatTemplate tmpl;
};

constexpr NamedTemplate kNames[] = {
    {"chatml", ChatTemplate::kChatML}, {"llama2", ChatTemplate::kLlama2},
    {"llama3", ChatTemplate::kLlama3}, {"mistral", ChatTemplate::kMistral},
    {"zephyr", ChatTemplate::kZephyr},
};

}  // namespace

const char* ChatTemplateName(ChatTemplate tmpl) {
  for (const NamedTemplate& n : kNames) {
    if (n.tmpl == tmpl) return n.name;
  }
  return "unknown";
}

bool ChatTemplateFromName(std::string_view name, ChatTemplate* out) {
  for (const NamedTemplate& n : kNames) {
    if (name == n.name) {
      *out = n.tmpl;
      return true;
    }
  }
  return false;
}

bool DetectChatTemplate(std::string_view jinja, ChatTemplate* out) {
  if (ChatTemplateFromName(jinja, out)) return true;
  auto contains = [jinja](std::string_view marker) {
    return jinja.find(marker) != std::string_view::npos;
  };

  ChatTemplate found;
  if (contains("<|im_start|>")) {
    // Phi-4 puts <|im_sep|> between role and content: not ChatML.
    if (contains("<|im_sep|>")) return false;
    found = ChatTemplate::kChatML;
  } else if (contains("[INST]")) {
    // Mistral v3/v7 templates (tool calls, [SYSTEM_PROMPT]) space their
    // tags differently from the v0.1/v0.2 layout implemented here.
    if (contains("[SYSTEM_PROMPT]") || contains("[AVAILABLE_TOOLS]") ||
        contains("[TOOL_CALLS]")) {
      return false;
    }
    // Llama 2 chat wraps the system prompt in <<SYS>>; Mistral has none.
    found = contains("<<SYS>>") ? ChatTemplate::kLlama2 : ChatTemplate::kMistral;
  } else if (contains("<|start_header_id|>") && contains("<|end_header_id|>")) {
    found = ChatTemplate::kLlama3;
  } else if (contains("<|user|>") && contains("<|assistant|>")) {
    // Phi-3 uses the same role tags but ends turns with <|end|>.
    if (contains("<|end|>")) return false;
    found = ChatTemplate::kZephyr;
  } else {
    return false;
  }
  *out = found;
  return true;
}

}  // namespace pipit
