//! The platform client: HTTP, pagination, retries, the rate limiter and capability detection.
//!
//! [`Client`] talks to one account. Reads ([`Client::read_state`], [`Client::preview`],
//! [`Client::list_customers_page`]) are retried on 429, 5xx and transport errors; writes
//! ([`Client::create`], [`Client::update`], [`Client::delete`], [`Client::deactivate`],
//! [`Client::reactivate`], [`Client::put_singleton`], [`Client::create_customer`],
//! [`Client::update_customer`]) resolve a lost answer by reading the object back before any
//! retry. Every request of a client, and of its clones, waits for
//! the same [`RateLimiter`].

mod backoff;
mod client;
mod config;
mod customer;
mod error;
mod rate_limit;
mod read;
mod secret;
mod write;

pub use backoff::{Backoff, parse_retry_after};
pub use client::Client;
pub use config::{API_BASE_PATH, ClientConfig, RetryPolicy, Timeouts, api_base};
pub use customer::{
    Customer, CustomerDraft, CustomerFieldValue, CustomerId, CustomerTag, TagAssignment,
};
pub use error::PlatformError;
pub use rate_limit::RateLimiter;
pub use read::ListPage;
pub use secret::Secret;
