//! Ctrl-C and SIGTERM during a run that writes: the first stops new work and lets the work
//! in flight finish, the second exits at once.

use crate::apply::StopSignal;

/// What a run says when a signal stops it.
pub struct Stopping {
    /// After the first signal: what still happens.
    pub draining: &'static str,
    /// After the second, as it exits: where the user stands.
    pub abandoned: &'static str,
}

/// How apply stops.
pub const APPLY_STOPPING: Stopping = Stopping {
    draining: "no new changes start; those in flight finish",
    abandoned: "The run's journal lists what finished; `mercfg plan` shows what is left.",
};

/// How a customer import stops.
pub const IMPORT_STOPPING: Stopping = Stopping {
    draining: "no further row is read; the writes in flight finish",
    abandoned: "Run the import again to go on: rows already in are found unchanged.",
};

/// Ctrl-C or SIGTERM: `stop` is set, so no more work starts and the work in flight
/// finishes. A second one exits at once, for a request that hangs.
pub async fn stop_on_signal(stop: StopSignal, says: Stopping) {
    if !next_signal().await {
        return;
    }
    eprintln!("\nStopping: {} (again to stop now).", says.draining);
    stop.stop();

    if next_signal().await {
        eprintln!(
            "\nStopped with writes in flight: they may or may not have landed. {}",
            says.abandoned
        );
        std::process::exit(130);
    }
}

/// Waits for Ctrl-C or SIGTERM; false when they cannot be listened for.
async fn next_signal() -> bool {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let Ok(mut terminate) = signal(SignalKind::terminate()) else { return false };
        tokio::select! {
            result = tokio::signal::ctrl_c() => result.is_ok(),
            _ = terminate.recv() => true,
        }
    }
    #[cfg(not(unix))]
    {
        tokio::signal::ctrl_c().await.is_ok()
    }
}
