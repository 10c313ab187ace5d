//! `cargo lab probe KIND ADDR`: checks a live server from the outside; the
//! probes themselves live in [`crate::probe`].

use std::time::Duration;

use anyhow::Result;

use super::{Format, Verdict};
use crate::probe::ProbeOptions;

/// Runs the probe and turns its verdict into an exit code.
pub fn run(
    kind: &str,
    addr: &str,
    timeout: Duration,
    format: Format,
) -> Result<Verdict> {
    let options = ProbeOptions {
        timeout,
        json: format == Format::Json,
    };
    crate::probe::run(kind, addr, &options).map(Verdict::from_bool)
}
