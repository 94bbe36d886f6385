//! Throughput of the sandbox with no injected latency: creates (writes), then list pages
//! (reads), each from concurrent clients over keep-alive connections. Prints requests per
//! second. Run through `scripts/bench-sandbox.sh`.
//!
//! Arguments: `[WRITES] [READS] [CONCURRENCY]`, default `2000 5000 8`.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use mercfg::sandbox::{API_BASE, SandboxConfig, start};
use serde_json::json;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let writes = args.first().copied().unwrap_or(2000);
    let reads = args.get(1).copied().unwrap_or(5000);
    let concurrency = args.get(2).copied().unwrap_or(8);

    let dir = tempfile::tempdir()?;
    let config = SandboxConfig {
        db_path: dir.path().join("bench.db"),
        api_key: Some("bench".to_owned()),
        ..SandboxConfig::default()
    };
    let sandbox = start(config).await?;
    let base = format!("{}{API_BASE}", sandbox.url());
    // reqwest is built without a TLS provider of its own; plain http still needs one set.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();

    let rate = run(writes, concurrency, {
        let (client, base) = (client.clone(), base.clone());
        move |n| {
            let request = client
                .post(format!("{base}/tags"))
                .header("api-key", "bench")
                .json(&json!({"tag": {"name": format!("tag-{n}")}}));
            async move { request.send().await.map(|r| r.status().as_u16() == 201) }
        }
    })
    .await;
    println!("writes  POST /tags            {rate:>8.0} requests/s ({writes} requests)");

    // The floor: authentication, routing and a one-row read.
    let rate = run(reads, concurrency, {
        let (client, base) = (client.clone(), base.clone());
        move |_| {
            let request = client.get(format!("{base}/account")).header("api-key", "bench");
            async move { request.send().await.map(|r| r.status().is_success()) }
        }
    })
    .await;
    println!("reads   GET /account          {rate:>8.0} requests/s ({reads} requests)");

    let pages = writes / 100 + 1;
    let rate = run(reads, concurrency, {
        let (client, base) = (client.clone(), base.clone());
        move |n| {
            let request = client
                .get(format!("{base}/tags?page={}", n % pages + 1))
                .header("api-key", "bench");
            async move { request.send().await.map(|r| r.status().is_success()) }
        }
    })
    .await;
    println!("reads   GET /tags?page=       {rate:>8.0} requests/s ({reads} requests)");

    let rate = run(reads, concurrency, {
        let (client, base) = (client.clone(), base.clone());
        move |n| {
            let request = client
                .get(format!("{base}/customers?page={}", n % 3 + 1))
                .header("api-key", "bench");
            async move { request.send().await.map(|r| r.status().is_success()) }
        }
    })
    .await;
    println!("reads   GET /customers?page=  {rate:>8.0} requests/s ({reads} requests)");

    sandbox.stop().await?;
    Ok(())
}

/// Sends `total` requests from `concurrency` tasks and returns the successful ones per second.
async fn run<F, Fut>(total: usize, concurrency: usize, request: F) -> f64
where
    F: Fn(usize) -> Fut + Clone + Send + 'static,
    Fut: std::future::Future<Output = reqwest::Result<bool>> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let succeeded = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..concurrency {
        let (next, succeeded, request) = (next.clone(), succeeded.clone(), request.clone());
        tasks.spawn(async move {
            loop {
                let n = next.fetch_add(1, Ordering::Relaxed);
                if n >= total {
                    break;
                }
                if matches!(request(n).await, Ok(true)) {
                    succeeded.fetch_add(1, Ordering::Relaxed);
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    succeeded.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}
