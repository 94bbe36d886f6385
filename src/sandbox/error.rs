//! Why the sandbox could not start or keep serving.

use std::net::SocketAddr;
use std::path::PathBuf;

/// A failure to start or run the sandbox (not an HTTP error answered to a client).
#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum SandboxError {
    /// The address is not loopback and remote access was not allowed.
    #[error("refusing to listen on `{addr}`, which is not a loopback address")]
    #[diagnostic(help("use 127.0.0.1, or pass `--allow-remote` to expose the sandbox"))]
    RemoteRefused { addr: SocketAddr },

    /// The address could not be bound.
    #[error("cannot listen on `{addr}`")]
    #[diagnostic(help("pick another port, or use port 0 for a free one"))]
    Bind {
        addr: SocketAddr,
        #[source]
        source: std::io::Error,
    },

    /// The database directory could not be created.
    #[error("cannot create the directory of the database `{path}`")]
    #[diagnostic(help("check the path given to `--db` and its permissions"))]
    DatabaseDirectory {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// SQLite failed.
    #[error("sandbox database `{path}` failed")]
    #[diagnostic(help("the file may belong to another program or be damaged; try a new `--db`"))]
    Database {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// The `sandbox` account could not be prepared.
    #[error("cannot prepare the `sandbox` account: {reason}")]
    #[diagnostic(help("the database may be damaged; try a new `--db`"))]
    Setup { reason: String },

    /// The given API key belongs to another account of the database.
    #[error("the api key is already used by account `{slug}`")]
    #[diagnostic(help("pass another `--api-key`, or leave it out to keep the stored one"))]
    KeyTaken { slug: String },

    /// The HTTP server stopped with an error.
    #[error("the sandbox server failed")]
    #[diagnostic(help("see the cause above; restart the sandbox"))]
    Serve {
        #[source]
        source: std::io::Error,
    },

    /// The server task panicked or was cancelled.
    #[error("the sandbox server task ended unexpectedly")]
    #[diagnostic(help("run with `-v` to see the sandbox's logs"))]
    Crashed,
}
