//! Run a test body under a time limit.
//!
//! A student's server that never answers must fail a test, not freeze the
//! whole test run. [`deadline`] runs the body on a fresh thread and waits for
//! it on a channel with a timeout. When time runs out the test fails with a
//! message naming what was being waited for; the stuck thread is left behind
//! and ends with the test process.

use std::panic;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

/// Runs `body` on its own thread and returns its result, failing the calling
/// test if `body` takes longer than `limit`.
///
/// `what` names the behaviour under test, so that a timeout reads as
/// "your echo server did not answer within 2 s" rather than a bare panic.
/// A panic inside `body` (a failed assertion, a `todo!()`) is passed on
/// unchanged, message and all.
pub fn deadline<T, F>(limit: Duration, what: &str, body: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (done_tx, done_rx) = mpsc::channel();
    let worker = thread::Builder::new()
        .name(format!("deadline: {what}"))
        .spawn(move || {
            // Catch the panic so the waiting side can re-raise it with its
            // original payload; the send fails only if we already gave up.
            let outcome = panic::catch_unwind(panic::AssertUnwindSafe(body));
            let _ = done_tx.send(outcome);
        })
        .expect("could not start the test thread");

    match done_rx.recv_timeout(limit) {
        Ok(Ok(value)) => {
            let _ = worker.join();
            value
        }
        Ok(Err(payload)) => panic::resume_unwind(payload),
        Err(_) => panic!(
            "timed out: {what} did not finish within {} (the test gave up; \
             look for a receive without a timeout or a loop that never ends)",
            human_duration(limit)
        ),
    }
}

/// Formats a duration the way people say it: `2 s`, `500 ms`.
pub fn human_duration(duration: Duration) -> String {
    if duration.subsec_millis() == 0 {
        format!("{} s", duration.as_secs())
    } else {
        format!("{} ms", duration.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn returns_the_value_of_a_quick_body() {
        assert_eq!(deadline(Duration::from_secs(1), "adding", || 1 + 1), 2);
    }

    #[test]
    #[should_panic(expected = "timed out: sleeping did not finish within 50 ms")]
    fn fails_a_body_that_takes_too_long() {
        deadline(Duration::from_millis(50), "sleeping", || {
            thread::sleep(Duration::from_secs(5))
        });
    }

    #[test]
    #[should_panic(expected = "not yet")]
    fn passes_on_the_panic_of_the_body() {
        deadline(Duration::from_secs(1), "a stub", || -> () {
            todo!("not yet")
        });
    }
}
