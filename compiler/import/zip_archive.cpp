#include "compiler/import/zip_archive.h"

#include <algorithm>

namespace lac::import {

namespace {

// Record signatures and fixed sizes (PKWARE APPNOTE 6.3, section 4.3).
constexpr uint32_t kLocalHeaderSig = 0x04034b50;   // "PK\3\4"
constexpr uint32_t kCentralHeaderSig = 0x02014b50; // "PK\1\2"
constexpr uint32_t kEocdSig = 0x06054b50;          // "PK\5\6"
constexpr uint32_t kZip64EocdSig = 0x06064b50;     // "PK\6\6"
constexpr uint32_t kZip64LocatorSig = 0x07064b50;  // "PK\6\7"
constexpr size_t kLocalHeaderSize = 30;
constexpr size_t kCentralHeaderSize = 46;
constexpr size_t kEocdSize = 22;
constexpr size_t kZip64LocatorSize = 20;
constexpr size_t kZip64EocdSize = 56;
constexpr uint16_t kZip64ExtraId = 0x0001;

using ull = unsigned long long;

// Where the central directory is, from the (ZIP64) end-of-central-directory.
struct CentralDir {
  uint64_t offset = 0;
  uint64_t size = 0;
  uint64_t count = 0;
};

// One central-directory record, before its local header is looked at.
struct CentralRecord {
  std::string name;
  uint16_t flags = 0;
  uint16_t method = 0;
  uint64_t comp_size = 0;
  uint64_t uncomp_size = 0;
  uint64_t local_offset = 0;
  uint32_t disk = 0;
};

// ---- end of central directory -------------------------------------------

// The EOCD is the last record; a comment of up to 65535 bytes may follow it.
Result<size_t> findEocd(std::span<const uint8_t> b, const std::string& where) {
  LAC_CHECK_OR_RETURN(b.size() >= kEocdSize, Error::InvalidCheckpoint,
                      "%s: not a zip archive: %zu bytes is too short for an end-of-central-directory record",
                      where.c_str(), b.size());
  const size_t last = b.size() - kEocdSize;
  const size_t first = last > 65535 ? last - 65535 : 0;
  for (size_t pos = last + 1; pos-- > first;) {
    uint32_t sig;
    __builtin_memcpy(&sig, b.data() + pos, 4);
    if (sig != kEocdSig) continue;
    uint16_t comment_len;
    __builtin_memcpy(&comment_len, b.data() + pos + 20, 2);
    if (pos + kEocdSize + comment_len <= b.size()) return pos;
  }
  LAC_FAIL(Error::InvalidCheckpoint,
           "%s: not a zip archive or truncated: no end-of-central-directory record in its last %zu bytes",
           where.c_str(), b.size() - first);
}

Result<CentralDir> readZip64Eocd(std::span<const uint8_t> b, size_t locator_pos, const std::string& where) {
  ByteReader loc(b, locator_pos + 4);
  uint32_t eocd_disk = 0, total_disks = 0;
  uint64_t eocd64_offset = 0;
  (void)(loc.read(eocd_disk) && loc.read(eocd64_offset) && loc.read(total_disks));
  LAC_CHECK_OR_RETURN(eocd_disk == 0 && total_disks <= 1, Error::Unsupported,
                      "%s: multi-disk zip archives are not supported", where.c_str());
  LAC_CHECK_OR_RETURN(eocd64_offset <= locator_pos && locator_pos - eocd64_offset >= kZip64EocdSize,
                      Error::InvalidCheckpoint,
                      "%s: ZIP64 end-of-central-directory offset %llu is out of range (locator at byte %zu)",
                      where.c_str(), static_cast<ull>(eocd64_offset), locator_pos);
  ByteReader r(b, eocd64_offset);
  uint32_t sig = 0, disk = 0, cd_disk = 0;
  uint64_t record_size = 0, n_this_disk = 0;
  uint16_t made_by = 0, needed = 0;
  CentralDir cd;
  const bool ok = r.read(sig) && r.read(record_size) && r.read(made_by) && r.read(needed) && r.read(disk) &&
                  r.read(cd_disk) && r.read(n_this_disk) && r.read(cd.count) && r.read(cd.size) &&
                  r.read(cd.offset);
  LAC_CHECK_OR_RETURN(ok && sig == kZip64EocdSig, Error::InvalidCheckpoint,
                      "%s: no ZIP64 end-of-central-directory record at byte offset %llu", where.c_str(),
                      static_cast<ull>(eocd64_offset));
  LAC_CHECK_OR_RETURN(disk == 0 && cd_disk == 0 && n_this_disk == cd.count, Error::Unsupported,
                      "%s: multi-disk zip archives are not supported", where.c_str());
  return cd;
}

Result<CentralDir> readEocd(std::span<const uint8_t> b, const std::string& where) {
  LAC_ASSIGN_OR_RETURN(size_t pos, findEocd(b, where));
  // A ZIP64 locator, when present, sits right before the EOCD (torch always writes one).
  if (pos >= kZip64LocatorSize) {
    uint32_t sig;
    __builtin_memcpy(&sig, b.data() + pos - kZip64LocatorSize, 4);
    if (sig == kZip64LocatorSig) return readZip64Eocd(b, pos - kZip64LocatorSize, where);
  }
  ByteReader r(b, pos + 4);
  uint16_t disk = 0, cd_disk = 0, n_this_disk = 0, n_total = 0;
  uint32_t cd_size = 0, cd_offset = 0;
  (void)(r.read(disk) && r.read(cd_disk) && r.read(n_this_disk) && r.read(n_total) && r.read(cd_size) &&
         r.read(cd_offset));
  LAC_CHECK_OR_RETURN(disk == 0 && cd_disk == 0 && n_this_disk == n_total, Error::Unsupported,
                      "%s: multi-disk zip archives are not supported", where.c_str());
  LAC_CHECK_OR_RETURN(n_total != 0xFFFF && cd_size != 0xFFFFFFFF && cd_offset != 0xFFFFFFFF,
                      Error::InvalidCheckpoint,
                      "%s: end-of-central-directory needs ZIP64 values but has no ZIP64 locator", where.c_str());
  return CentralDir{cd_offset, cd_size, n_total};
}

// ---- central directory ----------------------------------------------------

// Replaces 0xFFFFFFFF fields with the 64-bit values of a ZIP64 extra field.
VoidResult applyZip64Extra(std::span<const uint8_t> extra, uint32_t comp32, uint32_t uncomp32, uint32_t off32,
                           CentralRecord& rec, const std::string& where) {
  const bool need_uncomp = uncomp32 == 0xFFFFFFFF, need_comp = comp32 == 0xFFFFFFFF, need_off = off32 == 0xFFFFFFFF;
  if (!need_uncomp && !need_comp && !need_off) return {};
  ByteReader r(extra);
  while (r.remaining() >= 4) {
    uint16_t id = 0, len = 0;
    (void)(r.read(id) && r.read(len));
    std::span<const uint8_t> body;
    LAC_CHECK_OR_RETURN(r.readBytes(len, body), Error::InvalidCheckpoint,
                        "%s: zip entry '%s': extra field runs past its end", where.c_str(), rec.name.c_str());
    if (id != kZip64ExtraId) continue;
    ByteReader z(body);
    bool ok = (!need_uncomp || z.read(rec.uncomp_size)) && (!need_comp || z.read(rec.comp_size)) &&
              (!need_off || z.read(rec.local_offset));
    LAC_CHECK_OR_RETURN(ok, Error::InvalidCheckpoint, "%s: zip entry '%s': ZIP64 extra field is too short",
                        where.c_str(), rec.name.c_str());
    return {};
  }
  LAC_FAIL(Error::InvalidCheckpoint, "%s: zip entry '%s' needs a ZIP64 extra field but has none", where.c_str(),
           rec.name.c_str());
}

Result<CentralRecord> readCentralRecord(ByteReader& r, const std::string& where) {
  const size_t at = r.offset();
  uint32_t sig = 0, crc = 0, comp32 = 0, uncomp32 = 0, ext_attr = 0, off32 = 0;
  uint16_t made_by = 0, needed = 0, time = 0, date = 0, name_len = 0, extra_len = 0, comment_len = 0,
           disk16 = 0, int_attr = 0;
  CentralRecord rec;
  bool ok = r.read(sig) && r.read(made_by) && r.read(needed) && r.read(rec.flags) && r.read(rec.method) &&
            r.read(time) && r.read(date) && r.read(crc) && r.read(comp32) && r.read(uncomp32) &&
            r.read(name_len) && r.read(extra_len) && r.read(comment_len) && r.read(disk16) && r.read(int_attr) &&
            r.read(ext_attr) && r.read(off32);
  LAC_CHECK_OR_RETURN(ok && sig == kCentralHeaderSig, Error::InvalidCheckpoint,
                      "%s: no central directory record at byte offset %zu", where.c_str(), at);
  std::span<const uint8_t> extra, comment;
  ok = r.readString(name_len, rec.name) && r.readBytes(extra_len, extra) && r.readBytes(comment_len, comment);
  LAC_CHECK_OR_RETURN(ok, Error::InvalidCheckpoint,
                      "%s: central directory record at byte offset %zu runs past the central directory",
                      where.c_str(), at);
  rec.comp_size = comp32;
  rec.uncomp_size = uncomp32;
  rec.local_offset = off32;
  rec.disk = disk16;
  LAC_RETURN_IF_ERROR(applyZip64Extra(extra, comp32, uncomp32, off32, rec, where));
  return rec;
}

// Checks what this reader supports and finds the data behind the local header.
Result<ZipEntry> resolveEntry(std::span<const uint8_t> b, const CentralRecord& rec, const std::string& where) {
  const char* name = rec.name.c_str();
  LAC_CHECK_OR_RETURN((rec.flags & 0x1) == 0, Error::Unsupported, "%s: zip entry '%s' is encrypted", where.c_str(),
                      name);
  LAC_CHECK_OR_RETURN(rec.method == 0, Error::Unsupported,
                      "%s: zip entry '%s' is compressed (method %u); only stored (uncompressed) entries are "
                      "supported, as torch.save writes them",
                      where.c_str(), name, rec.method);
  LAC_CHECK_OR_RETURN(rec.comp_size == rec.uncomp_size, Error::InvalidCheckpoint,
                      "%s: stored zip entry '%s' has compressed size %llu but uncompressed size %llu", where.c_str(),
                      name, static_cast<ull>(rec.comp_size), static_cast<ull>(rec.uncomp_size));
  LAC_CHECK_OR_RETURN(rec.disk == 0, Error::Unsupported, "%s: zip entry '%s' is on another disk", where.c_str(),
                      name);
  LAC_CHECK_OR_RETURN(rec.local_offset <= b.size() && b.size() - rec.local_offset >= kLocalHeaderSize,
                      Error::InvalidCheckpoint, "%s: zip entry '%s': local header at byte offset %llu is past the end",
                      where.c_str(), name, static_cast<ull>(rec.local_offset));
  ByteReader r(b, rec.local_offset);
  uint32_t sig = 0;
  uint16_t name_len = 0, extra_len = 0;
  (void)r.read(sig);
  (void)(r.seek(rec.local_offset + 26) && r.read(name_len) && r.read(extra_len));
  LAC_CHECK_OR_RETURN(sig == kLocalHeaderSig, Error::InvalidCheckpoint,
                      "%s: zip entry '%s': no local header at byte offset %llu", where.c_str(), name,
                      static_cast<ull>(rec.local_offset));
  std::string local_name;
  LAC_CHECK_OR_RETURN(r.readString(name_len, local_name) && local_name == rec.name && r.skip(extra_len),
                      Error::InvalidCheckpoint,
                      "%s: zip entry '%s': local header at byte offset %llu disagrees with the central directory",
                      where.c_str(), name, static_cast<ull>(rec.local_offset));
  ZipEntry e{rec.name, r.offset(), rec.uncomp_size};
  LAC_CHECK_OR_RETURN(e.size <= b.size() - e.data_offset, Error::InvalidCheckpoint,
                      "%s: zip entry '%s': %llu bytes at byte offset %llu run past the end of the file (%zu bytes)",
                      where.c_str(), name, static_cast<ull>(e.size), static_cast<ull>(e.data_offset), b.size());
  return e;
}

}  // namespace

// ---- ZipArchive -------------------------------------------------------------

Result<ZipArchive> ZipArchive::parse(std::span<const uint8_t> bytes, std::string where) {
  LAC_ASSIGN_OR_RETURN(CentralDir cd, readEocd(bytes, where));
  LAC_CHECK_OR_RETURN(cd.offset <= bytes.size() && cd.size <= bytes.size() - cd.offset, Error::InvalidCheckpoint,
                      "%s: central directory (%llu bytes at byte offset %llu) runs past the end of the file (%zu bytes)",
                      where.c_str(), static_cast<ull>(cd.size), static_cast<ull>(cd.offset), bytes.size());
  LAC_CHECK_OR_RETURN(cd.count <= cd.size / kCentralHeaderSize, Error::InvalidCheckpoint,
                      "%s: central directory claims %llu entries in %llu bytes", where.c_str(),
                      static_cast<ull>(cd.count), static_cast<ull>(cd.size));
  ZipArchive z;
  z.bytes_ = bytes;
  z.where_ = std::move(where);
  z.entries_.reserve(cd.count);
  ByteReader r(bytes.first(cd.offset + cd.size), cd.offset);
  for (uint64_t i = 0; i < cd.count; ++i) {
    LAC_ASSIGN_OR_RETURN(CentralRecord rec, readCentralRecord(r, z.where_));
    LAC_ASSIGN_OR_RETURN(ZipEntry e, resolveEntry(bytes, rec, z.where_));
    z.entries_.push_back(std::move(e));
  }
  return z;
}

Result<ZipArchive> ZipArchive::open(std::shared_ptr<const MappedFile> file) {
  LAC_CHECK_OR_RETURN(file != nullptr, Error::Internal, "ZipArchive::open: no file");
  LAC_ASSIGN_OR_RETURN(ZipArchive z, parse(file->bytes(), file->path()));
  z.file_ = std::move(file);
  return z;
}

const ZipEntry* ZipArchive::find(std::string_view name) const {
  auto it = std::find_if(entries_.begin(), entries_.end(), [&](const ZipEntry& e) { return e.name == name; });
  return it == entries_.end() ? nullptr : &*it;
}

}  // namespace lac::import
