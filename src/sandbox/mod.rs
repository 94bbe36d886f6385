//! The sandbox: a local emulator of the platform contract over HTTP and SQLite.
