//! The SQLite database: opening, migrations, and one transaction per write.
//!
//! Objects of the contract are stored as JSON bodies next to the indexed columns that the
//! rules and the computed counts need (identity keys, owner account, a customer's tags,
//! agent and open chat), so that counting never decodes a body. The schema version lives in
//! `PRAGMA user_version`; migrations run at start, in order, each in its own transaction.
//! One connection behind a mutex serves every write; reads take one of a few more
//! connections, so that list pages read at once are served at once. The write-ahead log
//! gives each read a consistent snapshot while a write goes on, and keeps a killed process
//! from leaving a half-written state.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{Connection, Transaction};

use super::SandboxError;
use super::reply::ApiError;

/// Each entry moves the schema from version `index` to `index + 1`.
const MIGRATIONS: &[&str] = &[r"
    CREATE TABLE accounts (
        id INTEGER PRIMARY KEY,
        web_id TEXT NOT NULL UNIQUE,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL,
        api_key TEXT NOT NULL UNIQUE,
        owner_id INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL
    );
    CREATE TABLE agents (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        email_key TEXT NOT NULL UNIQUE,
        body TEXT NOT NULL
    );
    CREATE INDEX agents_by_account ON agents(account_id, id);
    CREATE TABLE objects (
        seq INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL,
        web_id TEXT NOT NULL,
        identity TEXT NOT NULL,
        body TEXT NOT NULL,
        UNIQUE (account_id, kind, web_id),
        UNIQUE (account_id, kind, identity)
    );
    CREATE INDEX objects_by_kind ON objects(account_id, kind, seq);
    CREATE TABLE settings (
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        kind TEXT NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (account_id, kind)
    );
    CREATE TABLE customers (
        id INTEGER PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        phone TEXT,
        email_key TEXT,
        assigned_agent_id INTEGER,
        open_chat INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL
    );
    CREATE INDEX customers_by_account ON customers(account_id, id);
    CREATE INDEX customers_by_open_chat ON customers(account_id, open_chat, assigned_agent_id);
    CREATE TABLE customer_tags (
        customer_id INTEGER NOT NULL REFERENCES customers(id),
        account_id INTEGER NOT NULL,
        tag TEXT NOT NULL,
        PRIMARY KEY (customer_id, tag)
    );
    CREATE INDEX customer_tags_by_tag ON customer_tags(account_id, tag);
    CREATE UNIQUE INDEX customers_by_phone ON customers(account_id, phone);
    CREATE UNIQUE INDEX customers_by_email ON customers(account_id, email_key);
"];

/// Connections for reads, beside the one for writes: enough to keep every core busy.
const READERS: usize = 4;

/// The sandbox's database.
#[derive(Debug)]
pub struct Database {
    connection: Mutex<Connection>,
    readers: Vec<Mutex<Connection>>,
    /// Where the next read starts looking for a free reader.
    next_reader: AtomicUsize,
}

impl Database {
    /// Opens (or creates) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self, SandboxError> {
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| SandboxError::DatabaseDirectory {
                path: path.to_path_buf(),
                source,
            })?;
        }
        let fail = |source| SandboxError::Database { path: path.to_path_buf(), source };

        let mut connection = Connection::open(path).map_err(fail)?;
        // WAL lets readers and the writer overlap and survives a killed process; NORMAL
        // synchronisation only risks the last commits on a power loss, fine for a sandbox.
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                 PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
            )
            .map_err(fail)?;
        migrate(&mut connection).map_err(fail)?;

        let readers = (0..READERS)
            .map(|_| {
                let reader = Connection::open(path)?;
                reader.execute_batch("PRAGMA query_only = ON; PRAGMA busy_timeout = 5000;")?;
                Ok(Mutex::new(reader))
            })
            .collect::<rusqlite::Result<_>>()
            .map_err(fail)?;
        Ok(Self { connection: Mutex::new(connection), readers, next_reader: AtomicUsize::new(0) })
    }

    /// Runs `work` inside one transaction that commits only if it succeeds.
    pub fn write<T>(
        &self,
        work: impl FnOnce(&Transaction<'_>) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        let value = work(&transaction)?;
        transaction.commit()?;
        Ok(value)
    }

    /// Runs `work` on a consistent snapshot, on the first free reader.
    pub fn read<T>(
        &self,
        work: impl FnOnce(&Connection) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        let mut connection = self.reader();
        let transaction = connection.transaction()?;
        work(&transaction)
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        lock(&self.connection)
    }

    /// A free reader if there is one, else waits for one.
    fn reader(&self) -> MutexGuard<'_, Connection> {
        let start = self.next_reader.fetch_add(1, Ordering::Relaxed);
        for offset in 0..READERS {
            if let Ok(reader) = self.readers[(start + offset) % READERS].try_lock() {
                return reader;
            }
        }
        lock(&self.readers[start % READERS])
    }
}

fn lock(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    // A panic while holding the lock cannot leave a transaction open: its guard rolled
    // back on unwind. The connection is still usable.
    connection.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn migrate(connection: &mut Connection) -> rusqlite::Result<()> {
    let current: usize =
        connection.query_row("PRAGMA user_version", [], |row| row.get::<_, i64>(0))? as usize;
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current) {
        let transaction = connection.transaction()?;
        transaction.execute_batch(migration)?;
        transaction.execute_batch(&format!("PRAGMA user_version = {}", index + 1))?;
        transaction.commit()?;
        tracing::debug!(version = index + 1, "sandbox database migrated");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_run_once_and_leave_the_latest_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/sandbox.db");
        drop(Database::open(&path).unwrap());
        let database = Database::open(&path).unwrap();
        let version = database
            .read(|c| Ok(c.query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))?))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
    }
}
