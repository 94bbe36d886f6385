//! Integration tests, compiled as one binary.

mod client;
mod manifest;
