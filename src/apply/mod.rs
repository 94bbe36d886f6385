//! Apply: executes a plan against the account, with a journal of every change.

pub mod executor;
pub mod journal;
