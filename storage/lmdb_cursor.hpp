#pragma once
// A scoped LMDB cursor and a prefix scan built on it.

#include <lmdb.h>

#include <string_view>

#include "storage/environment.hpp"
#include "storage/status.hpp"

namespace unimq::storage {

/// Owns an MDB_cursor; closes it on destruction (required for read-only transactions).
class lmdb_cursor {
 public:
  lmdb_cursor() = default;
  lmdb_cursor(lmdb_cursor&& o) noexcept : _cursor(o._cursor) { o._cursor = nullptr; }
  lmdb_cursor& operator=(lmdb_cursor&& o) noexcept {
    if (this != &o) {
      close();
      _cursor = o._cursor;
      o._cursor = nullptr;
    }
    return *this;
  }
  ~lmdb_cursor() { close(); }

  static result<lmdb_cursor> open(MDB_txn* txn, MDB_dbi dbi) {
    lmdb_cursor c;
    if (int rc = mdb_cursor_open(txn, dbi, &c._cursor); rc != 0) return lmdb_status(rc, "opening a cursor");
    return c;
  }
  MDB_cursor* get() const { return _cursor; }
  void close() {
    if (_cursor != nullptr) mdb_cursor_close(_cursor);
    _cursor = nullptr;
  }

 private:
  MDB_cursor* _cursor = nullptr;
};

/// Calls `fn(key, value)` (returning a status) for every record whose key starts with `prefix`, in key
/// order; stops at the first non-ok status and returns it. An empty prefix scans the whole db.
template <class Fn>
status for_each_prefixed(MDB_txn* txn, MDB_dbi dbi, std::string_view prefix, Fn&& fn) {
  auto cursor = lmdb_cursor::open(txn, dbi);
  if (!cursor) return cursor.error();
  MDB_val k = to_val(prefix);
  MDB_val v{};
  int rc = prefix.empty() ? mdb_cursor_get(cursor->get(), &k, &v, MDB_FIRST) : mdb_cursor_get(cursor->get(), &k, &v, MDB_SET_RANGE);
  while (rc == 0) {
    const auto key = to_view(k);
    if (key.substr(0, prefix.size()) != prefix) break;
    if (auto s = fn(key, to_view(v)); !s) return s;
    rc = mdb_cursor_get(cursor->get(), &k, &v, MDB_NEXT);
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb_status(rc, "scanning a db");
  return status::ok();
}

}  // namespace unimq::storage
