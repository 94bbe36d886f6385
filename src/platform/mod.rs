//! The platform client: HTTP, pagination, retries, the rate limiter and capability detection.
