//! A time limit on checking one file (`tally check --timeout`).
//!
//! A rule may loop over a table inside a loop over another (a row-by-row comparison that is
//! not a lookup by key, see [`crate::rules::keyed_loops`]), and a hostile or broken dataset may hold
//! hundreds of thousands of rows there: quadratic work that would hold up a bureau's batch for
//! hours. The evaluator counts its steps and looks at the clock every `POLL` steps; once the
//! limit has passed, the file's check stops, its findings so far are kept, and a `timeout`
//! finding says which rule was stopped and how many were not run. The other files go on.

use std::time::{Duration, Instant};

/// Steps between two looks at the clock: a step is a statement of a rule body, well under a
/// microsecond, and a look at the clock costs about as much as one.
const POLL: u32 = 1024;

/// When the check of one file must stop.
#[derive(Clone, Copy, Debug, Default)]
pub struct Deadline {
    /// The limit it was set with.
    limit: Option<Duration>,
    /// The moment (`None`: no limit).
    at: Option<Instant>,
    /// Steps counted since the last look at the clock.
    steps: u32,
    /// Set once the moment has passed; then it stays set.
    passed: bool,
}

impl Deadline {
    /// A deadline `limit` from now (`None`: never).
    pub fn after(limit: Option<Duration>) -> Deadline {
        Deadline {
            limit,
            // A limit too far away to be a moment is no limit.
            at: limit.and_then(|l| Instant::now().checked_add(l)),
            steps: 0,
            passed: false,
        }
    }

    /// Counts one step of evaluation; true once the deadline has passed. The clock is read
    /// at the first step and then every `POLL` steps.
    #[inline]
    pub fn step(&mut self) -> bool {
        if let Some(at) = self.at
            && !self.passed
        {
            if self.steps == 0 {
                self.passed = Instant::now() >= at;
            }
            self.steps = (self.steps + 1) % POLL;
        }
        self.passed
    }

    /// The limit it was set with.
    pub fn limit(&self) -> Option<Duration> {
        self.limit
    }

    /// True once a step has found the deadline passed.
    pub fn passed(&self) -> bool {
        self.passed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_never_passes_and_a_zero_limit_passes_at_the_first_step() {
        let mut never = Deadline::after(None);
        assert!((0..5000).all(|_| !never.step()));
        assert!(!never.passed());
        let mut now = Deadline::after(Some(Duration::ZERO));
        assert!(!now.passed(), "nothing is known before a step");
        assert!(now.step());
        assert!(now.passed());
        let mut later = Deadline::after(Some(Duration::from_secs(3600)));
        assert!((0..5000).all(|_| !later.step()));
        assert!(!Deadline::after(Some(Duration::MAX)).step());
    }
}
