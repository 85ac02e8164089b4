// Tests for engine/chat. Expected strings are transcribed from what the real
// Jinja templates produce (sources cited per test; the leading BOS removed,
// since pipit leaves it to the tokenizer). tests/parity/render_chat.mjs
// additionally renders many conversations with the real templates.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "chat/chat_template.h"

namespace pipit {
namespace {

// The conversation of llama.cpp's tests/test-chat-template.cpp.
std::vector<ChatMessage> Conversation() {
  return {
      {"system", "You are a helpful assistant"},
      {"user", "Hello"},
      {"assistant", "Hi there"},
      {"user", "Who are you"},
      {"assistant", "   I am an assistant   "},
      {"user", "Another question"},
  };
}

std::vector<ChatMessage> WithoutSystem() {
  auto c = Conversation();
  c.erase(c.begin());
  return c;
}

// Jinja sources (tokenizer_config.json chat_template of each model).
constexpr const char* kLlama3Jinja =  // meta-llama/Meta-Llama-3-8B-Instruct
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | "
    "trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% "
    "endif %}{{ content }}{% endfor %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}";
constexpr const char* kLlama2Jinja =  // meta-llama/Llama-2-7b-chat-hf
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set "
    "system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% "
    "set system_message = false %}{% endif %}{% for message in loop_messages %}{% if "
    "(message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation "
    "roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == "
    "0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + "
    "'\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] "
    "%}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() "
    "+ ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + "
    "eos_token }}{% endif %}{% endfor %}";
constexpr const char* kMistralJinja =  // mistralai/Mistral-7B-Instruct-v0.2
    "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != "
    "(loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate "
    "user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ "
    "'[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ "
    "message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant "
    "roles are supported!') }}{% endif %}{% endfor %}";
constexpr const char* kZephyrJinja =  // TinyLlama/TinyLlama-1.1B-Chat-v1.0
    "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + "
    "message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ "
    "'<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' "
    "%}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last "
    "and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}";
constexpr const char* kChatMLJinja =  // teknium/OpenHermes-2.5-Mistral-7B
    "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + "
    "message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ "
    "'<|im_start|>assistant\\n' }}{% endif %}";

TEST(ChatRender, ChatML) {
  // Expected output from llama.cpp's test-chat-template.cpp (OpenHermes).
  EXPECT_EQ(RenderChat(ChatTemplate::kChatML, Conversation(), true),
            "<|im_start|>system\nYou are a helpful assistant<|im_end|>\n"
            "<|im_start|>user\nHello<|im_end|>\n"
            "<|im_start|>assistant\nHi there<|im_end|>\n"
            "<|im_start|>user\nWho are you<|im_end|>\n"
            "<|im_start|>assistant\n   I am an assistant   <|im_end|>\n"
            "<|im_start|>user\nAnother question<|im_end|>\n"
            "<|im_start|>assistant\n");
  EXPECT_EQ(RenderChat(ChatTemplate::kChatML, {{"user", "hi"}}, false),
            "<|im_start|>user\nhi<|im_end|>\n");
}

TEST(ChatRender, Llama3TrimsContentAndLeavesBosToTheTokenizer) {
  // Meta-Llama-3-8B-Instruct's template output minus "<|begin_of_text|>".
  const std::string out = RenderChat(ChatTemplate::kLlama3, Conversation(), true);
  EXPECT_EQ(out,
            "<|start_header_id|>system<|end_header_id|>\n\nYou are a helpful assistant<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nHello<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nHi there<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nWho are you<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\nI am an assistant<|eot_id|>"
            "<|start_header_id|>user<|end_header_id|>\n\nAnother question<|eot_id|>"
            "<|start_header_id|>assistant<|end_header_id|>\n\n");
  EXPECT_EQ(out.find("<|begin_of_text|>"), std::string::npos);
  EXPECT_EQ(RenderChat(ChatTemplate::kLlama3, {{"user", " hi \n"}}, false),
            "<|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>");
}

TEST(ChatRender, Llama2FoldsSystemAndAddsBosBetweenTurns) {
  // Llama-2-7b-chat-hf: "<s>[INST] <<SYS>>\n{sys}\n<</SYS>>\n\n{user} [/INST] {answer} </s>"
  // "<s>[INST] {user} [/INST]", answers stripped; first <s> left to the tokenizer.
  const std::string expected =
      "[INST] <<SYS>>\nYou are a helpful assistant\n<</SYS>>\n\nHello [/INST] Hi there </s>"
      "<s>[INST] Who are you [/INST] I am an assistant </s>"
      "<s>[INST] Another question [/INST]";
  EXPECT_EQ(RenderChat(ChatTemplate::kLlama2, Conversation(), true), expected);
  EXPECT_EQ(RenderChat(ChatTemplate::kLlama2, Conversation(), false), expected);
  EXPECT_EQ(RenderChat(ChatTemplate::kLlama2, {{"user", "  hi  "}}, true), "[INST] hi [/INST]");
}

TEST(ChatRender, Mistral) {
  // Mistral-7B-Instruct-v0.2; expected from llama.cpp's test-chat-template.cpp
  // (no stripping, answer right after [/INST]).
  EXPECT_EQ(RenderChat(ChatTemplate::kMistral, WithoutSystem(), true),
            "[INST] Hello [/INST]Hi there</s>[INST] Who are you [/INST]   I am an assistant   "
            "</s>[INST] Another question [/INST]");
  // The real template rejects system messages; pipit folds them into the
  // next user message.
  EXPECT_EQ(RenderChat(ChatTemplate::kMistral, {{"system", "Be brief."}, {"user", "Hi"}}, true),
            "[INST] Be brief.\n\nHi [/INST]");
}

TEST(ChatRender, ZephyrAsTinyLlama) {
  // TinyLlama-1.1B-Chat-v1.0 with trim_blocks: "<|user|>\n{content}</s>\n<|assistant|>\n".
  EXPECT_EQ(RenderChat(ChatTemplate::kZephyr, {{"user", "Hello"}}, true),
            "<|user|>\nHello</s>\n<|assistant|>\n");
  EXPECT_EQ(RenderChat(ChatTemplate::kZephyr,
                       {{"system", "S"}, {"user", "U"}, {"assistant", "A"}, {"tool", "T"}},
                       false),
            "<|system|>\nS</s>\n<|user|>\nU</s>\n<|assistant|>\nA</s>\n");
  EXPECT_EQ(RenderChat(ChatTemplate::kZephyr, {}, true), "");
}

TEST(ChatDetect, RealTemplates) {
  struct Case { const char* jinja; ChatTemplate expected; };
  for (const Case& c : {Case{kLlama3Jinja, ChatTemplate::kLlama3},
                        Case{kLlama2Jinja, ChatTemplate::kLlama2},
                        Case{kMistralJinja, ChatTemplate::kMistral},
                        Case{kZephyrJinja, ChatTemplate::kZephyr},
                        Case{kChatMLJinja, ChatTemplate::kChatML}}) {
    ChatTemplate got = ChatTemplate::kChatML;
    ASSERT_TRUE(DetectChatTemplate(c.jinja, &got)) << c.jinja;
    EXPECT_EQ(got, c.expected) << ChatTemplateName(got) << " for " << c.jinja;
  }
}

TEST(ChatDetect, ByName) {
  for (ChatTemplate t : {ChatTemplate::kChatML, ChatTemplate::kLlama2, ChatTemplate::kLlama3,
                         ChatTemplate::kMistral, ChatTemplate::kZephyr}) {
    ChatTemplate got;
    ASSERT_TRUE(ChatTemplateFromName(ChatTemplateName(t), &got));
    EXPECT_EQ(got, t);
    ChatTemplate detected;
    ASSERT_TRUE(DetectChatTemplate(ChatTemplateName(t), &detected));
    EXPECT_EQ(detected, t);
  }
  ChatTemplate untouched = ChatTemplate::kLlama3;
  EXPECT_FALSE(ChatTemplateFromName("ChatML", &untouched));
  EXPECT_FALSE(ChatTemplateFromName("gemma", &untouched));
  EXPECT_EQ(untouched, ChatTemplate::kLlama3);
}

TEST(ChatDetect, UnsupportedTemplatesAreRejected) {
  const char* unsupported[] = {
      "",
      // Phi-3: <|user|>/<|assistant|> but turns end with <|end|>.
      "{% for message in messages %}{{'<|' + message['role'] + '|>' + '\\n' + "
      "message['content'] + '<|end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ "
      "'<|assistant|>\\n' }}{% endif %}<|user|>",
      // Phi-4: ChatML tags with <|im_sep|>.
      "{{'<|im_start|>' + message['role'] + '<|im_sep|>' + message['content'] + '<|im_end|>'}}",
      // Gemma.
      "{{ '<start_of_turn>' + role + '\\n' + message['content'] | trim + '<end_of_turn>\\n' }}",
      // Mistral v7.
      "{{ '[SYSTEM_PROMPT]' + system_message + '[/SYSTEM_PROMPT]' }}{{ '[INST]' + content }}",
  };
  for (const char* jinja : unsupported) {
    ChatTemplate got = ChatTemplate::kLlama3;
    EXPECT_FALSE(DetectChatTemplate(jinja, &got)) << jinja;
    EXPECT_EQ(got, ChatTemplate::kLlama3);
  }
}

}  // namespace
}  // namespace pipit
