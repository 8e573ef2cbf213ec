#include "compiler/import/torch_pickle.h"

#include <cstring>
#include <map>
#include <optional>
#include <unordered_map>

#include "runtime/core/mapped_file.h"

namespace lac::import {

namespace {

using ull = unsigned long long;

// ---- the value tree -----------------------------------------------------------
// Values live in one arena and refer to each other by index, so a pickle that
// makes a container hold itself (through the memo) cannot leak or loop.

enum class Kind : uint8_t { None, Bool, Int, Float, String, Tuple, List, Dict, Global, Storage, Tensor };

const char* kindName(Kind k) {
  switch (k) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Tuple: return "tuple";
    case Kind::List: return "list";
    case Kind::Dict: return "dict";
    case Kind::Global: return "global";
    case Kind::Storage: return "storage";
    case Kind::Tensor: return "tensor";
  }
  return "?";
}

// The globals a torch.save state dict may name.
enum class Global : uint8_t { OrderedDict, RebuildTensorV2, RebuildParameter, BFloat16Storage, HalfStorage, FloatStorage };

std::optional<Global> allowedGlobal(const std::string& module, const std::string& name) {
  if (module == "collections" && name == "OrderedDict") return Global::OrderedDict;
  if (module == "torch._utils" && name == "_rebuild_tensor_v2") return Global::RebuildTensorV2;
  if (module == "torch._utils" && name == "_rebuild_parameter") return Global::RebuildParameter;
  if (module == "torch" && name == "BFloat16Storage") return Global::BFloat16Storage;
  if (module == "torch" && name == "HalfStorage") return Global::HalfStorage;
  if (module == "torch" && name == "FloatStorage") return Global::FloatStorage;
  return std::nullopt;
}

struct Value {
  Kind kind = Kind::None;
  int64_t i = 0;                 // Int, Bool; Storage: numel; Tensor: storage offset
  double f = 0;                  // Float
  std::string s;                 // String; Global: "module name"; Storage: key
  Global global{};               // Global
  DType dtype = DType::F32;      // Storage
  bool ordered = false;          // Dict made by OrderedDict()
  std::vector<uint32_t> items;   // Tuple/List: elements; Dict: k0, v0, k1, v1, ...; Tensor: {storage}
  std::vector<uint64_t> shape;   // Tensor
  std::vector<uint64_t> stride;  // Tensor
};

Value val(Kind k, int64_t i = 0) {
  Value v;
  v.kind = k;
  v.i = i;
  return v;
}

// ---- the machine ---------------------------------------------------------------

class Unpickler {
 public:
  Unpickler(std::span<const uint8_t> bytes, const std::string& where) : r_(bytes), where_(where) {}

  // Runs to STOP; returns the index of the result.
  Result<uint32_t> run();
  const Value& at(uint32_t id) const { return arena_[id]; }

 private:
  VoidResult step(uint8_t op);
  uint32_t make(Value v) {
    arena_.push_back(std::move(v));
    return static_cast<uint32_t>(arena_.size() - 1);
  }
  void push(Value v) { stack_.push_back(make(std::move(v))); }
  Result<uint32_t> pop();
  Result<std::vector<uint32_t>> popToMark();
  Result<uint32_t> top();
  VoidResult memoPut(uint32_t key);
  VoidResult memoGet(uint32_t key);
  Result<std::string> readLine();
  VoidResult opGlobal();
  VoidResult opReduce();
  VoidResult opBuild();
  VoidResult opPersistentId();
  VoidResult opSetItems(std::vector<uint32_t> kv, uint32_t dict);
  VoidResult opAppends(std::vector<uint32_t> xs, uint32_t list);
  Result<uint32_t> rebuildTensor(const Value& args);
  Result<std::vector<uint64_t>> intTuple(uint32_t id, const char* what);

  template <typename T>
  VoidResult arg(T& out) {
    LAC_CHECK_OR_RETURN(r_.read(out), Error::InvalidCheckpoint,
                        "%s: pickle truncated in the argument of opcode 0x%02x at byte offset %zu", where_.c_str(),
                        op_, op_at_);
    return {};
  }
  VoidResult stringArg(uint64_t n);

  ByteReader r_;
  const std::string& where_;
  std::vector<Value> arena_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;  // stack sizes at each MARK
  std::unordered_map<uint32_t, uint32_t> memo_;
  uint8_t op_ = 0;
  size_t op_at_ = 0;
  bool stopped_ = false;
};

#define LAC_PICKLE_FAIL(...) LAC_FAIL(Error::InvalidCheckpoint, __VA_ARGS__)

Result<uint32_t> Unpickler::pop() {
  const size_t floor = marks_.empty() ? 0 : marks_.back();
  LAC_CHECK_OR_RETURN(stack_.size() > floor, Error::InvalidCheckpoint,
                      "%s: pickle stack underflow at opcode 0x%02x, byte offset %zu", where_.c_str(), op_, op_at_);
  uint32_t v = stack_.back();
  stack_.pop_back();
  return v;
}

Result<uint32_t> Unpickler::top() {
  LAC_ASSIGN_OR_RETURN(uint32_t v, pop());
  stack_.push_back(v);
  return v;
}

Result<std::vector<uint32_t>> Unpickler::popToMark() {
  LAC_CHECK_OR_RETURN(!marks_.empty(), Error::InvalidCheckpoint,
                      "%s: pickle opcode 0x%02x at byte offset %zu needs a MARK", where_.c_str(), op_, op_at_);
  const size_t m = marks_.back();
  marks_.pop_back();
  std::vector<uint32_t> out(stack_.begin() + static_cast<ptrdiff_t>(m), stack_.end());
  stack_.resize(m);
  return out;
}

VoidResult Unpickler::memoPut(uint32_t key) {
  LAC_ASSIGN_OR_RETURN(uint32_t v, top());
  memo_[key] = v;
  return {};
}

VoidResult Unpickler::memoGet(uint32_t key) {
  auto it = memo_.find(key);
  LAC_CHECK_OR_RETURN(it != memo_.end(), Error::InvalidCheckpoint,
                      "%s: pickle memo key %u is not set (byte offset %zu)", where_.c_str(), key, op_at_);
  stack_.push_back(it->second);
  return {};
}

VoidResult Unpickler::stringArg(uint64_t n) {
  Value v = val(Kind::String);
  LAC_CHECK_OR_RETURN(n <= r_.remaining() && r_.readString(n, v.s), Error::InvalidCheckpoint,
                      "%s: pickle string of %llu bytes at byte offset %zu runs past the end", where_.c_str(),
                      static_cast<ull>(n), op_at_);
  push(std::move(v));
  return {};
}

Result<std::string> Unpickler::readLine() {
  std::string out;
  char c = 0;
  while (r_.read(c)) {
    if (c == '\n') return out;
    out.push_back(c);
  }
  LAC_PICKLE_FAIL("%s: pickle GLOBAL at byte offset %zu: unterminated name", where_.c_str(), op_at_);
}

// ---- opcodes that build torch objects -------------------------------------------

VoidResult Unpickler::opGlobal() {
  LAC_ASSIGN_OR_RETURN(std::string module, readLine());
  LAC_ASSIGN_OR_RETURN(std::string name, readLine());
  auto g = allowedGlobal(module, name);
  LAC_CHECK_OR_RETURN(g.has_value(), Error::InvalidCheckpoint,
                      "%s: pickle global '%s %s' is not allowed (byte offset %zu); a state dict of tensors only "
                      "needs OrderedDict, _rebuild_tensor_v2 and storage types",
                      where_.c_str(), module.c_str(), name.c_str(), op_at_);
  Value v = val(Kind::Global);
  v.s = module + " " + name;
  v.global = *g;
  push(std::move(v));
  return {};
}

VoidResult Unpickler::opPersistentId() {
  LAC_ASSIGN_OR_RETURN(uint32_t pid, pop());
  const Value& t = arena_[pid];
  auto is = [&](size_t i, Kind k) { return arena_[t.items[i]].kind == k; };
  const bool shape_ok = t.kind == Kind::Tuple && t.items.size() == 5 && is(0, Kind::String) &&
                        arena_[t.items[0]].s == "storage" && is(1, Kind::Global) && is(2, Kind::String) &&
                        is(3, Kind::String) && is(4, Kind::Int);
  LAC_CHECK_OR_RETURN(shape_ok, Error::InvalidCheckpoint,
                      "%s: pickle persistent id at byte offset %zu is not ('storage', type, key, location, numel)",
                      where_.c_str(), op_at_);
  const Value& type = arena_[t.items[1]];
  Value s = val(Kind::Storage);
  switch (type.global) {
    case Global::BFloat16Storage: s.dtype = DType::BF16; break;
    case Global::HalfStorage: s.dtype = DType::F16; break;
    case Global::FloatStorage: s.dtype = DType::F32; break;
    default:
      LAC_PICKLE_FAIL("%s: pickle persistent id at byte offset %zu: '%s' is not a storage type", where_.c_str(),
                      op_at_, type.s.c_str());
  }
  s.s = arena_[t.items[2]].s;
  s.i = arena_[t.items[4]].i;
  LAC_CHECK_OR_RETURN(s.i >= 0, Error::InvalidCheckpoint, "%s: storage '%s' has negative size", where_.c_str(),
                      s.s.c_str());
  push(std::move(s));
  return {};
}

Result<std::vector<uint64_t>> Unpickler::intTuple(uint32_t id, const char* what) {
  const Value& t = arena_[id];
  LAC_CHECK_OR_RETURN(t.kind == Kind::Tuple, Error::InvalidCheckpoint,
                      "%s: tensor %s at byte offset %zu is a %s, not a tuple", where_.c_str(), what, op_at_,
                      kindName(t.kind));
  std::vector<uint64_t> out;
  for (uint32_t e : t.items) {
    LAC_CHECK_OR_RETURN(arena_[e].kind == Kind::Int && arena_[e].i >= 0, Error::InvalidCheckpoint,
                        "%s: tensor %s at byte offset %zu holds something other than a non-negative int",
                        where_.c_str(), what, op_at_);
    out.push_back(static_cast<uint64_t>(arena_[e].i));
  }
  return out;
}

// _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
Result<uint32_t> Unpickler::rebuildTensor(const Value& args) {
  LAC_CHECK_OR_RETURN(args.items.size() == 6 || args.items.size() == 7, Error::InvalidCheckpoint,
                      "%s: _rebuild_tensor_v2 at byte offset %zu has %zu arguments, expected 6 or 7",
                      where_.c_str(), op_at_, args.items.size());
  const Value& storage = arena_[args.items[0]];
  const Value& offset = arena_[args.items[1]];
  LAC_CHECK_OR_RETURN(storage.kind == Kind::Storage && offset.kind == Kind::Int && offset.i >= 0,
                      Error::InvalidCheckpoint,
                      "%s: _rebuild_tensor_v2 at byte offset %zu: expected (storage, offset, ...), got (%s, %s, ...)",
                      where_.c_str(), op_at_, kindName(storage.kind), kindName(offset.kind));
  Value t = val(Kind::Tensor);
  t.items = {args.items[0]};
  t.i = offset.i;
  LAC_ASSIGN_OR_RETURN(t.shape, intTuple(args.items[2], "size"));
  LAC_ASSIGN_OR_RETURN(t.stride, intTuple(args.items[3], "stride"));
  return make(std::move(t));
}

VoidResult Unpickler::opReduce() {
  LAC_ASSIGN_OR_RETURN(uint32_t args_id, pop());
  LAC_ASSIGN_OR_RETURN(uint32_t fn_id, pop());
  const Value& fn = arena_[fn_id];
  const Value& args = arena_[args_id];
  LAC_CHECK_OR_RETURN(fn.kind == Kind::Global && args.kind == Kind::Tuple, Error::InvalidCheckpoint,
                      "%s: pickle REDUCE at byte offset %zu calls a %s with a %s", where_.c_str(), op_at_,
                      kindName(fn.kind), kindName(args.kind));
  switch (fn.global) {
    case Global::OrderedDict: {
      LAC_CHECK_OR_RETURN(args.items.empty(), Error::InvalidCheckpoint,
                          "%s: OrderedDict() at byte offset %zu takes no arguments here", where_.c_str(), op_at_);
      Value d = val(Kind::Dict);
      d.ordered = true;
      push(std::move(d));
      return {};
    }
    case Global::RebuildTensorV2: {
      LAC_ASSIGN_OR_RETURN(uint32_t t, rebuildTensor(args));
      stack_.push_back(t);
      return {};
    }
    case Global::RebuildParameter: {  // (tensor, requires_grad, backward_hooks)
      LAC_CHECK_OR_RETURN(!args.items.empty() && arena_[args.items[0]].kind == Kind::Tensor,
                          Error::InvalidCheckpoint, "%s: _rebuild_parameter at byte offset %zu needs a tensor",
                          where_.c_str(), op_at_);
      stack_.push_back(args.items[0]);
      return {};
    }
    default:
      LAC_PICKLE_FAIL("%s: pickle global '%s' cannot be called (byte offset %zu)", where_.c_str(), fn.s.c_str(),
                      op_at_);
  }
}

// BUILD sets an object's state; torch pickles OrderedDict's __dict__ (a state
// dict's `_metadata`) that way. We have no use for it.
VoidResult Unpickler::opBuild() {
  LAC_ASSIGN_OR_RETURN(uint32_t state, pop());
  (void)state;
  LAC_ASSIGN_OR_RETURN(uint32_t obj, top());
  LAC_CHECK_OR_RETURN(arena_[obj].kind == Kind::Dict && arena_[obj].ordered, Error::InvalidCheckpoint,
                      "%s: pickle BUILD at byte offset %zu on a %s; only an OrderedDict's state is accepted",
                      where_.c_str(), op_at_, kindName(arena_[obj].kind));
  return {};
}

VoidResult Unpickler::opSetItems(std::vector<uint32_t> kv, uint32_t dict) {
  LAC_CHECK_OR_RETURN(arena_[dict].kind == Kind::Dict, Error::InvalidCheckpoint,
                      "%s: pickle SETITEM(S) at byte offset %zu on a %s", where_.c_str(), op_at_,
                      kindName(arena_[dict].kind));
  LAC_CHECK_OR_RETURN(kv.size() % 2 == 0, Error::InvalidCheckpoint,
                      "%s: pickle SETITEMS at byte offset %zu with an odd number of items", where_.c_str(), op_at_);
  auto& items = arena_[dict].items;
  items.insert(items.end(), kv.begin(), kv.end());
  return {};
}

VoidResult Unpickler::opAppends(std::vector<uint32_t> xs, uint32_t list) {
  LAC_CHECK_OR_RETURN(arena_[list].kind == Kind::List, Error::InvalidCheckpoint,
                      "%s: pickle APPEND(S) at byte offset %zu on a %s", where_.c_str(), op_at_,
                      kindName(arena_[list].kind));
  auto& items = arena_[list].items;
  items.insert(items.end(), xs.begin(), xs.end());
  return {};
}

// ---- the opcode loop -------------------------------------------------------------

VoidResult Unpickler::step(uint8_t op) {
  switch (op) {
    case 0x80: {  // PROTO
      uint8_t p = 0;
      LAC_RETURN_IF_ERROR(arg(p));
      LAC_CHECK_OR_RETURN(p >= 2 && p <= 5, Error::Unsupported, "%s: pickle protocol %u is not supported",
                          where_.c_str(), p);
      return {};
    }
    case 0x95: {  // FRAME: a length hint only
      uint64_t n = 0;
      return arg(n);
    }
    case '}': push(val(Kind::Dict)); return {};
    case ']': push(val(Kind::List)); return {};
    case ')': push(val(Kind::Tuple)); return {};
    case '(': marks_.push_back(stack_.size()); return {};
    case 't': {
      LAC_ASSIGN_OR_RETURN(auto xs, popToMark());
      Value t = val(Kind::Tuple);
      t.items = std::move(xs);
      push(std::move(t));
      return {};
    }
    case 0x85: case 0x86: case 0x87: {  // TUPLE1..3
      Value t = val(Kind::Tuple);
      t.items.resize(op - 0x84);
      for (size_t k = t.items.size(); k-- > 0;) {
        LAC_ASSIGN_OR_RETURN(t.items[k], pop());
      }
      push(std::move(t));
      return {};
    }
    case 'X': { uint32_t n = 0; LAC_RETURN_IF_ERROR(arg(n)); return stringArg(n); }
    case 0x8c: { uint8_t n = 0; LAC_RETURN_IF_ERROR(arg(n)); return stringArg(n); }
    case 0x8d: { uint64_t n = 0; LAC_RETURN_IF_ERROR(arg(n)); return stringArg(n); }
    case 'J': { int32_t v = 0; LAC_RETURN_IF_ERROR(arg(v)); push(val(Kind::Int, v)); return {}; }
    case 'K': { uint8_t v = 0; LAC_RETURN_IF_ERROR(arg(v)); push(val(Kind::Int, v)); return {}; }
    case 'M': { uint16_t v = 0; LAC_RETURN_IF_ERROR(arg(v)); push(val(Kind::Int, v)); return {}; }
    case 0x8a: {  // LONG1: n-byte little-endian two's complement
      uint8_t n = 0;
      LAC_RETURN_IF_ERROR(arg(n));
      LAC_CHECK_OR_RETURN(n <= 8, Error::Unsupported, "%s: pickle integer of %u bytes at byte offset %zu is too big",
                          where_.c_str(), n, op_at_);
      std::span<const uint8_t> b;
      LAC_CHECK_OR_RETURN(r_.readBytes(n, b), Error::InvalidCheckpoint,
                          "%s: pickle truncated in LONG1 at byte offset %zu", where_.c_str(), op_at_);
      uint64_t u = 0;
      for (size_t k = 0; k < n; ++k) u |= uint64_t(b[k]) << (8 * k);
      if (n > 0 && n < 8 && (b[n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);  // sign-extend
      push(val(Kind::Int, static_cast<int64_t>(u)));
      return {};
    }
    case 'G': {  // BINFLOAT: big-endian double
      uint64_t be = 0;
      LAC_RETURN_IF_ERROR(arg(be));
      be = __builtin_bswap64(be);
      Value v = val(Kind::Float);
      std::memcpy(&v.f, &be, 8);
      push(std::move(v));
      return {};
    }
    case 0x88: push(val(Kind::Bool, 1)); return {};
    case 0x89: push(val(Kind::Bool, 0)); return {};
    case 'N': push(val(Kind::None)); return {};
    case 'q': { uint8_t k = 0; LAC_RETURN_IF_ERROR(arg(k)); return memoPut(k); }
    case 'r': { uint32_t k = 0; LAC_RETURN_IF_ERROR(arg(k)); return memoPut(k); }
    case 0x94: return memoPut(static_cast<uint32_t>(memo_.size()));  // MEMOIZE
    case 'h': { uint8_t k = 0; LAC_RETURN_IF_ERROR(arg(k)); return memoGet(k); }
    case 'j': { uint32_t k = 0; LAC_RETURN_IF_ERROR(arg(k)); return memoGet(k); }
    case 's': {
      LAC_ASSIGN_OR_RETURN(uint32_t v, pop());
      LAC_ASSIGN_OR_RETURN(uint32_t k, pop());
      LAC_ASSIGN_OR_RETURN(uint32_t d, top());
      return opSetItems({k, v}, d);
    }
    case 'u': {
      LAC_ASSIGN_OR_RETURN(auto kv, popToMark());
      LAC_ASSIGN_OR_RETURN(uint32_t d, top());
      return opSetItems(std::move(kv), d);
    }
    case 'a': {
      LAC_ASSIGN_OR_RETURN(uint32_t v, pop());
      LAC_ASSIGN_OR_RETURN(uint32_t l, top());
      return opAppends({v}, l);
    }
    case 'e': {
      LAC_ASSIGN_OR_RETURN(auto xs, popToMark());
      LAC_ASSIGN_OR_RETURN(uint32_t l, top());
      return opAppends(std::move(xs), l);
    }
    case 'c': return opGlobal();
    case 'R': return opReduce();
    case 'b': return opBuild();
    case 'Q': return opPersistentId();
    case '.': stopped_ = true; return {};
    default: {
      const bool printable = op >= 0x20 && op < 0x7f;
      LAC_PICKLE_FAIL("%s: unsupported pickle opcode 0x%02x%s%c%s at byte offset %zu", where_.c_str(), op,
                      printable ? " ('" : "", printable ? char(op) : ' ', printable ? "')" : "", op_at_);
    }
  }
}

Result<uint32_t> Unpickler::run() {
  while (!stopped_) {
    op_at_ = r_.offset();
    LAC_CHECK_OR_RETURN(r_.read(op_), Error::InvalidCheckpoint,
                        "%s: pickle ends at byte offset %zu without STOP", where_.c_str(), op_at_);
    LAC_RETURN_IF_ERROR(step(op_));
  }
  LAC_CHECK_OR_RETURN(marks_.empty(), Error::InvalidCheckpoint, "%s: pickle STOP with an open MARK",
                      where_.c_str());
  return pop();
}

// ---- from the value tree to tensors ----------------------------------------------

uint64_t elementBytes(DType t) { return dtypeInfo(t).blockBytes; }

std::string dims(const std::vector<uint64_t>& v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

// Row-major contiguity; strides of size-1 dimensions do not matter.
bool isContiguous(const std::vector<uint64_t>& shape, const std::vector<uint64_t>& stride) {
  if (shape.size() != stride.size()) return false;
  uint64_t expect = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    if (shape[d] == 0) return true;
    if (shape[d] != 1 && stride[d] != expect) return false;
    if (__builtin_mul_overflow(expect, shape[d], &expect)) return false;
  }
  return true;
}

Result<PickledTensor> toTensor(const Unpickler& u, const std::string& name, const Value& t, const std::string& where) {
  const Value& storage = u.at(t.items[0]);
  PickledTensor out{name, storage.s, storage.dtype, static_cast<uint64_t>(t.i), static_cast<uint64_t>(storage.i),
                    t.shape, t.stride};
  LAC_CHECK_OR_RETURN(isContiguous(out.shape, out.stride), Error::Unsupported,
                      "%s: tensor '%s' is not contiguous (size %s, stride %s); save it with .contiguous()",
                      where.c_str(), name.c_str(), dims(out.shape).c_str(), dims(out.stride).c_str());
  uint64_t numel = 1;
  for (uint64_t d : out.shape)
    LAC_CHECK_OR_RETURN(!__builtin_mul_overflow(numel, d, &numel), Error::InvalidCheckpoint,
                        "%s: tensor '%s': size %s overflows", where.c_str(), name.c_str(), dims(out.shape).c_str());
  uint64_t end = 0;
  LAC_CHECK_OR_RETURN(!__builtin_add_overflow(out.storage_offset, numel, &end) && end <= out.storage_numel,
                      Error::InvalidCheckpoint,
                      "%s: tensor '%s': %llu elements at offset %llu run past its storage '%s' (%llu elements)",
                      where.c_str(), name.c_str(), static_cast<ull>(numel), static_cast<ull>(out.storage_offset),
                      out.storage_key.c_str(), static_cast<ull>(out.storage_numel));
  LAC_CHECK_OR_RETURN(out.storage_numel <= (~uint64_t(0)) / elementBytes(out.dtype), Error::InvalidCheckpoint,
                      "%s: storage '%s' is implausibly large", where.c_str(), out.storage_key.c_str());
  return out;
}

}  // namespace

Result<std::vector<PickledTensor>> readTorchStateDict(std::span<const uint8_t> pickle, const std::string& where) {
  Unpickler u(pickle, where);
  LAC_ASSIGN_OR_RETURN(uint32_t root_id, u.run());
  const Value& root = u.at(root_id);
  LAC_CHECK_OR_RETURN(root.kind == Kind::Dict, Error::InvalidCheckpoint,
                      "%s: the pickled object is a %s, not a state dict", where.c_str(), kindName(root.kind));
  std::vector<PickledTensor> out;
  std::map<std::string, size_t> seen;
  for (size_t k = 0; k + 1 < root.items.size(); k += 2) {
    const Value& key = u.at(root.items[k]);
    const Value& val = u.at(root.items[k + 1]);
    LAC_CHECK_OR_RETURN(key.kind == Kind::String, Error::InvalidCheckpoint,
                        "%s: state dict key #%zu is a %s, not a string", where.c_str(), k / 2, kindName(key.kind));
    LAC_CHECK_OR_RETURN(val.kind == Kind::Tensor, Error::InvalidCheckpoint,
                        "%s: state dict entry '%s' is a %s, not a tensor", where.c_str(), key.s.c_str(),
                        kindName(val.kind));
    LAC_CHECK_OR_RETURN(seen.emplace(key.s, k).second, Error::InvalidCheckpoint,
                        "%s: state dict has tensor '%s' twice", where.c_str(), key.s.c_str());
    LAC_ASSIGN_OR_RETURN(PickledTensor t, toTensor(u, key.s, val, where));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace lac::import
