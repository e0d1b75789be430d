#pragma once
// The LMDB environment of one data directory: opening it (and refusing directories that are not
// ours, newer, or damaged), the named dbs, the format version, transactions, and map growth.

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>

#include "storage/options.hpp"
#include "storage/status.hpp"

namespace unimq::storage {

/// Version of the on-disk format this build writes and reads; stored in the meta db.
constexpr std::uint32_t kFormatVersion = 1;
/// Value of the meta key "magic": marks an LMDB environment as a unimq store.
constexpr std::string_view kMagic = "unimq-storage";
constexpr std::string_view kMetaMagicKey = "magic";
constexpr std::string_view kMetaVersionKey = "format_version";

/// Handles of the named dbs (see docs/storage-format.md).
struct databases {
  MDB_dbi meta = 0;
  MDB_dbi commitlog = 0;
  MDB_dbi fl_queue = 0;
  MDB_dbi topic_queue = 0;
  MDB_dbi queue_meta = 0;
  MDB_dbi directory = 0;
  MDB_dbi offsets = 0;
  MDB_dbi sessions = 0;
  MDB_dbi retained = 0;
};

/// Turns a non-zero LMDB return code into a status; `what` says what was being done.
status lmdb_status(int rc, std::string_view what);

inline MDB_val to_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view to_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }

/// One open data directory. Thread-safe for concurrent read_txns plus one writer at a time (the
/// caller, i.e. the store, serialises writers).
class environment {
 public:
  /// Opens (creating if the directory is new) the store in `options.data_dir`.
  static result<std::unique_ptr<environment>> open(const store_options& options);
  ~environment();
  environment(const environment&) = delete;
  environment& operator=(const environment&) = delete;

  MDB_env* env() const { return _env; }
  const databases& dbs() const { return _dbs; }
  const store_options& options() const { return _options; }
  /// Current size of the LMDB map in bytes.
  std::size_t map_size() const { return _map_size.load(); }

  /// Called by the writer after MDB_MAP_FULL, with its transaction already aborted: doubles the map
  /// up to max_map_size. quota_exceeded when it is already there; busy if snapshots stay open for
  /// longer than resize_wait_ms.
  status grow();

  /// Held shared by every read transaction: the map may only be resized while no transaction is
  /// open in this process (LMDB's rule for mdb_env_set_mapsize), and resizing moves the mapping.
  std::shared_timed_mutex& remap_mutex() { return _remap; }

 private:
  environment() = default;
  status open_impl(const store_options& options);
  status init_dbs();

  store_options _options;
  MDB_env* _env = nullptr;
  databases _dbs;
  int _lock_fd = -1;
  std::atomic<std::size_t> _map_size{0};
  std::shared_timed_mutex _remap;
};

/// A read-write transaction; aborted on destruction unless committed.
class write_txn {
 public:
  static result<write_txn> begin(environment& env);
  write_txn(write_txn&& o) noexcept : _txn(o._txn) { o._txn = nullptr; }
  write_txn& operator=(write_txn&& o) noexcept;
  ~write_txn() { abort(); }

  MDB_txn* get() const { return _txn; }
  /// Commits; the transaction is finished whatever the outcome. Returns the LMDB code (0 on success).
  int commit();
  void abort();

 private:
  explicit write_txn(MDB_txn* t) : _txn(t) {}
  MDB_txn* _txn = nullptr;
};

/// A read-only snapshot transaction. Not bound to a thread (MDB_NOTLS), but not to be used by two
/// threads at once. Holds the remap lock shared, so keep it short-lived: map growth waits for it.
class read_txn {
 public:
  static result<read_txn> begin(environment& env);
  read_txn(read_txn&& o) noexcept : _lock(std::move(o._lock)), _txn(o._txn) { o._txn = nullptr; }
  read_txn& operator=(read_txn&& o) noexcept;
  ~read_txn() { reset(); }

  MDB_txn* get() const { return _txn; }
  void reset();

 private:
  read_txn(std::shared_lock<std::shared_timed_mutex> lock, MDB_txn* t) : _lock(std::move(lock)), _txn(t) {}
  std::shared_lock<std::shared_timed_mutex> _lock;
  MDB_txn* _txn = nullptr;
};

}  // namespace unimq::storage
