#include "compiler/import/chat_format.h"

#include <gtest/gtest.h>

namespace lac::import {
namespace {

TEST(ChatFormat, SmolLM2TemplateIsChatMLWithDefaultSystemPrompt) {
  // The opening of SmolLM2-135M-Instruct's tokenizer.chat_template.
  const std::string t =
      "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
      "{{ '<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n' }}"
      "{% endif %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
      "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";
  ChatFormat f = detectChatFormat(t, "x.gguf");
  EXPECT_EQ(f.kind, ChatFormatKind::ChatML);
  EXPECT_EQ(f.default_system_prompt, "You are a helpful AI assistant named SmolLM, trained by Hugging Face");
}

TEST(ChatFormat, Llama3AndUnknown) {
  EXPECT_EQ(detectChatFormat("{{ '<|start_header_id|>' + role + '<|end_header_id|>\n\n' + c + '<|eot_id|>' }}", "")
                .kind,
            ChatFormatKind::Llama3);
  EXPECT_EQ(detectChatFormat("[INST] {{ m }} [/INST]", "").kind, ChatFormatKind::Unknown);
  EXPECT_EQ(detectChatFormat("", "").kind, ChatFormatKind::None);
}

}  // namespace
}  // namespace lac::import
