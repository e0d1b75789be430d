#include "storage/environment.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "storage/key_codec.hpp"

namespace unimq::storage {
namespace {

namespace fs = std::filesystem;

constexpr unsigned kMaxDbs = 16;
constexpr const char* kDataFile = "data.mdb";
constexpr const char* kLmdbLockFile = "lock.mdb";
constexpr const char* kProcessLockFile = "unimq.lock";

struct db_name {
  const char* name;
  MDB_dbi databases::*handle;
};

constexpr db_name kDbNames[] = {
    {"meta", &databases::meta},           {"commitlog", &databases::commitlog},
    {"fl_queue", &databases::fl_queue},   {"topic_queue", &databases::topic_queue},
    {"queue_meta", &databases::queue_meta}, {"directory", &databases::directory},
    {"offsets", &databases::offsets},     {"sessions", &databases::sessions},
    {"retained", &databases::retained},
};

}  // namespace

status lmdb_status(int rc, std::string_view what) {
  std::string m(what);
  m += ": ";
  m += mdb_strerror(rc);
  switch (rc) {
    case MDB_NOTFOUND:
      return status::not_found(std::move(m));
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_INVALID:
    case MDB_BAD_TXN:
      return status::corruption(std::move(m) + " (the data file is damaged; restore it from a backup)");
    case MDB_VERSION_MISMATCH:
      return status::newer_format(std::move(m) + " (written by an incompatible LMDB version)");
    case MDB_MAP_FULL:
      return status::quota_exceeded(std::move(m));
    case MDB_READERS_FULL:
      return status::busy(std::move(m) + " (too many open snapshots; raise max_readers)");
    case ENOMEM:
      return status::internal(std::move(m));
    default:
      return status::io_error(std::move(m));
  }
}

result<std::unique_ptr<environment>> environment::open(const store_options& options) {
  std::unique_ptr<environment> env(new environment());
  if (auto s = env->open_impl(options); !s) return s;
  return env;
}

status environment::open_impl(const store_options& options) {
  _options = options;
  if (_options.data_dir.empty()) return status::invalid_argument("store_options.data_dir is empty");
  if (_options.max_map_size == 0) return status::invalid_argument("store_options.max_map_size is 0");
  _options.initial_map_size = std::min(std::max<std::size_t>(_options.initial_map_size, 1 << 16), _options.max_map_size);
  if (_options.default_partitions == 0) return status::invalid_argument("store_options.default_partitions is 0");
  for (const auto& [level, n] : _options.partitions)
    if (n == 0) return status::invalid_argument("partition count 0 for first-level topic '" + level + "'");

  const fs::path dir(_options.data_dir);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    return status::not_ours("data_dir " + dir.string() + " exists and is not a directory");
  fs::create_directories(dir, ec);
  if (ec) return status::io_error("cannot create data directory " + dir.string() + ": " + ec.message());
  if (!fs::is_directory(dir, ec)) return status::not_ours(dir.string() + " is not a directory");

  const fs::path data = dir / kDataFile;
  const bool data_exists = fs::exists(data, ec);
  if (!data_exists) {
    // Never initialise a store on top of someone else's files.
    for (const auto& entry : fs::directory_iterator(dir, ec)) {
      const auto name = entry.path().filename().string();
      if (name != kLmdbLockFile && name != kProcessLockFile)
        return status::not_ours("data directory " + dir.string() + " has no data.mdb but contains '" + name +
                                "'; point data_dir at an empty or existing unimq directory");
    }
    if (ec) return status::io_error("cannot list data directory " + dir.string() + ": " + ec.message());
  }

  // LMDB lets several processes share an environment, but the store caches queue state in memory and
  // must be the only writer: one process per data directory.
  const auto lock_path = (dir / kProcessLockFile).string();
  _lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (_lock_fd < 0) return status::io_error("cannot open " + lock_path + ": " + std::strerror(errno));
  if (::flock(_lock_fd, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK) return status::busy("data directory " + dir.string() + " is already open (by this or another process)");
    return status::io_error("cannot lock " + lock_path + ": " + std::strerror(errno));
  }

  const long page = ::sysconf(_SC_PAGESIZE);
  std::uintmax_t file_size = 0;
  if (data_exists) {
    file_size = fs::file_size(data, ec);
    if (ec) return status::io_error("cannot stat " + data.string() + ": " + ec.message());
    // LMDB would treat an empty file as a new environment and silently start over.
    if (file_size < 2 * static_cast<std::uintmax_t>(page))
      return status::corruption(data.string() + " is truncated (" + std::to_string(file_size) +
                                " bytes, smaller than LMDB's two meta pages); restore it from a backup");
  }

  if (int rc = mdb_env_create(&_env); rc != 0) return lmdb_status(rc, "mdb_env_create");
  if (int rc = mdb_env_set_maxdbs(_env, kMaxDbs); rc != 0) return lmdb_status(rc, "mdb_env_set_maxdbs");
  if (int rc = mdb_env_set_maxreaders(_env, _options.max_readers); rc != 0) return lmdb_status(rc, "mdb_env_set_maxreaders");
  if (int rc = mdb_env_set_mapsize(_env, _options.initial_map_size); rc != 0) return lmdb_status(rc, "mdb_env_set_mapsize");
  unsigned flags = MDB_NOTLS;
  if (_options.mode == durability::nosync) flags |= MDB_NOSYNC;
  if (int rc = mdb_env_open(_env, dir.c_str(), flags, 0644); rc != 0) {
    if (rc == MDB_INVALID)
      return status::corruption(data.string() + " is not an LMDB environment or its header is damaged; "
                                "restore it from a backup or point data_dir elsewhere");
    return lmdb_status(rc, "opening LMDB environment in " + dir.string());
  }

  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(_env, &info);
  mdb_env_stat(_env, &st);
  // Pages past the end of a truncated file would fault (SIGBUS) when touched through the map.
  if (data_exists) {
    const auto needed = (static_cast<std::uintmax_t>(info.me_last_pgno) + 1) * st.ms_psize;
    if (file_size < needed)
      return status::corruption(data.string() + " is truncated: " + std::to_string(file_size) + " bytes but its meta page references " +
                                std::to_string(needed) + "; restore it from a backup");
  }
  if (info.me_mapsize > _options.max_map_size) _options.max_map_size = info.me_mapsize;
  _map_size = info.me_mapsize;
  return init_dbs();
}

status environment::init_dbs() {
  auto txn = write_txn::begin(*this);
  if (!txn) return txn.error();
  MDB_txn* t = txn->get();

  MDB_dbi meta = 0;
  int rc = mdb_dbi_open(t, "meta", 0, &meta);
  const bool fresh = rc == MDB_NOTFOUND;
  if (fresh) {
    MDB_dbi main_db = 0;
    if (rc = mdb_dbi_open(t, nullptr, 0, &main_db); rc != 0) return lmdb_status(rc, "opening the main db");
    MDB_stat st{};
    if (rc = mdb_stat(t, main_db, &st); rc != 0) return lmdb_status(rc, "reading the main db");
    if (st.ms_entries != 0)
      return status::not_ours("data.mdb in " + _options.data_dir + " is an LMDB environment without a unimq meta db; it belongs to something else");
  } else if (rc != 0) {
    return lmdb_status(rc, "opening the meta db");
  }

  for (const auto& d : kDbNames) {
    rc = mdb_dbi_open(t, d.name, fresh ? MDB_CREATE : 0, &(_dbs.*d.handle));
    if (rc == MDB_NOTFOUND) return status::corruption(std::string("the '") + d.name + "' db is missing from " + _options.data_dir);
    if (rc != 0) return lmdb_status(rc, std::string("opening the '") + d.name + "' db");
  }

  MDB_val k = to_val(kMetaMagicKey);
  MDB_val v{};
  if (fresh) {
    MDB_val m = to_val(kMagic);
    std::string version;
    key_codec::put_u32(version, kFormatVersion);
    MDB_val vv = to_val(version);
    MDB_val vk = to_val(kMetaVersionKey);
    if (rc = mdb_put(t, _dbs.meta, &k, &m, 0); rc != 0) return lmdb_status(rc, "writing the meta db");
    if (rc = mdb_put(t, _dbs.meta, &vk, &vv, 0); rc != 0) return lmdb_status(rc, "writing the meta db");
  } else {
    rc = mdb_get(t, _dbs.meta, &k, &v);
    if (rc == MDB_NOTFOUND || (rc == 0 && to_view(v) != kMagic))
      return status::not_ours("the meta db in " + _options.data_dir + " does not carry the unimq magic; it belongs to something else");
    if (rc != 0) return lmdb_status(rc, "reading the meta db");
    MDB_val vk = to_val(kMetaVersionKey);
    rc = mdb_get(t, _dbs.meta, &vk, &v);
    if (rc == MDB_NOTFOUND || (rc == 0 && v.mv_size != key_codec::kU32Size))
      return status::corruption("the format version in " + _options.data_dir + " is missing or malformed");
    if (rc != 0) return lmdb_status(rc, "reading the meta db");
    const auto version = key_codec::get_u32(static_cast<const char*>(v.mv_data));
    if (version > kFormatVersion)
      return status::newer_format("data directory " + _options.data_dir + " has storage format version " + std::to_string(version) +
                                  " but this unimq reads at most version " + std::to_string(kFormatVersion) + "; upgrade unimq");
    if (version == 0) return status::corruption("the format version in " + _options.data_dir + " is 0");
  }
  if (rc = txn->commit(); rc != 0) return lmdb_status(rc, "initialising the store");
  return status::ok();
}

environment::~environment() {
  if (_env != nullptr) mdb_env_close(_env);
  if (_lock_fd >= 0) ::close(_lock_fd);  // releases the flock
}

status environment::grow() {
  const auto current = _map_size.load();
  if (current >= _options.max_map_size)
    return status::quota_exceeded("the store is full: it reached max_map_size (" + std::to_string(_options.max_map_size) +
                                  " bytes); raise max_map_size or tighten retention");
  const auto target = std::min(current * 2, _options.max_map_size);
  std::unique_lock<std::shared_timed_mutex> lock(_remap, std::defer_lock);
  if (!lock.try_lock_for(std::chrono::milliseconds(_options.resize_wait_ms)))
    return status::busy("the store must grow its map but read snapshots stayed open for " + std::to_string(_options.resize_wait_ms) +
                        " ms; close snapshots promptly (and never append while holding one on the same thread)");
  if (int rc = mdb_env_set_mapsize(_env, target); rc != 0) return lmdb_status(rc, "growing the map");
  MDB_envinfo info{};
  mdb_env_info(_env, &info);
  _map_size = info.me_mapsize;
  return status::ok();
}

result<write_txn> write_txn::begin(environment& env) {
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(env.env(), nullptr, 0, &t); rc != 0) return lmdb_status(rc, "beginning a write transaction");
  return write_txn(t);
}

write_txn& write_txn::operator=(write_txn&& o) noexcept {
  if (this != &o) {
    abort();
    _txn = o._txn;
    o._txn = nullptr;
  }
  return *this;
}

int write_txn::commit() {
  MDB_txn* t = _txn;
  _txn = nullptr;
  return mdb_txn_commit(t);  // frees the txn on failure too
}

void write_txn::abort() {
  if (_txn != nullptr) mdb_txn_abort(_txn);
  _txn = nullptr;
}

result<read_txn> read_txn::begin(environment& env) {
  std::shared_lock<std::shared_timed_mutex> lock(env.remap_mutex());
  MDB_txn* t = nullptr;
  if (int rc = mdb_txn_begin(env.env(), nullptr, MDB_RDONLY, &t); rc != 0) return lmdb_status(rc, "beginning a read snapshot");
  return read_txn(std::move(lock), t);
}

read_txn& read_txn::operator=(read_txn&& o) noexcept {
  if (this != &o) {
    reset();
    _lock = std::move(o._lock);
    _txn = o._txn;
    o._txn = nullptr;
  }
  return *this;
}

void read_txn::reset() {
  if (_txn != nullptr) mdb_txn_abort(_txn);
  _txn = nullptr;
  if (_lock.owns_lock()) _lock.unlock();
}

}  // namespace unimq::storage
