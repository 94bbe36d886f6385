//! CPU time and memory of `validate` and of the diff, with no network in the measured part.
//! Run through `scripts/bench.sh`, which saves a populated account's state first.
//!
//! ```text
//! bench_diff save-state ENDPOINT STATE.json     # reads the account (key in MERCATELY_API_KEY)
//! bench_diff run MANIFEST STATE.json [RUNS]     # times load + diff, best of RUNS (default 1)
//! ```
//!
//! `run` prints one line per phase (`validate`, `diff`, `validate+diff`, and the rails and
//! text rendering that `plan` adds) with the CPU time of the best run, then the process's
//! peak resident memory (Linux: `VmHWM`). CPU time is the whole process's, user and system.

use std::path::Path;
use std::time::Duration;

use mercfg::manifest;
use mercfg::plan::{self, PlanOptions, rails};
use mercfg::platform::{Client, ClientConfig};
use mercfg::render;
use mercfg::state::LiveState;

type Failure = Box<dyn std::error::Error>;

fn main() -> Result<(), Failure> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["save-state", endpoint, out] => save_state(endpoint, Path::new(out)),
        ["run", manifest, state] => run(Path::new(manifest), Path::new(state), 1),
        ["run", manifest, state, runs] => run(Path::new(manifest), Path::new(state), runs.parse()?),
        _ => Err("usage: bench_diff save-state ENDPOINT STATE.json | run MANIFEST STATE.json \
                  [RUNS]"
            .into()),
    }
}

/// Reads the account once over HTTP and keeps it as JSON.
fn save_state(endpoint: &str, out: &Path) -> Result<(), Failure> {
    let key = std::env::var("MERCATELY_API_KEY")?;
    let mut config = ClientConfig::new(endpoint, key);
    config.rate_limit = 10_000.0;
    let client = Client::new(config)?;
    let runtime = tokio::runtime::Runtime::new()?;
    let live = runtime.block_on(client.read_state())?;
    std::fs::write(out, serde_json::to_vec(&live)?)?;
    Ok(())
}

/// Times each phase `runs` times over the same input and prints the best run.
fn run(manifest_path: &Path, state: &Path, runs: u32) -> Result<(), Failure> {
    let live: LiveState = serde_json::from_slice(&std::fs::read(state)?)?;
    let options = PlanOptions::default();

    let mut best = [Duration::MAX; 4];
    let mut changes = 0;
    for _ in 0..runs.max(1) {
        let clock = Clock::start();
        let loaded = manifest::load(manifest_path).map_err(|problems| {
            format!("the manifest does not validate: {} problems", problems.items.len())
        })?;
        let validated = clock.elapsed();

        let clock = Clock::start();
        let plan = plan::diff(&loaded.manifest, &live, &options);
        let diffed = clock.elapsed();

        let clock = Clock::start();
        let violations = rails::check(&plan, &loaded.manifest, &live, &options);
        let rendered = render::text(&plan, false);
        let rest = clock.elapsed();

        changes = plan.changes.len();
        std::hint::black_box((violations, rendered));
        for (slot, time) in best.iter_mut().zip([validated, diffed, validated + diffed, rest]) {
            *slot = (*slot).min(time);
        }
    }

    let names = ["validate", "diff", "validate+diff", "rails+render"];
    for (name, time) in names.iter().zip(best) {
        println!(
            "{name:<14} {:>8.1} ms cpu (best of {runs} in this process)",
            time.as_secs_f64() * 1e3
        );
    }
    println!("changes        {changes:>8}");
    if let Some(kilobytes) = peak_memory_kb() {
        println!("peak memory    {:>8.1} MB", kilobytes as f64 / 1024.0);
    }
    Ok(())
}

/// CPU time of the whole process (every thread: the manifest's YAML is parsed on a thread
/// of its own), user and system, from `getrusage`.
struct Clock {
    cpu: Duration,
}

impl Clock {
    fn start() -> Self {
        Self { cpu: cpu_time() }
    }

    fn elapsed(&self) -> Duration {
        cpu_time().saturating_sub(self.cpu)
    }
}

fn cpu_time() -> Duration {
    // SAFETY: `getrusage` only writes the struct it is given, which is zeroed and ours.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut usage);
        usage
    };
    let micros = |time: libc::timeval| time.tv_sec as u64 * 1_000_000 + time.tv_usec as u64;
    Duration::from_micros(micros(usage.ru_utime) + micros(usage.ru_stime))
}

/// The process's peak resident memory (`VmHWM`), in kilobytes.
fn peak_memory_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
