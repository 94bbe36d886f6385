//! Integration tests, compiled as one binary.

mod client;
mod customers;
mod manifest;
mod sandbox;
mod support;
