#include "state_dict.h"

#include <caffe2/serialize/inline_container.h>
#include <sys/stat.h>

#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "rife_engine.h"

namespace rife {
namespace {

// A value on the pickle machine's stack. Only what a state dict needs: scalars, strings,
// tuples/lists, dicts, references to globals, storages and tensors.
struct Value;
using ValuePtr = std::shared_ptr<Value>;

struct Value {
  enum class Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Storage, Tensor, Mark };
  Kind kind = Kind::None;
  int64_t i = 0;
  double f = 0;
  std::string s;                // Str; Global: "module.name"
  std::vector<ValuePtr> items;  // Tuple, List
  std::vector<std::pair<ValuePtr, ValuePtr>> dict;
  torch::Tensor tensor;  // Storage (1-D, flat) or Tensor

  static ValuePtr make(Kind k) {
    auto v = std::make_shared<Value>();
    v->kind = k;
    return v;
  }
};

class PickleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

torch::ScalarType storage_dtype(const std::string& global) {
  static const std::map<std::string, torch::ScalarType> types = {
      {"torch.FloatStorage", torch::kFloat32},     {"torch.HalfStorage", torch::kFloat16},
      {"torch.BFloat16Storage", torch::kBFloat16}, {"torch.DoubleStorage", torch::kFloat64},
      {"torch.LongStorage", torch::kInt64},        {"torch.IntStorage", torch::kInt32},
      {"torch.ByteStorage", torch::kUInt8},        {"torch.BoolStorage", torch::kBool},
  };
  auto it = types.find(global);
  if (it == types.end()) throw PickleError("unsupported storage type " + global);
  return it->second;
}

// Runs the pickle in data.pkl far enough to rebuild a dict of tensors. Tensor bytes come from the
// archive's data/<key> records. Unknown opcodes or globals stop with an error; nothing is called.
class StateDictUnpickler {
 public:
  StateDictUnpickler(caffe2::serialize::PyTorchStreamReader& archive, const std::vector<uint8_t>& pickle)
      : archive_(archive), p_(pickle) {}

  ValuePtr run() {
    while (true) {
      if (pos_ >= p_.size()) throw PickleError("pickle ends without STOP");
      const size_t op_at = pos_;
      const uint8_t op = p_[pos_++];
      switch (op) {
        case 0x80:
          take(1);
          break;  // PROTO
        case 0x95:
          take(8);
          break;   // FRAME
        case '.':  // STOP
          if (stack_.size() != 1) throw PickleError("pickle stops with a malformed stack");
          return stack_.back();
        case '(':
          push(Value::make(Value::Kind::Mark));
          break;
        case '}':
          push(Value::make(Value::Kind::Dict));
          break;
        case ']':
          push(Value::make(Value::Kind::List));
          break;
        case ')':
          push(Value::make(Value::Kind::Tuple));
          break;
        case 'N':
          push(Value::make(Value::Kind::None));
          break;
        case 0x88:
        case 0x89: {  // NEWTRUE, NEWFALSE
          auto v = Value::make(Value::Kind::Bool);
          v->i = op == 0x88;
          push(v);
          break;
        }
        case 'K':
          push_int(le_uint(1));
          break;  // BININT1
        case 'M':
          push_int(le_uint(2));
          break;  // BININT2
        case 'J':
          push_int(int32_t(uint32_t(le_uint(4))));
          break;      // BININT
        case 0x8a: {  // LONG1
          const size_t n = take(1)[0];
          if (n > 8) throw PickleError("integer too large");
          const uint8_t* b = take(n);
          uint64_t u = 0;
          for (size_t k = 0; k < n; ++k) u |= uint64_t(b[k]) << (8 * k);
          if (n > 0 && n < 8 && (b[n - 1] & 0x80)) u |= ~uint64_t(0) << (8 * n);  // sign-extend
          push_int(int64_t(u));
          break;
        }
        case 'G': {  // BINFLOAT, big-endian
          const uint8_t* b = take(8);
          uint64_t u = 0;
          for (int k = 0; k < 8; ++k) u = (u << 8) | b[k];
          auto v = Value::make(Value::Kind::Float);
          std::memcpy(&v->f, &u, 8);
          push(v);
          break;
        }
        case 'X':
          push_str(le_uint(4));
          break;  // BINUNICODE
        case 0x8c:
          push_str(le_uint(1));
          break;  // SHORT_BINUNICODE
        case 0x8d:
          push_str(le_uint(8));
          break;  // BINUNICODE8
        case 'T':
          push_str(le_uint(4));
          break;  // BINSTRING
        case 'U':
          push_str(le_uint(1));
          break;  // SHORT_BINSTRING
        case 'q':
          memo_put(le_uint(1));
          break;  // BINPUT
        case 'r':
          memo_put(le_uint(4));
          break;  // LONG_BINPUT
        case 0x94:
          memo_put(memo_.size());
          break;  // MEMOIZE
        case 'h':
          memo_get(le_uint(1));
          break;  // BINGET
        case 'j':
          memo_get(le_uint(4));
          break;     // LONG_BINGET
        case 'c': {  // GLOBAL "module\nname\n"
          const std::string module = read_line();
          const std::string name = read_line();
          push_global(module + "." + name);
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          auto name = pop(), module = pop();
          if (module->kind != Value::Kind::Str || name->kind != Value::Kind::Str)
            throw PickleError("STACK_GLOBAL without strings");
          push_global(module->s + "." + name->s);
          break;
        }
        case 't': {  // TUPLE
          auto t = Value::make(Value::Kind::Tuple);
          t->items = pop_to_mark();
          push(t);
          break;
        }
        case 0x85:
        case 0x86:
        case 0x87: {  // TUPLE1..3
          auto t = Value::make(Value::Kind::Tuple);
          t->items.resize(op - 0x84);
          for (size_t k = t->items.size(); k-- > 0;) t->items[k] = pop();
          push(t);
          break;
        }
        case 'a': {  // APPEND
          auto v = pop();
          expect(top(), Value::Kind::List, "APPEND")->items.push_back(v);
          break;
        }
        case 'e': {  // APPENDS
          auto vs = pop_to_mark();
          auto& l = expect(top(), Value::Kind::List, "APPENDS")->items;
          l.insert(l.end(), vs.begin(), vs.end());
          break;
        }
        case 's': {  // SETITEM
          auto v = pop(), k = pop();
          expect(top(), Value::Kind::Dict, "SETITEM")->dict.emplace_back(k, v);
          break;
        }
        case 'u': {  // SETITEMS
          auto kv = pop_to_mark();
          if (kv.size() % 2) throw PickleError("SETITEMS with an odd number of items");
          auto d = expect(top(), Value::Kind::Dict, "SETITEMS");
          for (size_t k = 0; k < kv.size(); k += 2) d->dict.emplace_back(kv[k], kv[k + 1]);
          break;
        }
        case 'b':
          pop();
          break;  // BUILD: state (e.g. a state dict's _metadata) is not needed
        case 'Q':
          push(persistent_load(pop()));
          break;     // BINPERSID
        case 'R': {  // REDUCE
          auto args = expect(pop(), Value::Kind::Tuple, "REDUCE arguments");
          auto fn = expect(pop(), Value::Kind::Global, "REDUCE callable");
          push(reduce(fn->s, args->items));
          break;
        }
        default: {
          std::ostringstream m;
          m << "unsupported pickle opcode 0x" << std::hex << int(op) << std::dec << " at offset " << op_at;
          throw PickleError(m.str());
        }
      }
    }
  }

 private:
  const uint8_t* take(size_t n) {
    if (n > p_.size() - pos_) throw PickleError("pickle data truncated");
    const uint8_t* b = p_.data() + pos_;
    pos_ += n;
    return b;
  }
  uint64_t le_uint(size_t n) {
    const uint8_t* b = take(n);
    uint64_t u = 0;
    for (size_t k = 0; k < n; ++k) u |= uint64_t(b[k]) << (8 * k);
    return u;
  }
  std::string read_line() {
    std::string s;
    while (true) {
      const char c = char(take(1)[0]);
      if (c == '\n') return s;
      s.push_back(c);
      if (s.size() > 256) throw PickleError("GLOBAL name too long");
    }
  }
  void push(ValuePtr v) {
    if (stack_.size() > 100000) throw PickleError("pickle stack too deep");
    stack_.push_back(std::move(v));
  }
  void push_int(int64_t i) {
    auto v = Value::make(Value::Kind::Int);
    v->i = i;
    push(v);
  }
  void push_str(uint64_t n) {
    auto v = Value::make(Value::Kind::Str);
    const uint8_t* b = take(n);
    v->s.assign(reinterpret_cast<const char*>(b), n);
    push(v);
  }
  void push_global(const std::string& name) {
    auto v = Value::make(Value::Kind::Global);
    v->s = name;
    push(v);
  }
  ValuePtr& top() {
    if (stack_.empty()) throw PickleError("pickle stack underflow");
    return stack_.back();
  }
  ValuePtr pop() {
    ValuePtr v = top();
    stack_.pop_back();
    if (v->kind == Value::Kind::Mark) throw PickleError("unexpected MARK");
    return v;
  }
  std::vector<ValuePtr> pop_to_mark() {
    std::vector<ValuePtr> out;
    while (true) {
      if (stack_.empty()) throw PickleError("MARK not found");
      ValuePtr v = stack_.back();
      stack_.pop_back();
      if (v->kind == Value::Kind::Mark) break;
      out.push_back(v);
    }
    return {out.rbegin(), out.rend()};
  }
  static ValuePtr expect(ValuePtr v, Value::Kind k, const char* what) {
    if (v->kind != k) throw PickleError(std::string("malformed pickle: unexpected operand for ") + what);
    return v;
  }
  void memo_put(uint64_t index) {
    if (index > 10000000) throw PickleError("memo index out of range");
    memo_[index] = top();
  }
  void memo_get(uint64_t index) {
    auto it = memo_.find(index);
    if (it == memo_.end()) throw PickleError("memo entry " + std::to_string(index) + " missing");
    push(it->second);
  }

  // ('storage', torch.XStorage, key, location, numel): the bytes are archive record data/<key>.
  // The location (cpu, cuda:0...) is ignored: everything loads on the CPU.
  ValuePtr persistent_load(const ValuePtr& pid) {
    const auto& t = expect(pid, Value::Kind::Tuple, "persistent id")->items;
    if (t.size() != 5 || t[0]->kind != Value::Kind::Str || t[0]->s != "storage" || t[1]->kind != Value::Kind::Global ||
        t[2]->kind != Value::Kind::Str || t[4]->kind != Value::Kind::Int)
      throw PickleError("unsupported persistent id (not a torch storage)");
    const std::string& key = t[2]->s;
    auto cached = storages_.find(key);
    if (cached != storages_.end()) return cached->second;
    const auto dtype = storage_dtype(t[1]->s);
    const int64_t numel = t[4]->i;
    const std::string record = "data/" + key;
    if (!archive_.hasRecord(record)) throw PickleError("storage record " + record + " missing from the archive");
    const size_t elem = c10::elementSize(dtype);
    const size_t record_size = archive_.getRecordSize(record);
    if (numel < 0 || uint64_t(numel) > record_size / elem || uint64_t(numel) * elem != record_size)
      throw PickleError("storage " + key + " declares " + std::to_string(numel) + " elements but its record has " +
                        std::to_string(record_size) + " bytes");
    auto storage = torch::empty({numel}, torch::TensorOptions().dtype(dtype));
    if (record_size) archive_.getRecord(record, storage.data_ptr(), record_size);
    auto v = Value::make(Value::Kind::Storage);
    v->tensor = storage;
    storages_[key] = v;
    return v;
  }

  static std::vector<int64_t> int_tuple(const ValuePtr& v, const char* what) {
    std::vector<int64_t> out;
    for (const auto& item : expect(v, Value::Kind::Tuple, what)->items) {
      if (item->kind != Value::Kind::Int) throw PickleError(std::string("non-integer in tensor ") + what);
      out.push_back(item->i);
    }
    return out;
  }

  ValuePtr reduce(const std::string& fn, const std::vector<ValuePtr>& args) {
    if (fn == "collections.OrderedDict" || fn == "builtins.dict") {
      if (!args.empty()) throw PickleError(fn + " with arguments is not supported");
      return Value::make(Value::Kind::Dict);
    }
    if (fn == "torch._utils._rebuild_parameter" || fn == "torch._utils._rebuild_parameter_with_state") {
      if (args.empty() || args[0]->kind != Value::Kind::Tensor) throw PickleError(fn + " without a tensor");
      return args[0];
    }
    if (fn == "torch._utils._rebuild_tensor_v2") {
      if (args.size() < 4) throw PickleError("_rebuild_tensor_v2 with too few arguments");
      const auto& storage = expect(args[0], Value::Kind::Storage, "_rebuild_tensor_v2 storage")->tensor;
      if (args[1]->kind != Value::Kind::Int) throw PickleError("_rebuild_tensor_v2 offset is not an integer");
      const int64_t offset = args[1]->i;
      const auto size = int_tuple(args[2], "size");
      const auto stride = int_tuple(args[3], "stride");
      if (size.size() != stride.size() || size.size() > 8) throw PickleError("tensor size and stride disagree");
      // Bounds-check the view against its storage before building it: the file is untrusted.
      int64_t last = offset, step = 0;
      bool empty = false;
      for (size_t d = 0; d < size.size(); ++d) {
        if (size[d] < 0 || stride[d] < 0 || size[d] > (int64_t(1) << 40) || stride[d] > (int64_t(1) << 40))
          throw PickleError("tensor has an absurd size or stride");
        if (size[d] == 0)
          empty = true;
        else if (__builtin_mul_overflow(size[d] - 1, stride[d], &step) || __builtin_add_overflow(last, step, &last))
          throw PickleError("tensor view " + shape_to_string(size) + " overflows 64-bit indexing");
      }
      if (offset < 0 || (!empty && last >= storage.numel()))
        throw PickleError("tensor view " + shape_to_string(size) + " exceeds its storage of " +
                          std::to_string(storage.numel()) + " elements");
      auto v = Value::make(Value::Kind::Tensor);
      v->tensor = empty ? torch::empty(size, storage.options()) : storage.as_strided(size, stride, offset);
      return v;
    }
    throw PickleError("unsupported global " + fn + " (only plain state dicts of tensors are accepted)");
  }

  caffe2::serialize::PyTorchStreamReader& archive_;
  const std::vector<uint8_t>& p_;
  size_t pos_ = 0;
  std::vector<ValuePtr> stack_;
  std::map<uint64_t, ValuePtr> memo_;
  std::map<std::string, ValuePtr> storages_;
};

std::string describe_first_bytes(const std::vector<char>& head) {
  static const char kZip[] = {'P', 'K', 3, 4};
  if (head.size() >= 4 && std::memcmp(head.data(), kZip, 4) == 0) return "zip";
  if (!head.empty() && uint8_t(head[0]) == 0x80) return "pickle";
  return "unknown";
}

}  // namespace

StateDict read_state_dict(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw Error(path + ": weights file not found");
  if (S_ISDIR(st.st_mode)) throw Error(path + ": is a directory, expected a weights file");
  if (st.st_size == 0) throw Error(path + ": weights file is empty");
  std::vector<char> head(8);
  {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw Error(path + ": cannot open weights file");
    f.read(head.data(), head.size());
    head.resize(size_t(f.gcount()));
  }
  const std::string kind = describe_first_bytes(head);
  if (kind == "pickle")
    throw Error(path +
                ": legacy (non-zip) torch.save format; re-save it as a zip archive with PyTorch >= 1.6: "
                "python3 -c \"import torch; torch.save(torch.load('" +
                path + "', map_location='cpu'), 'rife46.pth')\"");
  if (kind != "zip")
    throw Error(path + ": not a torch.save archive (no zip signature); expected a RIFE state dict (.pth)");

  try {
    caffe2::serialize::PyTorchStreamReader archive(path);
    if (archive.hasRecord("byteorder")) {
      auto [data, size] = archive.getRecord("byteorder");
      const std::string order(static_cast<const char*>(data.get()), size);
      if (order != "little")
        throw Error(path + ": tensors stored in " + order + "-endian byte order are not supported");
    }
    if (!archive.hasRecord("data.pkl")) throw Error(path + ": zip archive has no data.pkl: not a torch.save file");
    auto [pkl, pkl_size] = archive.getRecord("data.pkl");
    std::vector<uint8_t> pickle(static_cast<const uint8_t*>(pkl.get()),
                                static_cast<const uint8_t*>(pkl.get()) + pkl_size);
    StateDictUnpickler unpickler(archive, pickle);
    ValuePtr root = unpickler.run();
    if (root->kind != Value::Kind::Dict) throw Error(path + ": the archive holds no dict; expected a state dict");
    StateDict out;
    for (const auto& [k, v] : root->dict) {
      if (k->kind != Value::Kind::Str) throw Error(path + ": state dict has a non-string key");
      if (v->kind != Value::Kind::Tensor) throw Error(path + ": state dict entry '" + k->s + "' is not a tensor");
      out.emplace_back(k->s, v->tensor);
    }
    return out;
  } catch (const PickleError& e) {
    throw Error(path + ": corrupt or unsupported torch.save archive: " + e.what());
  } catch (const c10::Error& e) {
    throw Error(path + ": corrupt torch.save archive: " + e.what_without_backtrace());
  }
}

bool is_training_only_key(const std::string& key) {
  return key.rfind("teacher.", 0) == 0 || key.rfind("caltime.", 0) == 0;
}

StateDict validate_state_dict(const StateDict& raw, const ModelSpec& spec, const std::string& path,
                              std::vector<std::string>* ignored) {
  std::map<std::string, torch::Tensor> by_key;
  for (const auto& [key, tensor] : raw) {
    std::string k = key.rfind("module.", 0) == 0 ? key.substr(7) : key;
    if (is_training_only_key(k)) {
      if (ignored) ignored->push_back(k);
      continue;
    }
    if (!by_key.emplace(k, tensor).second) throw Error(path + ": key '" + k + "' appears twice");
  }
  std::vector<std::string> problems;
  StateDict out;
  std::set<std::string> expected;
  for (const auto& spec_tensor : spec.tensors()) {
    expected.insert(spec_tensor.key);
    auto it = by_key.find(spec_tensor.key);
    if (it == by_key.end()) {
      problems.push_back("missing key '" + spec_tensor.key + "' (expected shape " + shape_to_string(spec_tensor.shape) +
                         ")");
      continue;
    }
    const torch::Tensor& t = it->second;
    const std::vector<int64_t> shape(t.sizes().begin(), t.sizes().end());
    if (shape != spec_tensor.shape) {
      problems.push_back("key '" + spec_tensor.key + "' has shape " + shape_to_string(shape) + ", expected " +
                         shape_to_string(spec_tensor.shape));
      continue;
    }
    const auto dtype = t.scalar_type();
    if (dtype != torch::kFloat32 && dtype != torch::kFloat16 && dtype != torch::kBFloat16 && dtype != torch::kFloat64) {
      problems.push_back("key '" + spec_tensor.key + "' has dtype " + std::string(c10::toString(dtype)) +
                         ", expected a floating-point tensor");
      continue;
    }
    torch::Tensor f = t.to(torch::kFloat32).contiguous();
    if (!torch::isfinite(f).all().item<bool>()) {
      problems.push_back("key '" + spec_tensor.key + "' contains NaN or Inf");
      continue;
    }
    out.emplace_back(spec_tensor.key, f);
  }
  for (const auto& [key, tensor] : by_key)
    if (!expected.count(key))
      problems.push_back("unexpected key '" + key + "' with shape " +
                         shape_to_string({tensor.sizes().begin(), tensor.sizes().end()}));
  if (!problems.empty()) {
    std::string msg = path + ": not a RIFE " + spec.name + " state dict: ";
    const size_t shown = std::min<size_t>(problems.size(), 8);
    for (size_t i = 0; i < shown; ++i) msg += (i ? "; " : "") + problems[i];
    if (problems.size() > shown) msg += "; and " + std::to_string(problems.size() - shown) + " more";
    throw Error(msg);
  }
  return out;
}

LoadedModel load_model(const std::string& path, ModelVersion version) {
  StateDict raw = read_state_dict(path);
  std::vector<std::pair<std::string, std::vector<int64_t>>> keys;
  for (const auto& [k, t] : raw) keys.emplace_back(k.rfind("module.", 0) == 0 ? k.substr(7) : k, t.sizes().vec());
  const ModelSpec& detected = detect_spec(keys, path);
  if (version != ModelVersion::Auto && &spec_for(version) != &detected)
    throw Error(path + ": model-version " + to_string(version) + " was requested but the file holds a RIFE " +
                detected.name + " state dict");
  LoadedModel model{&detected, {}, {}};
  model.weights = validate_state_dict(raw, detected, path, &model.ignored);
  return model;
}

}  // namespace rife
