// Meta checkpoint reader: pickle decoding, tiktoken file, params.json, shard
// merging (fixtures written by scripts/tiny_models/meta_writer.py), and the
// errors for malformed input.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "compiler/import/meta_params.h"
#include "compiler/import/reader.h"
#include "compiler/import/tiktoken_file.h"
#include "compiler/import/torch_pickle.h"
#include "compiler/import/zip_archive.h"

namespace lac::import {
namespace {

namespace fs = std::filesystem;

std::string sourceDir() {
  const char* env = std::getenv("LAC_SOURCE_DIR");
  return env ? env : LAC_SOURCE_DIR;
}

#define EXPECT_ERROR(result, kind, phrase)                                              \
  do {                                                                                  \
    auto&& r_ = (result);                                                               \
    ASSERT_FALSE(r_.ok()) << "expected an error containing: " << (phrase);              \
    EXPECT_EQ(r_.error(), (kind)) << r_.message();                                      \
    EXPECT_NE(r_.message().find(phrase), std::string::npos) << r_.message();            \
  } while (0)

// ---- a hand-written pickle ------------------------------------------------------------

// Emits pickle opcodes one by one.
struct PickleBytes {
  std::string b;
  PickleBytes& op(std::string_view s) { b += s; return *this; }
  PickleBytes& str(std::string_view s) {  // BINUNICODE
    uint32_t n = static_cast<uint32_t>(s.size());
    b += 'X';
    b.append(reinterpret_cast<const char*>(&n), 4);
    b += s;
    return *this;
  }
  PickleBytes& global(std::string_view m, std::string_view n) { b += 'c'; b += m; b += '\n'; b += n; b += '\n'; return *this; }
  PickleBytes& k(uint8_t v) { b += 'K'; b += char(v); return *this; }
  PickleBytes& put(uint8_t i) { b += 'q'; b += char(i); return *this; }
  PickleBytes& get(uint8_t i) { b += 'h'; b += char(i); return *this; }
  std::span<const uint8_t> bytes() const { return {reinterpret_cast<const uint8_t*>(b.data()), b.size()}; }
};

// {'w': tensor(storage 0 [f32, 8], offset 2, size (2, 3), stride (3, 1)),
//  'b': tensor(the same storage, offset 0, size (2,), stride (1,))}
PickleBytes twoTensorPickle() {
  PickleBytes p;
  p.op("\x80\x02").op("}").put(0).op("(");
  p.str("w").put(1).global("torch._utils", "_rebuild_tensor_v2").put(2).op("(");
  p.op("(").str("storage").put(3).global("torch", "FloatStorage").put(4).str("0").put(5).str("cpu").put(6).k(8);
  p.op("t").put(7).op("Q");
  p.k(2).k(2).k(3).op("\x86").k(3).k(1).op("\x86").op("\x89");
  p.global("collections", "OrderedDict").put(8).op(")").op("R").op("t").op("R");
  p.str("b").get(2).op("(").get(7).op("Q").k(0).k(2).op("\x85").k(1).op("\x85").op("\x88");
  p.get(8).op(")").op("R").op("t").op("R");
  p.op("u").op(".");
  return p;
}

TEST(TorchPickle, DecodesHandWrittenStateDict) {
  PickleBytes p = twoTensorPickle();
  auto r = readTorchStateDict(p.bytes(), "hand.pkl");
  ASSERT_TRUE(r.ok()) << r.message();
  ASSERT_EQ(r->size(), 2u);
  const PickledTensor& w = (*r)[0];
  EXPECT_EQ(w.name, "w");
  EXPECT_EQ(w.storage_key, "0");
  EXPECT_EQ(w.dtype, DType::F32);
  EXPECT_EQ(w.storage_offset, 2u);
  EXPECT_EQ(w.storage_numel, 8u);
  EXPECT_EQ(w.shape, (std::vector<uint64_t>{2, 3}));
  EXPECT_EQ(w.stride, (std::vector<uint64_t>{3, 1}));
  const PickledTensor& b = (*r)[1];
  EXPECT_EQ(b.name, "b");
  EXPECT_EQ(b.storage_key, "0");
  EXPECT_EQ(b.shape, (std::vector<uint64_t>{2}));
}

TEST(TorchPickle, RefusesGlobalsByName) {
  PickleBytes p;
  p.op("\x80\x02").global("os", "system").str("echo hi").op("\x85").op("R").op(".");
  EXPECT_ERROR(readTorchStateDict(p.bytes(), "evil.pkl"), Error::InvalidCheckpoint,
               "pickle global 'os system' is not allowed");
  PickleBytes q;
  q.op("\x80\x02").global("torch.storage", "_load_from_bytes").op(".");
  EXPECT_ERROR(readTorchStateDict(q.bytes(), "new.pkl"), Error::InvalidCheckpoint,
               "'torch.storage _load_from_bytes' is not allowed");
}

TEST(TorchPickle, RefusesUnknownOpcodesAndBadStructure) {
  PickleBytes p;
  p.op("\x80\x02").op("S'x'\n").op(".");  // STRING: protocol 0
  EXPECT_ERROR(readTorchStateDict(p.bytes(), "old.pkl"), Error::InvalidCheckpoint,
               "unsupported pickle opcode 0x53 ('S') at byte offset 2");

  PickleBytes trunc = twoTensorPickle();
  trunc.b.resize(trunc.b.size() / 2);
  EXPECT_ERROR(readTorchStateDict(trunc.bytes(), "half.pkl"), Error::InvalidCheckpoint, "half.pkl");

  PickleBytes cyc;  // a list that holds itself, through the memo
  cyc.op("\x80\x02").op("]").put(0).get(0).op("a").op(".");
  EXPECT_ERROR(readTorchStateDict(cyc.bytes(), "cyc.pkl"), Error::InvalidCheckpoint, "is a list, not a state dict");

  PickleBytes build;  // BUILD on a plain dict
  build.op("\x80\x02").op("}").op("}").op("b").op(".");
  EXPECT_ERROR(readTorchStateDict(build.bytes(), "b.pkl"), Error::InvalidCheckpoint, "only an OrderedDict");
}

TEST(TorchPickle, RefusesNonContiguousTensors) {
  PickleBytes p = twoTensorPickle();
  const std::string from("K\x03K\x01\x86", 5), to("K\x01K\x02\x86", 5);  // stride (3, 1) -> (1, 2)
  p.b.replace(p.b.find(from), from.size(), to);
  EXPECT_ERROR(readTorchStateDict(p.bytes(), "t.pkl"), Error::Unsupported, "tensor 'w' is not contiguous");
}

// ---- zip --------------------------------------------------------------------------------

struct Bytes {
  std::string b;
  template <typename T>
  Bytes& le(T v) { b.append(reinterpret_cast<const char*>(&v), sizeof(T)); return *this; }
  Bytes& raw(std::string_view s) { b += s; return *this; }
  std::span<const uint8_t> span() const { return {reinterpret_cast<const uint8_t*>(b.data()), b.size()}; }
};

// One stored entry "a/b" = "hello" whose central record keeps its sizes and
// offset in a ZIP64 extra field (as miniz does past 4 GiB).
Bytes zip64EntryArchive(bool with_extra) {
  Bytes z;
  z.le<uint32_t>(0x04034b50).le<uint16_t>(45).le<uint16_t>(0).le<uint16_t>(0).le<uint32_t>(0).le<uint32_t>(0);
  z.le<uint32_t>(0xFFFFFFFF).le<uint32_t>(0xFFFFFFFF).le<uint16_t>(3).le<uint16_t>(0).raw("a/b").raw("hello");
  const uint32_t cd = static_cast<uint32_t>(z.b.size());
  z.le<uint32_t>(0x02014b50).le<uint16_t>(45).le<uint16_t>(45).le<uint16_t>(0).le<uint16_t>(0).le<uint32_t>(0);
  z.le<uint32_t>(0).le<uint32_t>(0xFFFFFFFF).le<uint32_t>(0xFFFFFFFF).le<uint16_t>(3);
  z.le<uint16_t>(with_extra ? 28 : 0).le<uint16_t>(0).le<uint16_t>(0).le<uint16_t>(0).le<uint32_t>(0);
  z.le<uint32_t>(0xFFFFFFFF).raw("a/b");
  if (with_extra) z.le<uint16_t>(1).le<uint16_t>(24).le<uint64_t>(5).le<uint64_t>(5).le<uint64_t>(0);
  const uint32_t cd_size = static_cast<uint32_t>(z.b.size()) - cd;
  z.le<uint32_t>(0x06054b50).le<uint16_t>(0).le<uint16_t>(0).le<uint16_t>(1).le<uint16_t>(1);
  z.le<uint32_t>(cd_size).le<uint32_t>(cd).le<uint16_t>(0);
  return z;
}

TEST(ZipArchive, ReadsZip64ExtraFields) {
  Bytes z = zip64EntryArchive(true);
  auto zip = ZipArchive::parse(z.span(), "mem.zip");
  ASSERT_TRUE(zip.ok()) << zip.message();
  ASSERT_EQ(zip->entries().size(), 1u);
  const ZipEntry* e = zip->find("a/b");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->data_offset, 33u);
  auto d = zip->data(*e);
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(d.data()), d.size()), "hello");
  EXPECT_ERROR(ZipArchive::parse(zip64EntryArchive(false).span(), "mem.zip"), Error::InvalidCheckpoint,
               "zip entry 'a/b' needs a ZIP64 extra field but has none");
}

// ---- tiktoken ------------------------------------------------------------------------

TEST(Tiktoken, ReadsTheRealLlama3Tokenizer) {
  const std::string path = sourceDir() + "/../shared/data/llama3/tokenizer.model";
  if (!fs::exists(path)) GTEST_SKIP() << path << " is absent";
  auto t = readLlama3Tokenizer(path);
  ASSERT_TRUE(t.ok()) << t.message();
  EXPECT_EQ(t->tokens.size(), 128256u);
  EXPECT_EQ(t->tokens[0], "!");
  EXPECT_EQ(t->tokens[128000], "<|begin_of_text|>");
  EXPECT_EQ(t->tokens[128009], "<|eot_id|>");
  EXPECT_EQ(t->tokens[128255], "<|reserved_special_token_250|>");
  EXPECT_EQ(t->special_tokens.size(), 256u);
  EXPECT_EQ(t->bos_id, 128000u);
  EXPECT_EQ(t->eos_id, 128001u);
  EXPECT_EQ(t->kind, TokenizerKind::Tiktoken);
  EXPECT_EQ(t->pre_tokenizer, "llama3");
}

TEST(Tiktoken, IsStrict) {
  EXPECT_TRUE(parseTiktoken("IQ== 0\nIg== 1\n", "t").ok());
  EXPECT_ERROR(parseTiktoken("IQ== 0\nI*== 1\n", "t.model"), Error::InvalidCheckpoint, "t.model:2: bad base64");
  EXPECT_ERROR(parseTiktoken("IQ== 0\nIg== 5\n", "t.model"), Error::InvalidCheckpoint,
               "t.model:2: rank 5 is out of sequence");
  EXPECT_ERROR(parseTiktoken("IQ==0\n", "t.model"), Error::InvalidCheckpoint, "t.model:1: expected");
  EXPECT_ERROR(parseTiktoken("IR== 0\n", "t.model"), Error::InvalidCheckpoint, "bad base64");  // stray low bits
}

// ---- params.json ----------------------------------------------------------------------

TEST(MetaParams, FfnDimFollowsMetasFeedForward) {
  EXPECT_EQ(metaFfnDim(4096, 1024, 1.3), 14336u);  // Llama 3 8B
  EXPECT_EQ(metaFfnDim(8192, 4096, 1.3), 28672u);  // Llama 3 70B
  EXPECT_EQ(metaFfnDim(4096, 256, std::nullopt), 11008u);  // Llama 2 7B
  EXPECT_EQ(metaFfnDim(2048, 256, 1.5), 8192u);  // Llama 3.2 1B
}

// ---- checkpoint fixtures ----------------------------------------------------------------

struct Fixture {
  std::string dir;       // the checkpoint folder
  std::string expected;  // <name>.f32 per tensor
};

// Runs meta_writer.py into a fresh temp folder.
std::optional<Fixture> makeFixture(const std::string& name, const std::string& args) {
  const std::string root = ::testing::TempDir() + "/lac_meta_" + name;
  fs::remove_all(root);
  Fixture f{root + "/ckpt", root + "/expected"};
  const std::string cmd = "python3 '" + sourceDir() + "/scripts/tiny_models/meta_writer.py' '" + f.dir +
                          "' --expected '" + f.expected + "' " + args;
  if (std::system(cmd.c_str()) != 0) return std::nullopt;
  return f;
}

#define MAKE_FIXTURE(var, name, args)                                      \
  auto var##_opt = makeFixture(name, args);                                \
  if (!var##_opt) GTEST_SKIP() << "python3 meta_writer.py failed";          \
  const Fixture& var = *var##_opt

std::vector<float> readF32(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<float> v(raw.size() / 4);
  std::memcpy(v.data(), raw.data(), v.size() * 4);
  return v;
}

void expectTensorsMatch(const ModelSpec& spec, const Fixture& f) {
  size_t checked = 0;
  for (const auto& e : fs::directory_iterator(f.expected)) {
    const std::string name = e.path().stem().string();
    if (name == "rope.freqs") continue;
    const TensorView* t = spec.findTensor(name);
    ASSERT_NE(t, nullptr) << name;
    EXPECT_EQ(t->dtype, DType::BF16);
    std::vector<float> got(t->numElements());
    auto r = t->toFloat(got);
    ASSERT_TRUE(r.ok()) << r.message();
    EXPECT_EQ(got, readF32(e.path().string())) << name;
    ++checked;
  }
  EXPECT_EQ(checked, spec.tensors.size());
}

TEST(MetaReader, OneAndTwoShardCheckpointsGiveTheWrittenTensors) {
  MAKE_FIXTURE(one, "one", "--shards 1");
  MAKE_FIXTURE(two, "two", "--shards 2");
  MAKE_FIXTURE(dim, "dim", "--shards 2 --embedding-split dim --ordered");
  for (const Fixture* f : {&one, &two, &dim}) {
    auto spec = readModel(f->dir);
    ASSERT_TRUE(spec.ok()) << spec.message();
    EXPECT_EQ(spec->format, SourceFormat::Meta);
    const ModelConfig& c = spec->config;
    EXPECT_EQ(c.dim, 64u);
    EXPECT_EQ(c.n_layers, 2u);
    EXPECT_EQ(c.n_heads, 4u);
    EXPECT_EQ(c.n_kv_heads, 2u);
    EXPECT_EQ(c.head_dim, 16u);
    EXPECT_EQ(c.ffn_dim, 192u);
    EXPECT_EQ(c.vocab_size, 512u);
    EXPECT_FALSE(c.tied_embeddings);
    EXPECT_FLOAT_EQ(c.rope_theta, 500000.0f);
    EXPECT_EQ(spec->tensors.size(), 3u + 2 * 9);  // rope.freqs is ignored
    EXPECT_EQ(spec->tokenizer.tokens.size(), 512u);
    EXPECT_EQ(spec->stop_token_ids, (std::vector<uint32_t>{257, 265}));
    EXPECT_EQ(spec->chat.kind, ChatFormatKind::Llama3);
    EXPECT_EQ(spec->chat.source, "Meta ChatFormat (llama3)");
    expectTensorsMatch(*spec, *f);
  }
  auto spec = readModel(dim.dir);
  ASSERT_TRUE(spec.ok());
  const TensorView* emb = spec->findTensor("tok_embeddings.weight");
  EXPECT_EQ(emb->pieces.size(), 2u);
  EXPECT_EQ(emb->concat_axis, 1u);  // Llama 2's ParallelEmbedding splits the embedding dim
  EXPECT_EQ(spec->findTensor("layers.0.attention.wo.weight")->concat_axis, 1u);
  EXPECT_EQ(spec->findTensor("layers.1.feed_forward.w3.weight")->concat_axis, 0u);
  EXPECT_EQ(spec->findTensor("norm.weight")->pieces.size(), 1u);
  for (const TensorPiece& p : emb->pieces) EXPECT_EQ(p.offset % 64, 0u);  // torch aligns entry data
}

// ---- malformed checkpoints ----------------------------------------------------------------

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}
void spit(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Byte offset of the central-directory record of entry `name` (our writer's
// records have no extra field or comment, so the next record follows the name).
size_t centralRecord(const std::string& zip, const std::string& name) {
  const size_t at = zip.rfind(name + "PK");
  EXPECT_NE(at, std::string::npos);
  EXPECT_EQ(zip.compare(at - 46, 4, "PK\x01\x02"), 0);
  return at - 46;
}

TEST(MetaReader, RefusesMissingOrMalformedParams) {
  MAKE_FIXTURE(f, "params", "--shards 1");
  fs::rename(f.dir + "/params.json", f.dir + "/params.bak");
  EXPECT_ERROR(readMeta(f.dir, {}), Error::NotFound, "params.json: no such file");
  spit(f.dir + "/params.json", "{\"dim\": 64,");
  EXPECT_ERROR(readMeta(f.dir, {}), Error::InvalidCheckpoint, "params.json: malformed JSON");
  // Shapes that disagree with params: validateSpec names the tensor.
  std::string params = slurp(f.dir + "/params.bak");
  params.replace(params.find("\"n_kv_heads\": 2"), 15, "\"n_kv_heads\": 4");
  spit(f.dir + "/params.json", params);
  EXPECT_ERROR(readMeta(f.dir, {}), Error::InvalidCheckpoint,
               "tensor 'layers.0.attention.wk.weight' has shape [32, 64], the config implies [64, 64]");
}

TEST(MetaReader, RefusesBrokenZipArchives) {
  MAKE_FIXTURE(f, "zip", "--shards 1");
  const std::string pth = f.dir + "/consolidated.00.pth";
  const std::string good = slurp(pth);

  spit(pth, good.substr(0, good.size() / 2));  // truncated: no end-of-central-directory
  EXPECT_ERROR(readMeta(f.dir, {}), Error::InvalidCheckpoint, "no end-of-central-directory record");

  std::string bad = good;  // a compressed (deflate) entry
  bad[centralRecord(bad, "archive/byteorder") + 10] = 8;
  spit(pth, bad);
  EXPECT_ERROR(readMeta(f.dir, {}), Error::Unsupported, "zip entry 'archive/byteorder' is compressed (method 8)");

  bad = good;  // storage "0" renamed away, in the local header and the central directory
  for (size_t at = bad.find("archive/data/0"); at != std::string::npos; at = bad.find("archive/data/0", at + 1))
    bad[at + 13] = 'Z';
  spit(pth, bad);
  EXPECT_ERROR(readMeta(f.dir, {}), Error::InvalidCheckpoint,
               "tensor 'tok_embeddings.weight': its storage '0' (zip entry 'archive/data/0') is missing");

  bad = good;  // storage "1" two bytes shorter than its tensor
  const size_t cd = centralRecord(bad, "archive/data/1");
  uint32_t size;
  std::memcpy(&size, &bad[cd + 20], 4);
  size -= 2;
  std::memcpy(&bad[cd + 20], &size, 4);
  std::memcpy(&bad[cd + 24], &size, 4);
  spit(pth, bad);
  EXPECT_ERROR(readMeta(f.dir, {}), Error::InvalidCheckpoint,
               "tensor 'layers.0.attention.wq.weight': 8192 bytes at byte offset 0 of zip entry 'archive/data/1' "
               "run past its end (8190 bytes)");

  bad = good;  // a central directory offset past the end
  bad[bad.size() - 22 + 16] = '\x7f';  // classic EOCD's cd offset; the ZIP64 record wins, so break that one
  const size_t eocd64 = bad.size() - 22 - 20 - 56;
  bad[eocd64 + 48 + 7] = '\x7f';
  spit(pth, bad);
  EXPECT_ERROR(readMeta(f.dir, {}), Error::InvalidCheckpoint, "runs past the end of the file");
}

TEST(MetaReader, RefusesInconsistentShards) {
  MAKE_FIXTURE(a, "shards_a", "--shards 2");
  MAKE_FIXTURE(b, "shards_b", "--shards 2 --dim 128");
  fs::copy_file(b.dir + "/consolidated.01.pth", a.dir + "/consolidated.01.pth", fs::copy_options::overwrite_existing);
  EXPECT_ERROR(readMeta(a.dir, {}), Error::InvalidCheckpoint,
               "consolidated.00.pth and consolidated.01.pth disagree: tensor 'tok_embeddings.weight' has shape "
               "[256, 64] in one and [256, 128] in the other");

  fs::rename(b.dir + "/consolidated.01.pth", b.dir + "/consolidated.02.pth");
  EXPECT_ERROR(readMeta(b.dir, {}), Error::InvalidCheckpoint, "shard 01 is missing");
}

}  // namespace
}  // namespace lac::import
