#include "compiler/import/safetensors_file.h"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

namespace lac::import {

using nlohmann::json;

namespace {

using ull = unsigned long long;

// ---- dtype names -------------------------------------------------------------

// safetensors dtype strings that LAC reads; every other one is reported.
std::optional<DType> dtypeFromSafetensors(const std::string& s) {
  if (s == "F32") return DType::F32;
  if (s == "F16") return DType::F16;
  if (s == "BF16") return DType::BF16;
  return std::nullopt;
}

// ---- one entry ---------------------------------------------------------------

// Reads a JSON array of non-negative integers.
bool readUintArray(const json& j, std::vector<uint64_t>& out) {
  if (!j.is_array()) return false;
  out.clear();
  for (const json& v : j) {
    if (!v.is_number_unsigned()) return false;
    out.push_back(v.get<uint64_t>());
  }
  return true;
}

Result<SafetensorsEntry> parseEntry(const std::string& file, const std::string& key, const json& v,
                                    uint64_t data_start, uint64_t data_size) {
  const char* f = file.c_str();
  const char* t = key.c_str();
  LAC_CHECK_OR_RETURN(v.is_object(), Error::InvalidCheckpoint, "%s: tensor '%s': header entry is not an object", f, t);
  auto dt = v.find("dtype");
  LAC_CHECK_OR_RETURN(dt != v.end() && dt->is_string(), Error::InvalidCheckpoint,
                      "%s: tensor '%s': missing or non-string \"dtype\"", f, t);
  auto sh = v.find("shape");
  auto off = v.find("data_offsets");
  SafetensorsEntry e;
  e.name = key;
  LAC_CHECK_OR_RETURN(sh != v.end() && readUintArray(*sh, e.shape), Error::InvalidCheckpoint,
                      "%s: tensor '%s': \"shape\" is not a list of non-negative integers", f, t);
  std::vector<uint64_t> range;
  LAC_CHECK_OR_RETURN(off != v.end() && readUintArray(*off, range) && range.size() == 2, Error::InvalidCheckpoint,
                      "%s: tensor '%s': \"data_offsets\" is not a pair [begin, end] of non-negative integers", f, t);
  const std::string dtype_name = dt->get<std::string>();
  auto dtype = dtypeFromSafetensors(dtype_name);
  LAC_CHECK_OR_RETURN(dtype.has_value(), Error::Unsupported,
                      "%s: tensor '%s': dtype %s is not supported (only F32, F16, BF16)", f, t, dtype_name.c_str());
  e.dtype = *dtype;

  const uint64_t begin = range[0], end = range[1];
  LAC_CHECK_OR_RETURN(begin <= end, Error::InvalidCheckpoint,
                      "%s: tensor '%s': data_offsets [%llu, %llu] end before they begin", f, t, ull(begin), ull(end));
  LAC_CHECK_OR_RETURN(end <= data_size, Error::InvalidCheckpoint,
                      "%s: tensor '%s': data at byte offset %llu runs past the end of the file "
                      "(data_offsets end %llu, data section holds %llu bytes)",
                      f, t, ull(data_start + begin), ull(end), ull(data_size));

  // numel * element size, without overflow (the byte count bounds everything).
  const uint64_t elem = dtypeInfo(e.dtype).blockBytes;
  uint64_t want = elem;
  bool overflow = false;
  for (uint64_t d : e.shape) {
    if (d != 0 && want > UINT64_MAX / d) overflow = true;
    want = overflow ? 0 : want * d;
  }
  LAC_CHECK_OR_RETURN(!overflow && want == end - begin, Error::InvalidCheckpoint,
                      "%s: tensor '%s': data_offsets [%llu, %llu] hold %llu bytes, its shape and dtype %s need %s%llu",
                      f, t, ull(begin), ull(end), ull(end - begin), dtype_name.c_str(), overflow ? "more than " : "",
                      ull(overflow ? UINT64_MAX : want));
  e.offset = data_start + begin;
  e.bytes = end - begin;
  return e;
}

// ---- the whole header ----------------------------------------------------------

Result<json> parseJson(std::span<const uint8_t> text, const std::string& file) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::exception& ex) {
    LAC_FAIL(Error::InvalidCheckpoint, "%s: header is not valid JSON (%s)", file.c_str(), ex.what());
  }
}

}  // namespace

Result<SafetensorsHeader> parseSafetensors(std::span<const uint8_t> bytes, const std::string& name) {
  const char* f = name.c_str();
  ByteReader r(bytes);
  uint64_t n = 0;
  LAC_CHECK_OR_RETURN(r.read(n), Error::InvalidCheckpoint,
                      "%s: file is %zu bytes, too short for a safetensors header length", f, bytes.size());
  LAC_CHECK_OR_RETURN(n <= r.remaining(), Error::InvalidCheckpoint,
                      "%s: header length %llu runs past the end of the file (%zu bytes)", f, ull(n), bytes.size());
  LAC_CHECK_OR_RETURN(n <= kMaxSafetensorsHeaderBytes, Error::InvalidCheckpoint,
                      "%s: header length %llu is larger than the %llu-byte limit", f, ull(n),
                      ull(kMaxSafetensorsHeaderBytes));
  std::span<const uint8_t> text;
  (void)r.readBytes(n, text);

  SafetensorsHeader h;
  h.data_start = 8 + n;
  const uint64_t data_size = bytes.size() - h.data_start;
  LAC_ASSIGN_OR_RETURN(json j, parseJson(text, name));
  LAC_CHECK_OR_RETURN(j.is_object(), Error::InvalidCheckpoint, "%s: header is not a JSON object", f);

  for (const auto& [key, v] : j.items()) {
    if (key == "__metadata__") {
      if (v.is_object())
        for (const auto& [mk, mv] : v.items())
          if (mv.is_string()) h.metadata[mk] = mv.get<std::string>();
      continue;
    }
    LAC_ASSIGN_OR_RETURN(SafetensorsEntry e, parseEntry(name, key, v, h.data_start, data_size));
    h.tensors.push_back(std::move(e));
  }

  // No two tensors may share bytes (empty tensors share nothing).
  std::sort(h.tensors.begin(), h.tensors.end(), [](const SafetensorsEntry& a, const SafetensorsEntry& b) {
    return a.offset != b.offset ? a.offset < b.offset : a.bytes < b.bytes;
  });
  const SafetensorsEntry* prev = nullptr;
  for (const SafetensorsEntry& e : h.tensors) {
    if (e.bytes == 0) continue;
    LAC_CHECK_OR_RETURN(prev == nullptr || e.offset >= prev->offset + prev->bytes, Error::InvalidCheckpoint,
                        "%s: tensor '%s': data at byte offset %llu overlaps tensor '%s' (bytes %llu..%llu)", f,
                        e.name.c_str(), ull(e.offset), prev ? prev->name.c_str() : "", ull(prev ? prev->offset : 0),
                        ull(prev ? prev->offset + prev->bytes : 0));
    prev = &e;
  }
  return h;
}

Result<SafetensorsFile> openSafetensors(const std::string& path) {
  SafetensorsFile out;
  LAC_ASSIGN_OR_RETURN(out.file, MappedFile::open(path));
  LAC_ASSIGN_OR_RETURN(out.header, parseSafetensors(out.file->bytes(), path));
  return out;
}

}  // namespace lac::import
