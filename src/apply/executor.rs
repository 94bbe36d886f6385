//! The executor: runs steps level by level, several at once within a level, and decides
//! which steps never start (a dependency failed, or the run was asked to stop).
//!
//! It knows nothing of HTTP or of plans: a step is an index, a level and the indices it
//! depends on, and the work is a function from index to outcome. That keeps the ordering
//! and cancellation rules testable on their own.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::Serialize;
use tokio::task::JoinSet;

/// One unit of work: its dependency level and the steps it needs to have succeeded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Steps run in increasing level; all of one level finish before the next starts.
    pub level: u32,
    /// Indices of earlier-level steps that must have been applied for this one to start.
    pub depends_on: Vec<usize>,
}

/// What became of one step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// The change is on the account.
    Applied,
    /// Nothing to send: the change is for a person to make in the web app.
    Manual,
    /// The object changed on the account since the plan was made; it was left alone.
    Conflict { message: String },
    /// The platform refused the change, or it could not be sent.
    Failed { message: String },
    /// Not attempted because a change it depends on did not apply.
    SkippedDependency { on: usize },
    /// Not attempted because the run was stopped.
    Interrupted,
}

impl Outcome {
    /// True when the account may not match what the step wanted.
    pub fn is_failure(&self) -> bool {
        !matches!(self, Outcome::Applied | Outcome::Manual)
    }
}

/// Hears about each step as it starts and finishes, in the executor's own task.
pub trait Observer {
    fn started(&mut self, index: usize);
    fn finished(&mut self, index: usize, outcome: &Outcome);
}

/// A flag that stops new steps from starting; steps in flight finish.
#[derive(Debug, Clone, Default)]
pub struct StopSignal(Arc<AtomicBool>);

impl StopSignal {
    pub fn stop(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    pub fn is_stopped(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// Runs `work` for every step, at most `parallelism` at once, level by level, and returns
/// the outcome of each step by index.
pub async fn run<F, Fut>(
    steps: &[Step],
    parallelism: usize,
    stop: &StopSignal,
    observer: &mut dyn Observer,
    work: F,
) -> Vec<Outcome>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Outcome> + Send + 'static,
{
    let parallelism = parallelism.max(1);
    let mut outcomes: Vec<Option<Outcome>> = vec![None; steps.len()];
    let mut levels: Vec<u32> = steps.iter().map(|s| s.level).collect();
    levels.sort_unstable();
    levels.dedup();

    for level in levels {
        let mut queue = (0..steps.len()).filter(|&i| steps[i].level == level);
        let mut in_flight = JoinSet::new();
        loop {
            // Fill the free slots with steps that may start.
            while in_flight.len() < parallelism {
                let Some(index) = queue.next() else { break };
                if stop.is_stopped() {
                    finish(&mut outcomes, observer, index, Outcome::Interrupted);
                    continue;
                }
                let failed_dependency = steps[index].depends_on.iter().copied().find(|&d| {
                    outcomes.get(d).and_then(Option::as_ref).is_none_or(Outcome::is_failure)
                });
                if let Some(on) = failed_dependency {
                    finish(&mut outcomes, observer, index, Outcome::SkippedDependency { on });
                    continue;
                }
                observer.started(index);
                let future = work(index);
                in_flight.spawn(async move { (index, future.await) });
            }

            let Some(joined) = in_flight.join_next().await else { break };
            match joined {
                Ok((index, outcome)) => finish(&mut outcomes, observer, index, outcome),
                // A panicking step is a bug, but it must not take the run's report with it.
                Err(error) => tracing::error!("a change's task ended abnormally: {error}"),
            }
        }
    }

    outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or(Outcome::Failed { message: "the change's task ended abnormally".into() })
        })
        .collect()
}

fn finish(
    outcomes: &mut [Option<Outcome>],
    observer: &mut dyn Observer,
    index: usize,
    outcome: Outcome,
) {
    observer.finished(index, &outcome);
    outcomes[index] = Some(outcome);
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;
    use std::time::Duration;

    use super::*;

    #[derive(Default)]
    struct Log(Vec<String>);

    impl Observer for Log {
        fn started(&mut self, index: usize) {
            self.0.push(format!("start {index}"));
        }
        fn finished(&mut self, index: usize, outcome: &Outcome) {
            self.0.push(format!("end {index} {outcome:?}"));
        }
    }

    fn step(level: u32, depends_on: &[usize]) -> Step {
        Step { level, depends_on: depends_on.to_vec() }
    }

    #[tokio::test]
    async fn levels_run_in_order_and_failures_skip_dependents() {
        let steps = [step(2, &[1]), step(1, &[]), step(1, &[]), step(2, &[2])];
        let mut log = Log::default();
        let outcomes = run(&steps, 4, &StopSignal::default(), &mut log, |i| async move {
            if i == 2 { Outcome::Failed { message: "no".into() } } else { Outcome::Applied }
        })
        .await;

        assert_eq!(outcomes[0], Outcome::Applied);
        assert_eq!(outcomes[1], Outcome::Applied);
        assert_eq!(outcomes[3], Outcome::SkippedDependency { on: 2 });
        let first_level_two = log.0.iter().position(|l| l == "start 0").unwrap();
        assert!(log.0[..first_level_two].iter().any(|l| l.starts_with("end 1")));
        assert!(log.0[..first_level_two].iter().any(|l| l.starts_with("end 2")));
    }

    #[tokio::test]
    async fn parallelism_bounds_steps_in_flight() {
        let steps: Vec<Step> = (0..12).map(|_| step(1, &[])).collect();
        let gauge = Arc::new(Mutex::new((0usize, 0usize)));
        let outcomes = run(&steps, 3, &StopSignal::default(), &mut Log::default(), |_| {
            let gauge = gauge.clone();
            async move {
                {
                    let mut g = gauge.lock().unwrap();
                    g.0 += 1;
                    g.1 = g.1.max(g.0);
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
                gauge.lock().unwrap().0 -= 1;
                Outcome::Applied
            }
        })
        .await;

        assert!(outcomes.iter().all(|o| *o == Outcome::Applied));
        assert_eq!(gauge.lock().unwrap().1, 3);
    }

    #[tokio::test]
    async fn a_stop_lets_steps_in_flight_finish_and_starts_no_more() {
        let steps: Vec<Step> = (0..6).map(|_| step(1, &[])).collect();
        let stop = StopSignal::default();
        let outcomes = run(&steps, 2, &stop, &mut Log::default(), |i| {
            let stop = stop.clone();
            async move {
                if i == 1 {
                    stop.stop();
                }
                Outcome::Applied
            }
        })
        .await;

        assert_eq!(outcomes[0], Outcome::Applied);
        assert_eq!(outcomes[1], Outcome::Applied);
        assert!(outcomes[2..].iter().all(|o| *o == Outcome::Interrupted), "{outcomes:?}");
    }
}
