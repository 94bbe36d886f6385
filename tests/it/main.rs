//! Integration tests, compiled as one binary.

mod client;
mod customers;
mod fleet;
mod manifest;
mod sandbox;
