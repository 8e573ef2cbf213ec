// The loader's negative catalogue: every way a file can be refused, each with
// its error kind and a key phrase of its message (docs/FORMAT.md lists them).
#include <gtest/gtest.h>

#include <cstring>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/checksum.h"
#include "runtime/artifact/test_plan.h"

namespace lac::artifact {
namespace {

using testing::assemble;
using testing::load;
using testing::makeTestPlan;

void expectRefused(const Result<Artifact>& r, Error kind, const std::string& phrase) {
  ASSERT_FALSE(r.ok()) << "expected: " << phrase;
  EXPECT_EQ(r.error(), kind) << r.message();
  EXPECT_NE(r.message().find(phrase), std::string::npos) << "message: " << r.message();
  EXPECT_EQ(r.message().find('\n'), std::string::npos) << "one line: " << r.message();
}

Header headerOf(const std::vector<uint8_t>& f) {
  Header h;
  std::memcpy(&h, f.data(), sizeof h);
  return h;
}

void setHeader(std::vector<uint8_t>& f, const Header& h) { std::memcpy(f.data(), &h, sizeof h); }

// Re-packs a plan edited by `edit` into a file with correct checksums.
template <typename Edit>
std::vector<uint8_t> withPlan(Edit edit) {
  auto p = makeTestPlan();
  edit(*p);
  return assemble(*p);
}

TEST(ArtifactNegative, TheTestArtifactItselfLoads) {
  auto a = load(assemble(*makeTestPlan()));
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_TRUE(a->verifyWeights().ok());
}

// ---------------------------------------------------------------------------
// Header

TEST(ArtifactNegative, EmptyFile) { expectRefused(load({}), Error::InvalidArtifact, "empty file"); }

TEST(ArtifactNegative, TruncatedHeader) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  f.resize(40);
  expectRefused(load(f), Error::InvalidArtifact, "truncated header");
}

TEST(ArtifactNegative, WrongMagic) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  f[1] = 'X';
  expectRefused(load(f), Error::InvalidArtifact, "bad magic");
}

TEST(ArtifactNegative, NewerVersion) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  Header h = headerOf(f);
  h.format_version = kFormatVersion + 1;
  setHeader(f, h);
  expectRefused(load(f), Error::Unsupported, "format version " + std::to_string(kFormatVersion + 1) + " is newer");
  expectRefused(load(f), Error::Unsupported, "version " + std::to_string(kFormatVersion));
}

TEST(ArtifactNegative, OlderVersion) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  Header h = headerOf(f);
  h.format_version = 0;
  setHeader(f, h);
  expectRefused(load(f), Error::Unsupported, "format version 0 is older");
}

TEST(ArtifactNegative, PlanOffsetPastEndOfFile) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  Header h = headerOf(f);
  h.plan_offset = f.size() + 64;
  setHeader(f, h);
  expectRefused(load(f), Error::InvalidArtifact, "plan");
  expectRefused(load(f), Error::InvalidArtifact, "runs past the end of the file");
}

TEST(ArtifactNegative, HugePlanSizeDoesNotOverflow) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  Header h = headerOf(f);
  h.plan_bytes = ~uint64_t(0) - 10;
  setHeader(f, h);
  expectRefused(load(f), Error::InvalidArtifact, "runs past the end of the file");
}

TEST(ArtifactNegative, WeightsPastEndOfFile) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  f.resize(f.size() - 100);  // a truncated download
  expectRefused(load(f), Error::InvalidArtifact, "weight blob");
  expectRefused(load(f), Error::InvalidArtifact, "runs past the end of the file");
}

TEST(ArtifactNegative, MisalignedBlob) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  Header h = headerOf(f);
  h.weights_offset -= 64;
  setHeader(f, h);
  expectRefused(load(f), Error::InvalidArtifact, "not a multiple of 4096");
}

// ---------------------------------------------------------------------------
// Plan bytes: checksum, identifier, flatbuffer verifier

TEST(ArtifactNegative, BadPlanChecksum) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  f[kHeaderBytes + headerOf(f).plan_bytes / 2] ^= 0x01;  // one flipped bit
  expectRefused(load(f), Error::InvalidArtifact, "plan checksum mismatch");
}

// Replaces the plan with `plan` and fixes the header's size and checksum.
std::vector<uint8_t> withPlanBytes(std::vector<uint8_t> plan) {
  std::vector<uint8_t> f(kHeaderBytes + plan.size());
  Header h = makeHeader();
  h.plan_bytes = plan.size();
  h.plan_checksum = xxh64(plan);
  setHeader(f, h);
  std::memcpy(f.data() + kHeaderBytes, plan.data(), plan.size());
  return f;
}

TEST(ArtifactNegative, WrongFlatbufferIdentifier) {
  std::vector<uint8_t> plan = testing::pack(*makeTestPlan());
  std::memcpy(plan.data() + 4, "XXXX", 4);
  expectRefused(load(withPlanBytes(plan)), Error::InvalidArtifact, "identifier 'LACP'");
}

TEST(ArtifactNegative, FlatbufferFailsTheVerifier) {
  // The right identifier and checksum, but the root offset points far outside.
  std::vector<uint8_t> plan(64, 0);
  uint32_t root = 0x7fff0000;
  std::memcpy(plan.data(), &root, 4);
  std::memcpy(plan.data() + 4, "LACP", 4);
  expectRefused(load(withPlanBytes(plan)), Error::InvalidArtifact, "fails flatbuffer verification");

  // A real plan cut short (and re-checksummed) fails too.
  std::vector<uint8_t> real = testing::pack(*makeTestPlan());
  real.resize(real.size() / 2);
  expectRefused(load(withPlanBytes(real)), Error::InvalidArtifact, "fails flatbuffer verification");
}

TEST(ArtifactNegative, MissingRequiredTable) {
  auto f = withPlan([](plan::PlanT& p) { p.kv_cache.reset(); });
  expectRefused(load(f), Error::InvalidArtifact, "fails flatbuffer verification");
}

// ---------------------------------------------------------------------------
// Semantic validation

TEST(ArtifactNegative, StepReferencesMissingBuffer) {
  auto f = withPlan([](plan::PlanT& p) { p.entry_points[1]->steps[3]->inputs[1] = 99; });
  expectRefused(load(f), Error::InvalidArtifact, "input 1 is id 99, but there are 7 buffers (missing buffer)");
  expectRefused(load(f), Error::InvalidArtifact, "entry point 'decode': step 3 (matmul_residual)");
}

TEST(ArtifactNegative, StepReferencesMissingWeight) {
  auto f = withPlan([](plan::PlanT& p) { p.entry_points[0]->steps[0]->weights[0] = 10; });
  expectRefused(load(f), Error::InvalidArtifact, "missing weight");
}

TEST(ArtifactNegative, StepWithWrongOperandCount) {
  auto f = withPlan([](plan::PlanT& p) { p.entry_points[0]->steps[1]->weights = {1}; });
  expectRefused(load(f), Error::InvalidArtifact, "the kernel takes");
}

TEST(ArtifactNegative, WeightOutsideTheBlob) {
  auto f = withPlan([](plan::PlanT& p) {
    plan::BlobSlice& s = *p.weights.back()->blob;
    s = plan::BlobSlice(p.weight_blob->bytes() - 64, s.bytes(), 0);
  });
  expectRefused(load(f), Error::InvalidArtifact, "weight 'output.weight'");
  expectRefused(load(f), Error::InvalidArtifact, "outside the weight blob");
}

TEST(ArtifactNegative, MisalignedWeight) {
  auto f = withPlan([](plan::PlanT& p) {
    plan::BlobSlice& s = *p.weights[1]->blob;
    s = plan::BlobSlice(s.offset() + 4, s.bytes(), 0);
  });
  expectRefused(load(f), Error::InvalidArtifact, "misaligned");
}

TEST(ArtifactNegative, OverlappingWeights) {
  auto f = withPlan([](plan::PlanT& p) {
    plan::BlobSlice& s = *p.weights[2]->blob;
    s = plan::BlobSlice(p.weights[1]->blob->offset(), s.bytes(), 0);
  });
  expectRefused(load(f), Error::InvalidArtifact, "overlap");
}

TEST(ArtifactNegative, WeightBytesDisagreeWithShape) {
  auto f = withPlan([](plan::PlanT& p) { p.weights[0]->shape = {17, 32}; });
  expectRefused(load(f), Error::InvalidArtifact, "which needs");
}

// x8 layouts: only for their own dtype and matrices with rows % 8 == 0.
TEST(ArtifactNegative, X8LayoutOfItsDTypeLoads) {
  auto a = load(withPlan([](plan::PlanT& p) { p.weights[3]->layout = "q4_0x8"; }));  // wo: q4_0 [32, 32]
  EXPECT_TRUE(a.ok()) << a.message();
}

TEST(ArtifactNegative, X8LayoutOfAnotherDType) {
  auto f = withPlan([](plan::PlanT& p) { p.weights[3]->layout = "q8_0x8"; });
  expectRefused(load(f), Error::InvalidArtifact, "does not fit");
}

TEST(ArtifactNegative, X8LayoutOfAVector) {
  auto f = withPlan([](plan::PlanT& p) { p.weights[1]->layout = "q4_0x8"; });
  expectRefused(load(f), Error::InvalidArtifact, "does not fit");
}

TEST(ArtifactNegative, UnknownKernelId) {
  auto f = withPlan([](plan::PlanT& p) { p.entry_points[0]->steps[4]->kernel = static_cast<plan::Kernel>(200); });
  expectRefused(load(f), Error::Unsupported, "unknown kernel id 200");
}

TEST(ArtifactNegative, UnknownDType) {
  auto f = withPlan([](plan::PlanT& p) { p.weights[0]->dtype = static_cast<plan::DType>(77); });
  expectRefused(load(f), Error::Unsupported, "dtype id 77");
}

TEST(ArtifactNegative, BufferOutsideArena) {
  auto f = withPlan([](plan::PlanT& p) { p.entry_points[0]->arena_bytes -= 64; });
  expectRefused(load(f), Error::InvalidArtifact, "outside the arena");
}

TEST(ArtifactNegative, AttentionWithoutLayer) {
  auto f = withPlan([](plan::PlanT& p) { p.entry_points[0]->steps[2]->layer = 3; });
  expectRefused(load(f), Error::InvalidArtifact, "not a decoder layer");
}

TEST(ArtifactNegative, MissingCpuFeature) {
  auto f = withPlan([](plan::PlanT& p) { p.target->cpu_features = {"lac-fake-feature"}; });
  expectRefused(load(f), Error::Unsupported, "CPU feature 'lac-fake-feature'");
  OpenOptions skip;
  skip.check_host_cpu = false;
  EXPECT_TRUE(load(f, skip).ok());
}

TEST(ArtifactNegative, StopTokenOutsideVocabulary) {
  auto f = withPlan([](plan::PlanT& p) { p.stop_token_ids.push_back(16); });
  expectRefused(load(f), Error::InvalidArtifact, "stop token id 16 is not below the vocabulary size 16");
}

TEST(ArtifactNegative, MergeNamesMissingToken) {
  auto f = withPlan([](plan::PlanT& p) { p.tokenizer->merges.push_back(plan::Merge(3, 40)); });
  expectRefused(load(f), Error::InvalidArtifact, "tokenizer merge 2");
}

TEST(ArtifactNegative, BosOutsideVocabulary) {
  auto f = withPlan([](plan::PlanT& p) { p.tokenizer->bos_id = 1000; });
  expectRefused(load(f), Error::InvalidArtifact, "bos id 1000");
}

TEST(ArtifactNegative, PlanVersionDisagreesWithHeader) {
  auto f = withPlan([](plan::PlanT& p) { p.format_version = 7; });
  expectRefused(load(f), Error::InvalidArtifact, "plan says format version 7");
}

// ---------------------------------------------------------------------------
// The blob against the plan

TEST(ArtifactNegative, BlobChecksumDisagreesWithPlan) {
  std::vector<uint8_t> f = assemble(*makeTestPlan());
  Header h = headerOf(f);
  h.weights_checksum ^= 1;
  setHeader(f, h);
  expectRefused(load(f), Error::InvalidArtifact, "not the one the plan was compiled with");
}

TEST(ArtifactNegative, MissingFileIsNotFound) {
  auto a = Artifact::open("/nonexistent/lac/model.lac");
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error(), Error::NotFound);
}

}  // namespace
}  // namespace lac::artifact
