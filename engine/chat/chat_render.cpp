// Renderers of the built-in chat templates. Each mirrors its model's Jinja
// template (cited in chat_template.h) minus the leading BOS text.
#include <string>
#include <string_view>

#include "chat/chat_template.h"

namespace pipit {
namespace {

bool IsAsciiSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Jinja's `| trim` and Python's str.strip(), for ASCII whitespace.
std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsAsciiSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsAsciiSpace(s.back())) s.remove_suffix(1);
  return s;
}

void RenderChatML(const std::vector<ChatMessage>& messages, bool add_assistant,
                  std::string* out) {
  for (const ChatMessage& m : messages) {
    *out += "<|im_start|>";
    *out += m.role;
    *out += '\n';
    *out += m.content;
    *out += "<|im_end|>\n";
  }
  if (add_assistant) *out += "<|im_start|>assistant\n";
}

void RenderLlama3(const std::vector<ChatMessage>& messages, bool add_assistant,
                  std::string* out) {
  for (const ChatMessage& m : messages) {
    *out += "<|start_header_id|>";
    *out += m.role;
    *out += "<|end_header_id|>\n\n";
    *out += Trim(m.content);
    *out += "<|eot_id|>";
  }
  if (add_assistant) *out += "<|start_header_id|>assistant<|end_header_id|>\n\n";
}

// meta-llama/Llama-2-7b-chat-hf. A leading system message is folded into
// whichever message comes next; the "<s>" before a user turn is dropped only
// when it would be the very first text (the tokenizer adds that BOS).
void RenderLlama2(const std::vector<ChatMessage>& messages, std::string* out) {
  size_t first = 0;
  std::string_view system;
  bool has_system = false;
  if (!messages.empty() && messages[0].role == "system") {
    system = messages[0].content;
    has_system = true;
    first = 1;
  }
  std::string content;
  for (size_t i = first; i < messages.size(); ++i) {
    const ChatMessage& m = messages[i];
    content.clear();
    if (i == first && has_system) {
      content += "<<SYS>>\n";
      content += system;
      content += "\n<</SYS>>\n\n";
    }
    content += m.content;
    if (m.role == "user") {
      if (!out->empty()) *out += "<s>";
      *out += "[INST] ";
      *out += Trim(content);
      *out += " [/INST]";
    } else if (m.role == "assistant") {
      *out += ' ';
      *out += Trim(content);
      *out += " </s>";
    }
  }
}

// mistralai/Mistral-7B-Instruct-v0.2 (and v0.1, Mixtral-8x7B-Instruct).
void RenderMistral(const std::vector<ChatMessage>& messages, std::string* out) {
  std::string pending_system;  // folded into the next user message
  for (const ChatMessage& m : messages) {
    if (m.role == "system") {
      if (!pending_system.empty()) pending_system += "\n\n";
      pending_system += m.content;
    } else if (m.role == "user") {
      *out += "[INST] ";
      if (!pending_system.empty()) {
        *out += pending_system;
        *out += "\n\n";
        pending_system.clear();
      }
      *out += m.content;
      *out += " [/INST]";
    } else if (m.role == "assistant") {
      *out += m.content;
      *out += "</s>";
    }
  }
}

// TinyLlama/TinyLlama-1.1B-Chat-v1.0 (zephyr layout, eos "</s>").
void RenderZephyr(const std::vector<ChatMessage>& messages, bool add_assistant,
                  std::string* out) {
  for (const ChatMessage& m : messages) {
    if (m.role != "user" && m.role != "system" && m.role != "assistant") continue;
    *out += "<|";
    *out += m.role;
    *out += "|>\n";
    *out += m.content;
    *out += "</s>\n";
  }
  // The template emits the prompt inside its loop (`loop.last`), so an empty
  // conversation gets none.
  if (add_assistant && !messages.empty()) *out += "<|assistant|>\n";
}

}  // namespace

std::string RenderChat(ChatTemplate tmpl, const std::vector<ChatMessage>& messages,
                       bool add_assistant) {
  std::string out;
  switch (tmpl) {
    case ChatTemplate::kChatML: RenderChatML(messages, add_assistant, &out); break;
    case ChatTemplate::kLlama3: RenderLlama3(messages, add_assistant, &out); break;
    case ChatTemplate::kLlama2: RenderLlama2(messages, &out); break;
    case ChatTemplate::kMistral: RenderMistral(messages, &out); break;
    case ChatTemplate::kZephyr: RenderZephyr(messages, add_assistant, &out); break;
  }
  return out;
}

}  // namespace pipit
