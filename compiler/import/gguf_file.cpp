#include "compiler/import/gguf_file.h"

#include <limits>

namespace lac::import {

namespace {

constexpr uint32_t kMagic = 0x46554747;  // "GGUF" read as little-endian u32
constexpr uint32_t kMaxDims = 4;         // GGML_MAX_DIMS
constexpr int kMaxArrayDepth = 8;        // nested arrays deeper than this are refused
constexpr uint64_t kMaxNameLength = 65536;
// Decoded metadata is larger than its bytes in the file (a u8 array element
// becomes a GgufValue), so its size in memory is capped. Real tokenizers
// (Llama 3: 128k tokens + 280k merges) take a few tens of MiB.
constexpr uint64_t kMetadataBudget = uint64_t(512) << 20;

using ull = unsigned long long;

}  // namespace

// ---------------------------------------------------------------------------
// Values

const char* ggufTypeName(GgufType t) {
  switch (t) {
    case GgufType::U8: return "u8";
    case GgufType::I8: return "i8";
    case GgufType::U16: return "u16";
    case GgufType::I16: return "i16";
    case GgufType::U32: return "u32";
    case GgufType::I32: return "i32";
    case GgufType::F32: return "f32";
    case GgufType::Bool: return "bool";
    case GgufType::String: return "string";
    case GgufType::Array: return "array";
    case GgufType::U64: return "u64";
    case GgufType::I64: return "i64";
    case GgufType::F64: return "f64";
  }
  return "?";
}

std::optional<uint64_t> GgufValue::asUint() const {
  if (auto* u = std::get_if<uint64_t>(&data)) return *u;
  if (auto* i = std::get_if<int64_t>(&data); i && *i >= 0) return static_cast<uint64_t>(*i);
  return std::nullopt;
}

std::optional<int64_t> GgufValue::asInt() const {
  if (auto* i = std::get_if<int64_t>(&data)) return *i;
  if (auto* u = std::get_if<uint64_t>(&data); u && *u <= uint64_t(std::numeric_limits<int64_t>::max()))
    return static_cast<int64_t>(*u);
  return std::nullopt;
}

std::optional<double> GgufValue::asFloat() const {
  if (auto* d = std::get_if<double>(&data)) return *d;
  if (auto* u = std::get_if<uint64_t>(&data)) return static_cast<double>(*u);
  if (auto* i = std::get_if<int64_t>(&data)) return static_cast<double>(*i);
  return std::nullopt;
}

std::optional<bool> GgufValue::asBool() const {
  if (auto* b = std::get_if<bool>(&data)) return *b;
  return std::nullopt;
}

const std::string* GgufValue::asString() const { return std::get_if<std::string>(&data); }
const GgufArray* GgufValue::asArray() const { return std::get_if<GgufArray>(&data); }

const GgufValue* GgufFile::find(const std::string& key) const {
  auto it = kv.find(key);
  return it == kv.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------
// Typed lookups

Result<std::optional<uint32_t>> ggufU32(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return std::optional<uint32_t>{};
  auto u = v->asUint();
  LAC_CHECK_OR_RETURN(u && *u <= 0xffffffffu, Error::InvalidCheckpoint,
                      "%s: key '%s' should be an unsigned 32-bit integer (it is a %s)", f.path.c_str(), key.c_str(),
                      ggufTypeName(v->type));
  return std::optional<uint32_t>(static_cast<uint32_t>(*u));
}

Result<std::optional<double>> ggufFloat(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return std::optional<double>{};
  auto d = v->asFloat();
  LAC_CHECK_OR_RETURN(d.has_value(), Error::InvalidCheckpoint, "%s: key '%s' should be a number (it is a %s)",
                      f.path.c_str(), key.c_str(), ggufTypeName(v->type));
  return d;
}

Result<std::optional<bool>> ggufBool(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return std::optional<bool>{};
  auto b = v->asBool();
  LAC_CHECK_OR_RETURN(b.has_value(), Error::InvalidCheckpoint, "%s: key '%s' should be a bool (it is a %s)",
                      f.path.c_str(), key.c_str(), ggufTypeName(v->type));
  return b;
}

Result<std::optional<std::string>> ggufString(const GgufFile& f, const std::string& key) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return std::optional<std::string>{};
  const std::string* s = v->asString();
  LAC_CHECK_OR_RETURN(s != nullptr, Error::InvalidCheckpoint, "%s: key '%s' should be a string (it is a %s)",
                      f.path.c_str(), key.c_str(), ggufTypeName(v->type));
  return std::optional<std::string>(*s);
}

Result<const GgufArray*> ggufArray(const GgufFile& f, const std::string& key, GgufType elem) {
  const GgufValue* v = f.find(key);
  if (v == nullptr) return static_cast<const GgufArray*>(nullptr);
  const GgufArray* a = v->asArray();
  const bool is_int = [](GgufType t) {
    return t == GgufType::U8 || t == GgufType::I8 || t == GgufType::U16 || t == GgufType::I16 ||
           t == GgufType::U32 || t == GgufType::I32 || t == GgufType::U64 || t == GgufType::I64;
  }(v->elem_type);
  const bool ok = a != nullptr && (v->elem_type == elem || (elem == GgufType::I32 && is_int));
  LAC_CHECK_OR_RETURN(ok, Error::InvalidCheckpoint, "%s: key '%s' should be an array of %s (it is a %s%s%s)",
                      f.path.c_str(), key.c_str(), ggufTypeName(elem), ggufTypeName(v->type),
                      a ? " of " : "", a ? ggufTypeName(v->elem_type) : "");
  return a;
}

namespace {

// ---------------------------------------------------------------------------
// Parser: a ByteReader plus the file name for messages.

class Parser {
 public:
  Parser(std::span<const uint8_t> bytes, const std::string& path) : r_(bytes), path_(path) {}

  ByteReader& reader() { return r_; }
  const char* path() const { return path_.c_str(); }

  template <typename T>
  VoidResult read(T& out, const char* what) {
    const size_t at = r_.offset();
    LAC_CHECK_OR_RETURN(r_.read(out), Error::InvalidCheckpoint,
                        "%s: file ends at byte %zu while reading %s at byte offset %zu", path(), r_.size(), what, at);
    return {};
  }

  // Accounts `bytes` of decoded metadata against kMetadataBudget.
  VoidResult charge(uint64_t bytes, size_t at) {
    LAC_CHECK_OR_RETURN(bytes <= kMetadataBudget - used_, Error::InvalidCheckpoint,
                        "%s: metadata up to byte offset %zu would take more than %llu MiB in memory", path(), at,
                        static_cast<ull>(kMetadataBudget >> 20));
    used_ += bytes;
    return {};
  }

  VoidResult readString(std::string& out, const char* what, uint64_t max_len) {
    const size_t at = r_.offset();
    uint64_t len = 0;
    LAC_RETURN_IF_ERROR(read(len, what));
    LAC_CHECK_OR_RETURN(len <= r_.remaining() && len <= max_len, Error::InvalidCheckpoint,
                        "%s: %s at byte offset %zu has length %llu, more than the %zu bytes left in the file", path(),
                        what, at, static_cast<ull>(len), r_.remaining());
    LAC_RETURN_IF_ERROR(charge(len, at));
    LAC_CHECK_OR_RETURN(r_.readString(static_cast<size_t>(len), out), Error::Internal, "%s: string read failed",
                        path());
    return {};
  }

  // Smallest number of bytes one value of type `t` can take (for count sanity checks).
  static uint64_t minBytes(GgufType t) {
    switch (t) {
      case GgufType::U8: case GgufType::I8: case GgufType::Bool: return 1;
      case GgufType::U16: case GgufType::I16: return 2;
      case GgufType::U32: case GgufType::I32: case GgufType::F32: return 4;
      case GgufType::U64: case GgufType::I64: case GgufType::F64: case GgufType::String: return 8;
      case GgufType::Array: return 12;
    }
    return 1;
  }

  static bool knownType(uint32_t t) { return t <= static_cast<uint32_t>(GgufType::F64); }

  VoidResult readValue(GgufType t, GgufValue& out, const std::string& key, int depth) {
    out.type = t;
    switch (t) {
      case GgufType::U8: return readScalar<uint8_t, uint64_t>(out, key);
      case GgufType::I8: return readScalar<int8_t, int64_t>(out, key);
      case GgufType::U16: return readScalar<uint16_t, uint64_t>(out, key);
      case GgufType::I16: return readScalar<int16_t, int64_t>(out, key);
      case GgufType::U32: return readScalar<uint32_t, uint64_t>(out, key);
      case GgufType::I32: return readScalar<int32_t, int64_t>(out, key);
      case GgufType::U64: return readScalar<uint64_t, uint64_t>(out, key);
      case GgufType::I64: return readScalar<int64_t, int64_t>(out, key);
      case GgufType::F32: return readScalar<float, double>(out, key);
      case GgufType::F64: return readScalar<double, double>(out, key);
      case GgufType::Bool: {
        const size_t at = r_.offset();
        uint8_t b = 0;
        LAC_RETURN_IF_ERROR(read(b, "a bool value"));
        LAC_CHECK_OR_RETURN(b <= 1, Error::InvalidCheckpoint,
                            "%s: key '%s': bool at byte offset %zu has value %u (not 0 or 1)", path(), key.c_str(), at,
                            b);
        out.data = b != 0;
        return {};
      }
      case GgufType::String: {
        std::string s;
        LAC_RETURN_IF_ERROR(readString(s, "a string value", std::numeric_limits<uint64_t>::max()));
        out.data = std::move(s);
        return {};
      }
      case GgufType::Array: return readArray(out, key, depth);
    }
    LAC_FAIL(Error::Internal, "%s: unhandled value type", path());
  }

 private:
  template <typename Stored, typename Wide>
  VoidResult readScalar(GgufValue& out, const std::string& key) {
    Stored v{};
    LAC_RETURN_IF_ERROR(read(v, "a metadata value"));
    out.data = static_cast<Wide>(v);
    return {};
  }

  VoidResult readArray(GgufValue& out, const std::string& key, int depth) {
    const size_t at = r_.offset();
    LAC_CHECK_OR_RETURN(depth < kMaxArrayDepth, Error::InvalidCheckpoint,
                        "%s: key '%s': arrays nested more than %d deep at byte offset %zu", path(), key.c_str(),
                        kMaxArrayDepth, at);
    uint32_t et = 0;
    uint64_t count = 0;
    LAC_RETURN_IF_ERROR(read(et, "an array element type"));
    LAC_CHECK_OR_RETURN(knownType(et), Error::InvalidCheckpoint,
                        "%s: key '%s': array at byte offset %zu has unknown element type %u", path(), key.c_str(), at,
                        et);
    LAC_RETURN_IF_ERROR(read(count, "an array length"));
    const GgufType elem = static_cast<GgufType>(et);
    LAC_CHECK_OR_RETURN(count <= r_.remaining() / minBytes(elem), Error::InvalidCheckpoint,
                        "%s: key '%s': array at byte offset %zu claims %llu %s elements, more than the %zu bytes left "
                        "in the file can hold",
                        path(), key.c_str(), at, static_cast<ull>(count), ggufTypeName(elem), r_.remaining());
    LAC_RETURN_IF_ERROR(charge(count * sizeof(GgufValue), at));
    out.elem_type = elem;
    GgufArray items(static_cast<size_t>(count));
    for (GgufValue& v : items) LAC_RETURN_IF_ERROR(readValue(elem, v, key, depth + 1));
    out.data = std::move(items);
    return {};
  }

  ByteReader r_;
  std::string path_;
  uint64_t used_ = 0;  // decoded metadata bytes so far
};

// ---------------------------------------------------------------------------
// Sections

VoidResult parseHeader(Parser& p, GgufFile& f, uint64_t& tensor_count, uint64_t& kv_count) {
  uint32_t magic = 0;
  LAC_CHECK_OR_RETURN(p.reader().read(magic), Error::InvalidCheckpoint,
                      "%s: file is %zu bytes, too short for a GGUF header", p.path(), p.reader().size());
  LAC_CHECK_OR_RETURN(magic == kMagic, Error::InvalidCheckpoint,
                      "%s: not a GGUF file (bad magic 0x%08x, expected \"GGUF\")", p.path(), magic);
  LAC_RETURN_IF_ERROR(p.read(f.version, "the GGUF version"));
  LAC_CHECK_OR_RETURN(f.version != 0x02000000u && f.version != 0x03000000u, Error::Unsupported,
                      "%s: big-endian GGUF files are not supported", p.path());
  LAC_CHECK_OR_RETURN(f.version == 2 || f.version == 3, Error::Unsupported,
                      "%s: GGUF version %u is not supported (only versions 2 and 3)", p.path(), f.version);
  LAC_RETURN_IF_ERROR(p.read(tensor_count, "the tensor count"));
  LAC_RETURN_IF_ERROR(p.read(kv_count, "the key/value count"));
  // Each tensor info takes at least 24 bytes, each key/value at least 13.
  const uint64_t left = p.reader().remaining();
  LAC_CHECK_OR_RETURN(tensor_count <= left / 24 && kv_count <= left / 13, Error::InvalidCheckpoint,
                      "%s: header claims %llu tensors and %llu keys, more than the %llu bytes left can hold",
                      p.path(), static_cast<ull>(tensor_count), static_cast<ull>(kv_count), static_cast<ull>(left));
  return {};
}

VoidResult parseKeyValues(Parser& p, GgufFile& f, uint64_t kv_count) {
  for (uint64_t i = 0; i < kv_count; ++i) {
    const size_t at = p.reader().offset();
    std::string key;
    LAC_RETURN_IF_ERROR(p.readString(key, "a metadata key", kMaxNameLength));
    uint32_t type = 0;
    LAC_RETURN_IF_ERROR(p.read(type, "a metadata value type"));
    LAC_CHECK_OR_RETURN(type <= static_cast<uint32_t>(GgufType::F64), Error::InvalidCheckpoint,
                        "%s: key '%s' at byte offset %zu has unknown value type %u", p.path(), key.c_str(), at, type);
    LAC_CHECK_OR_RETURN(f.kv.count(key) == 0, Error::InvalidCheckpoint,
                        "%s: key '%s' appears twice (second at byte offset %zu)", p.path(), key.c_str(), at);
    GgufValue v;
    LAC_RETURN_IF_ERROR(p.readValue(static_cast<GgufType>(type), v, key, 0));
    f.kv_order.push_back(key);
    f.kv.emplace(std::move(key), std::move(v));
  }
  return {};
}

VoidResult parseTensorInfo(Parser& p, GgufTensorInfo& t) {
  t.info_offset = p.reader().offset();
  LAC_RETURN_IF_ERROR(p.readString(t.name, "a tensor name", kMaxNameLength));
  uint32_t n_dims = 0;
  LAC_RETURN_IF_ERROR(p.read(n_dims, "a tensor's dimension count"));
  LAC_CHECK_OR_RETURN(n_dims >= 1 && n_dims <= kMaxDims, Error::InvalidCheckpoint,
                      "%s: tensor '%s' at byte offset %llu has %u dimensions (expected 1 to %u)", p.path(),
                      t.name.c_str(), static_cast<ull>(t.info_offset), n_dims, kMaxDims);
  t.ne.resize(n_dims);
  uint64_t elems = 1;
  for (uint64_t& d : t.ne) {
    LAC_RETURN_IF_ERROR(p.read(d, "a tensor dimension"));
    LAC_CHECK_OR_RETURN(d >= 1 && d <= (uint64_t(1) << 62) / elems, Error::InvalidCheckpoint,
                        "%s: tensor '%s' at byte offset %llu has an implausible dimension %llu", p.path(),
                        t.name.c_str(), static_cast<ull>(t.info_offset), static_cast<ull>(d));
    elems *= d;
  }
  LAC_RETURN_IF_ERROR(p.read(t.ggml_type, "a tensor's ggml type"));
  LAC_RETURN_IF_ERROR(p.read(t.offset, "a tensor's data offset"));
  return {};
}

VoidResult parseAlignment(Parser& p, GgufFile& f) {
  const GgufValue* a = f.find("general.alignment");
  if (a == nullptr) return {};
  auto v = a->asUint();
  LAC_CHECK_OR_RETURN(v && *v > 0 && *v <= 65536 && (*v & (*v - 1)) == 0, Error::InvalidCheckpoint,
                      "%s: general.alignment must be a power of two up to 65536", p.path());
  f.alignment = *v;
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------
// Entry points

Result<GgufFile> parseGguf(std::span<const uint8_t> bytes, const std::string& path) {
  Parser p(bytes, path);
  GgufFile f;
  f.path = path;
  f.file_size = bytes.size();
  uint64_t tensor_count = 0, kv_count = 0;
  LAC_RETURN_IF_ERROR(parseHeader(p, f, tensor_count, kv_count));
  LAC_RETURN_IF_ERROR(parseKeyValues(p, f, kv_count));
  LAC_RETURN_IF_ERROR(parseAlignment(p, f));

  f.tensors.resize(static_cast<size_t>(tensor_count));
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < f.tensors.size(); ++i) {
    GgufTensorInfo& t = f.tensors[i];
    LAC_RETURN_IF_ERROR(parseTensorInfo(p, t));
    LAC_CHECK_OR_RETURN(seen.emplace(t.name, i).second, Error::InvalidCheckpoint,
                        "%s: tensor '%s' appears twice (second at byte offset %llu)", path.c_str(), t.name.c_str(),
                        static_cast<ull>(t.info_offset));
    LAC_CHECK_OR_RETURN(t.offset % f.alignment == 0, Error::InvalidCheckpoint,
                        "%s: tensor '%s': data offset %llu is not a multiple of the alignment %llu", path.c_str(),
                        t.name.c_str(), static_cast<ull>(t.offset), static_cast<ull>(f.alignment));
  }
  const uint64_t end = p.reader().offset();
  f.data_offset = (end + f.alignment - 1) / f.alignment * f.alignment;
  return f;
}

Result<GgufMapped> openGguf(const std::string& path) {
  LAC_ASSIGN_OR_RETURN(auto file, MappedFile::open(path));
  LAC_ASSIGN_OR_RETURN(GgufFile gguf, parseGguf(file->bytes(), path));
  return GgufMapped{std::move(file), std::move(gguf)};
}

}  // namespace lac::import
