//! Apply: executes a plan against the account, with a journal of every change.
