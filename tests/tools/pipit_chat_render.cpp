// Renders conversations with pipit's built-in chat templates, for the parity
// test tests/parity/render_chat.mjs (which renders the same conversations
// with the models' real Jinja templates).
//
// stdin:  [{"template": "llama3", "jinja": "...", "messages": [{"role": ...,
//           "content": ...}], "add_assistant": true}, ...]
//         "jinja" is optional; "template" may be omitted when "jinja" is given.
// stdout: [{"detected": "llama3" | null, "rendered": "..." | null}, ...]
//         detected: DetectChatTemplate(jinja); rendered uses "template" if
//         given, else the detected one.
#include <cstdio>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "chat/chat_template.h"

int main() {
  using nlohmann::json;
  std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  json cases;
  try {
    cases = json::parse(input);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pipit_chat_render: bad JSON on stdin: %s\n", e.what());
    return 2;
  }
  json results = json::array();
  for (const json& c : cases) {
    json result = {{"detected", nullptr}, {"rendered", nullptr}};
    bool have = false;
    pipit::ChatTemplate tmpl = pipit::ChatTemplate::kChatML;
    if (c.contains("jinja")) {
      pipit::ChatTemplate detected;
      if (pipit::DetectChatTemplate(c["jinja"].get<std::string>(), &detected)) {
        result["detected"] = pipit::ChatTemplateName(detected);
        tmpl = detected;
        have = true;
      }
    }
    if (c.contains("template")) {
      have = pipit::ChatTemplateFromName(c["template"].get<std::string>(), &tmpl);
      if (!have) {
        std::fprintf(stderr, "pipit_chat_render: unknown template name\n");
        return 2;
      }
    }
    if (have) {
      std::vector<pipit::ChatMessage> messages;
      for (const json& m : c["messages"]) {
        messages.push_back({m["role"].get<std::string>(), m["content"].get<std::string>()});
      }
      result["rendered"] = pipit::RenderChat(tmpl, messages, c.value("add_assistant", true));
    }
    results.push_back(result);
  }
  std::cout << results.dump() << "\n";
  return 0;
}
