//! Integration tests, compiled as one binary.

mod apply;
mod client;
mod customers;
mod fleet;
mod manifest;
mod plan;
mod sandbox;
mod support;
