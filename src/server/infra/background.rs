//! The server's background loops (the mailer, webhook deliveries, the billing scheduler) and
//! their stop at shutdown. Each loop sleeps between passes with [`Stop::pause`], which ends
//! early when the server stops; the server then waits for each loop to finish the pass it is
//! in before it closes the database. Without this, a loop was cut off wherever it was when the
//! pool closed: an email sent but not yet marked sent failed with "closed pool" and went out
//! again at the next start.

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Whether a chore a loop runs every `every_secs` is due at `now` (Unix seconds): at once when
/// it never ran, then when `every_secs` have passed since. (A start value of `i64::MIN` made
/// `now - last` overflow: a panic that ended the loop in debug builds, and in release builds a
/// wrapped negative difference, so the chore never ran.)
pub fn is_due(last: Option<i64>, now: i64, every_secs: i64) -> bool {
    last.is_none_or(|last| now.saturating_sub(last) >= every_secs)
}

/// What a background loop listens to between its passes.
#[derive(Clone)]
pub struct Stop(watch::Receiver<bool>);

impl Stop {
    /// Waits `period`, or less if the server is stopping. True when the loop should end.
    pub async fn pause(&mut self, period: Duration) -> bool {
        let slept = tokio::select! {
            _ = tokio::time::sleep(period) => true,
            // Also ends when the sender is gone: nobody can tell the loop to go on.
            _ = self.0.wait_for(|stopping| *stopping) => false,
        };
        !slept || self.requested()
    }

    /// True once the server has begun to stop.
    pub fn requested(&self) -> bool {
        *self.0.borrow()
    }
}

/// The running loops, stopped together.
pub struct Background {
    stop: watch::Sender<bool>,
    tasks: Vec<(&'static str, JoinHandle<()>)>,
}

impl Default for Background {
    fn default() -> Self {
        Self::new()
    }
}

impl Background {
    pub fn new() -> Self {
        Self { stop: watch::Sender::new(false), tasks: Vec::new() }
    }

    /// The signal to hand a loop when it is spawned.
    pub fn signal(&self) -> Stop {
        Stop(self.stop.subscribe())
    }

    /// Keeps a spawned loop (if it was started) to wait for at shutdown.
    pub fn keep(&mut self, name: &'static str, task: Option<JoinHandle<()>>) {
        if let Some(task) = task {
            self.tasks.push((name, task));
        }
    }

    /// Tells every loop to stop and waits for each to finish its pass, at most `grace` each;
    /// one still busy then is cut off (what it leaves undone, e.g. a billing run, resumes at
    /// the next start).
    pub async fn stop(self, grace: Duration) {
        self.stop.send_replace(true);
        for (name, mut task) in self.tasks {
            match tokio::time::timeout(grace, &mut task).await {
                Ok(Ok(())) => tracing::debug!(task = name, "background loop stopped"),
                Ok(Err(error)) => tracing::warn!(task = name, %error, "background loop ended abnormally"),
                Err(_) => {
                    tracing::warn!(task = name, "background loop still busy at shutdown; cut off");
                    task.abort();
                    // Gone before the database closes behind it.
                    let _ = task.await;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[test]
    fn a_chore_is_due_at_once_then_every_period() {
        assert!(is_due(None, 1_800_000_000, 60));
        assert!(!is_due(Some(1_800_000_000), 1_800_000_059, 60));
        assert!(is_due(Some(1_800_000_000), 1_800_000_060, 60));
        // A clock set back (a pinned test calendar, a corrected host clock) waits, never panics.
        assert!(!is_due(Some(1_800_000_000), 1_700_000_000, 60));
        assert!(is_due(Some(i64::MIN), 1_800_000_000, 60));
    }

    /// A failure guard only: a loop that never notices the stop would hang the test.
    const GUARD: Duration = Duration::from_secs(30);

    #[tokio::test]
    async fn a_pausing_loop_ends_its_pass_and_stops_when_asked() {
        let mut background = Background::new();
        let passes = Arc::new(AtomicU32::new(0));
        let mut stop = background.signal();
        let counted = passes.clone();
        let task = tokio::spawn(async move {
            loop {
                counted.fetch_add(1, Ordering::SeqCst);
                if stop.pause(Duration::from_secs(3600)).await {
                    break;
                }
            }
        });
        background.keep("counter", Some(task));
        while passes.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        tokio::time::timeout(GUARD, background.stop(GUARD)).await.expect("the loop stopped");
        assert_eq!(passes.load(Ordering::SeqCst), 1, "one pass, then the hour-long pause ended early");
    }

    #[tokio::test]
    async fn a_loop_that_does_not_listen_is_cut_off_after_the_grace() {
        let mut background = Background::new();
        let stubborn = tokio::spawn(async {
            loop {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
        });
        let handle = stubborn.abort_handle();
        background.keep("stubborn", Some(stubborn));
        background.keep("not started", None);
        tokio::time::timeout(GUARD, background.stop(Duration::from_millis(10))).await.expect("stop returned");
        assert!(handle.is_finished(), "aborted");
    }

    #[tokio::test]
    async fn a_loop_whose_server_is_gone_stops() {
        let background = Background::new();
        let mut stop = background.signal();
        assert!(!stop.requested());
        drop(background);
        assert!(tokio::time::timeout(GUARD, stop.pause(Duration::from_secs(3600))).await.expect("returned"));
    }
}
