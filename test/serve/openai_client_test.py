#!/usr/bin/env python3
"""lac-serve through the official `openai` Python client (PyPI), unchanged:
chat, completions, streaming with include_usage, stop strings, seeds, logprobs
and n. Exits 77 (ctest: skipped) when the client is not installed.

    openai_client_test.py LAC_SERVE MODEL.lac
"""
import os
import sys
import unittest

try:
    from openai import OpenAI
except ImportError:
    print("openai is not installed (pip install openai): skipped")
    sys.exit(77)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import serve_test  # noqa: E402  (the server fixture)


class OpenAIClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.s = serve_test.Server()
        cls.c = OpenAI(base_url=f"http://127.0.0.1:{cls.s.port}/v1", api_key="unused", max_retries=0)
        cls.model = cls.c.models.list().data[0].id

    @classmethod
    def tearDownClass(cls):
        assert cls.s.stop() == 0

    def chat(self, content, **kw):
        return self.c.chat.completions.create(model=self.model, messages=[{"role": "user", "content": content}], **kw)

    def test_chat(self):
        r = self.chat("Hello!", temperature=0, max_tokens=8)
        self.assertEqual(r.object, "chat.completion")
        self.assertEqual(r.choices[0].message.role, "assistant")
        self.assertIn(r.choices[0].finish_reason, ("stop", "length"))
        self.assertLessEqual(r.usage.completion_tokens, 8)
        self.assertEqual(r.usage.total_tokens, r.usage.prompt_tokens + r.usage.completion_tokens)

    def test_system_and_parts(self):
        r = self.c.chat.completions.create(
            model=self.model, temperature=0, max_tokens=6,
            messages=[{"role": "system", "content": "Be brief."},
                      {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]}])
        self.assertEqual(len(r.choices), 1)

    def test_completion(self):
        r = self.c.completions.create(model=self.model, prompt="The capital of France is", max_tokens=6,
                                      temperature=0)
        self.assertEqual(r.object, "text_completion")
        self.assertGreater(len(r.choices[0].text), 0)

    def test_stream_with_usage(self):
        whole = self.chat("Tell me a story", temperature=0.7, seed=3, max_tokens=12)
        stream = self.chat("Tell me a story", temperature=0.7, seed=3, max_tokens=12, stream=True,
                           stream_options={"include_usage": True})
        text, usage, finish = "", None, None
        for chunk in stream:
            if chunk.usage:
                usage = chunk.usage
            for ch in chunk.choices:
                text += ch.delta.content or ""
                finish = ch.finish_reason or finish
        self.assertEqual(text, whole.choices[0].message.content)
        self.assertEqual(finish, whole.choices[0].finish_reason)
        self.assertEqual(usage.completion_tokens, whole.usage.completion_tokens)

    def test_seed_and_n(self):
        a = self.chat("Name a color", temperature=1.0, seed=11, max_tokens=8, n=3)
        b = self.chat("Name a color", temperature=1.0, seed=11, max_tokens=8, n=3)
        self.assertEqual(len(a.choices), 3)
        self.assertEqual([c.message.content for c in a.choices], [c.message.content for c in b.choices])

    def test_stop(self):
        free = self.c.completions.create(model=self.model, prompt="1, 2, 3,", max_tokens=16, temperature=0)
        text = free.choices[0].text
        if len(text) < 4:
            self.skipTest("the model stopped too early to pick a stop string")
        stop = text[2:4]
        cut = self.c.completions.create(model=self.model, prompt="1, 2, 3,", max_tokens=16, temperature=0,
                                        stop=[stop])
        self.assertNotIn(stop, cut.choices[0].text)
        self.assertTrue(text.startswith(cut.choices[0].text))
        self.assertEqual(cut.choices[0].finish_reason, "stop")

    def test_logprobs(self):
        r = self.chat("Hi", temperature=0, max_tokens=5, logprobs=True, top_logprobs=3)
        content = r.choices[0].logprobs.content
        self.assertEqual(len(content), r.usage.completion_tokens)
        for t in content:
            self.assertLessEqual(t.logprob, 0.0)
            self.assertEqual(len(t.top_logprobs), 3)
            self.assertEqual(t.top_logprobs[0].logprob, t.logprob)  # greedy: the top one

    def test_errors_are_api_errors(self):
        import openai
        with self.assertRaises(openai.BadRequestError) as e:
            self.chat("x", top_p=1.5)
        self.assertIn("top_p", str(e.exception))
        with self.assertRaises(openai.BadRequestError):
            self.chat("x", max_tokens=10 ** 7)


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0], "-v"])
