// Built-in chat templates: turn a conversation into the prompt text a chat
// model was trained on, without a Jinja interpreter. A model's own template
// (GGUF key tokenizer.chat_template, Jinja) is mapped to one of the built-ins
// by distinctive markers, as llama.cpp's llm_chat_detect_template does.
//
// Each renderer reproduces what the model's real Jinja template produces
// (rendered as Hugging Face does, trim_blocks + lstrip_blocks), with one
// deliberate difference: the leading BOS text ("<s>", "<|begin_of_text|>")
// is NOT emitted, because the tokenizer adds BOS itself (add_bos). BOS/EOS
// text in the middle of a conversation (Llama 2's "<s>" before each later
// turn, "</s>" after answers) IS emitted and must be tokenized with special
// tokens parsed.
//
//   kChatML   "<|im_start|>{role}\n{content}<|im_end|>\n" per message;
//             add_assistant: "<|im_start|>assistant\n".
//             (teknium/OpenHermes-2.5-Mistral-7B, Qwen, SmolLM ...)
//   kLlama3   "<|start_header_id|>{role}<|end_header_id|>\n\n{content|trim}<|eot_id|>";
//             add_assistant: "<|start_header_id|>assistant<|end_header_id|>\n\n".
//             (meta-llama/Meta-Llama-3-8B-Instruct; its template always adds
//             the header, here only with add_assistant.)
//   kLlama2   meta-llama/Llama-2-7b-chat-hf: an optional leading system
//             message is folded into the first turn as
//             "<<SYS>>\n{sys}\n<</SYS>>\n\n{user}"; user turns are
//             "<s>[INST] {content.strip()} [/INST]", assistant turns
//             " {content.strip()} </s>". The template has no generation
//             prompt: add_assistant changes nothing.
//   kMistral  mistralai/Mistral-7B-Instruct-v0.1/v0.2, Mixtral-8x7B-Instruct:
//             "[INST] {user} [/INST]{assistant}</s>" with no stripping. The
//             real template rejects system messages; here a system message is
//             prepended to the next user message as "{system}\n\n{user}".
//             add_assistant changes nothing.
//   kZephyr   TinyLlama-1.1B-Chat / HuggingFaceH4/zephyr-7b-beta:
//             "<|{role}|>\n{content}</s>\n" for user/system/assistant;
//             add_assistant: "<|assistant|>\n".
//
// Roles a template does not know (e.g. "tool" for Llama 2, Mistral, Zephyr)
// are skipped, as the Jinja templates skip them. "trim"/"strip" remove ASCII
// whitespace (Jinja also strips Unicode spaces).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pipit {

struct ChatMessage {
  std::string role;     // "system", "user", "assistant", ...
  std::string content;
};

enum class ChatTemplate {
  kChatML,
  kLlama2,
  kLlama3,
  kMistral,
  kZephyr,
};

// "chatml", "llama2", "llama3", "mistral", "zephyr".
const char* ChatTemplateName(ChatTemplate tmpl);

// Looks up a built-in by name (exact, lower case). False when unknown.
bool ChatTemplateFromName(std::string_view name, ChatTemplate* out);

// Maps a model's Jinja chat template to a built-in: by name first (the text
// may simply be "chatml"), then by markers. False when no built-in matches
// (e.g. Phi-3, Gemma, Mistral v3/v7 tool templates); *out is unchanged then.
bool DetectChatTemplate(std::string_view jinja, ChatTemplate* out);

// Renders the conversation. add_assistant appends the header that opens the
// assistant's reply, for templates that have one.
std::string RenderChat(ChatTemplate tmpl, const std::vector<ChatMessage>& messages,
                       bool add_assistant);

}  // namespace pipit
