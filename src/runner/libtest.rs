//! Reading what a libtest binary prints.
//!
//! A test binary built by `cargo test` understands `--list` (one `name: test`
//! line per test) and, when run, prints a verdict line per test
//! (`test name ... ok`, `... FAILED`, `... ignored`), then one block per
//! failure with everything the test printed, its panic message included:
//!
//! ```text
//! test parses_port ... FAILED
//!
//! failures:
//!
//! ---- parses_port stdout ----
//! thread 'parses_port' panicked at tests/step1_host_port.rs:9:5:
//! not yet implemented
//!
//! failures:
//!     parses_port
//!
//! test result: FAILED. 0 passed; 1 failed; 0 ignored; …
//! ```
//!
//! libtest's JSON output is still unstable, so this plain text is what a
//! stable toolchain gives us; the parser is forgiving about anything else a
//! test may leak onto the binary's stdout. The code under test can write
//! there too, so the verdicts that count come from the log file libtest
//! writes with `--logfile` ([`parse_logfile`]), and the plain output only
//! gives each failure's message.

use std::collections::{BTreeMap, BTreeSet};

/// What libtest said of one test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `test name ... ok`
    Ok,
    /// `test name ... FAILED`
    Failed,
    /// `test name ... ignored` (possibly with a reason)
    Ignored,
}

/// Everything a run of a test binary reported, by test name.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LibtestRun {
    /// The verdict lines, in the order they were printed.
    pub verdicts: Vec<(String, Verdict)>,
    /// The `---- name stdout ----` blocks: what each failed test printed.
    pub failure_output: BTreeMap<String, String>,
    /// The names in the closing `failures:` list.
    pub failures_listed: BTreeSet<String>,
}

impl LibtestRun {
    /// The verdict printed for `name`, if any.
    pub fn verdict(&self, name: &str) -> Option<Verdict> {
        self.verdicts
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }
}

/// The test names in the output of `<binary> --list`.
pub fn parse_list(output: &str) -> Vec<String> {
    output
        .lines()
        .filter_map(|line| line.strip_suffix(": test"))
        .map(str::to_owned)
        .collect()
}

/// Reads the log file a test binary writes with `--logfile PATH`: a line
/// per test, `ok name`, `failed name`, `failed: why name` (the reason may
/// run over several lines), `ignored name` or `ignored: why name`. Only the
/// harness writes it. A test is `Ok` only on a line that is exactly `ok
/// name`; a test logged twice with different verdicts counts as failed.
pub fn parse_logfile(text: &str) -> BTreeMap<String, Verdict> {
    let mut verdicts: BTreeMap<String, Verdict> = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim_end();
        let Some((head, name)) = line.rsplit_once(' ') else {
            continue;
        };
        let verdict = if head == "ok" {
            Verdict::Ok
        } else if head == "ignored" || head.starts_with("ignored:") {
            Verdict::Ignored
        } else {
            // `failed`, `failed: …`, or the last line of a long reason.
            Verdict::Failed
        };
        let entry = verdicts.entry(name.to_owned()).or_insert(verdict);
        if *entry != verdict {
            *entry = Verdict::Failed;
        }
    }
    verdicts
}

/// Reads the plain output of a test binary's run.
pub fn parse_run(output: &str) -> LibtestRun {
    let mut run = LibtestRun::default();
    let mut state = State::Verdicts;
    for line in output.lines() {
        if let Some(name) = block_header(line) {
            state.flush_into(&mut run);
            state = State::Block {
                name: name.to_owned(),
                lines: Vec::new(),
            };
            continue;
        }
        if line == "failures:" {
            state.flush_into(&mut run);
            state = State::FailureList;
            continue;
        }
        if line.starts_with("test result: ") {
            state.flush_into(&mut run);
            state = State::Verdicts;
            continue;
        }
        match &mut state {
            State::Verdicts => {
                if let Some(verdict) = verdict_line(line) {
                    run.verdicts.push(verdict);
                }
            }
            State::Block { lines, .. } => lines.push(line),
            State::FailureList => {
                if let Some(name) = line.strip_prefix("    ") {
                    run.failures_listed.insert(name.trim().to_owned());
                } else if let Some(verdict) = verdict_line(line) {
                    run.verdicts.push(verdict);
                }
            }
        }
    }
    state.flush_into(&mut run);
    run
}

/// Where the parser is in the output.
enum State<'a> {
    /// Before any failure block: `test … ... ok` lines.
    Verdicts,
    /// Inside `---- name stdout ----`, collecting what the test printed.
    Block { name: String, lines: Vec<&'a str> },
    /// After the closing `failures:`: one indented name per line.
    FailureList,
}

impl State<'_> {
    /// Stores a finished failure block, without its blank edges.
    fn flush_into(&mut self, run: &mut LibtestRun) {
        if let State::Block { name, lines } =
            std::mem::replace(self, State::Verdicts)
        {
            let start = lines.iter().position(|l| !l.trim().is_empty());
            let end = lines.iter().rposition(|l| !l.trim().is_empty());
            let text = match (start, end) {
                (Some(start), Some(end)) => lines[start..=end].join("\n"),
                _ => String::new(),
            };
            run.failure_output.insert(name, text);
        }
    }
}

/// `---- name stdout ----` (older toolchains also print `stderr` blocks).
fn block_header(line: &str) -> Option<&str> {
    let inner = line.strip_prefix("---- ")?;
    inner
        .strip_suffix(" stdout ----")
        .or_else(|| inner.strip_suffix(" stderr ----"))
}

/// `test name ... ok`, `test name - should panic ... FAILED`, `test name ... ignored, why`.
fn verdict_line(line: &str) -> Option<(String, Verdict)> {
    let (name, verdict) = line.strip_prefix("test ")?.split_once(" ... ")?;
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    let verdict = match verdict.trim_end() {
        "ok" => Verdict::Ok,
        "FAILED" => Verdict::Failed,
        v if v.starts_with("ignored") => Verdict::Ignored,
        _ => return None,
    };
    Some((name.to_owned(), verdict))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIXED_RUN: &str = "
running 4 tests
test ig ... ignored
test ok ... ok
test sp - should panic ... ok
test module::bad ... FAILED

failures:

---- module::bad stdout ----

thread 'module::bad' (15521) panicked at tests/step1_a.rs:1:63:
boom
second line
note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace


failures:
    module::bad

test result: FAILED. 2 passed; 1 failed; 1 ignored; 0 measured; 0 filtered out; \
finished in 0.08s

";

    #[test]
    fn list_output_gives_the_test_names() {
        let listed =
            "bad: test\nig: test\nsome::nested: test\n\n3 tests, 0 benchmarks\n";
        assert_eq!(parse_list(listed), ["bad", "ig", "some::nested"]);
    }

    #[test]
    fn list_output_skips_benchmarks() {
        assert_eq!(parse_list("fast: bench\nslow: test\n"), ["slow"]);
    }

    #[test]
    fn verdicts_are_read_for_every_kind_of_line() {
        let run = parse_run(MIXED_RUN);
        assert_eq!(run.verdict("ig"), Some(Verdict::Ignored));
        assert_eq!(run.verdict("ok"), Some(Verdict::Ok));
        assert_eq!(run.verdict("sp"), Some(Verdict::Ok));
        assert_eq!(run.verdict("module::bad"), Some(Verdict::Failed));
        assert_eq!(run.verdict("missing"), None);
    }

    #[test]
    fn failure_block_keeps_the_whole_panic_message_without_blank_edges() {
        let run = parse_run(MIXED_RUN);
        let output = &run.failure_output["module::bad"];
        assert!(output.starts_with("thread 'module::bad' (15521) panicked at"));
        assert!(output.contains("boom\nsecond line\n"));
        assert!(output.ends_with("to display a backtrace"));
    }

    #[test]
    fn closing_failure_list_is_read() {
        let run = parse_run(MIXED_RUN);
        assert_eq!(
            run.failures_listed.iter().collect::<Vec<_>>(),
            ["module::bad"]
        );
    }

    #[test]
    fn several_failure_blocks_are_kept_apart() {
        let output = "test a ... FAILED\ntest b ... FAILED\n\nfailures:\n\n\
                      ---- a stdout ----\nfirst\n\n---- b stdout ----\nsecond\n\n\
                      failures:\n    a\n    b\n\ntest result: FAILED. 0 passed; 2 failed\n";
        let run = parse_run(output);
        assert_eq!(run.failure_output["a"], "first");
        assert_eq!(run.failure_output["b"], "second");
        assert_eq!(run.failures_listed.len(), 2);
    }

    #[test]
    fn the_log_file_gives_each_tests_verdict() {
        let log = "ok a\nfailed b\nignored c\nignored: slow d\nfailed: panic did not \
                   contain expected string\n      panic message: `x` e\nok f\nfailed f\n";
        let verdicts = parse_logfile(log);
        assert_eq!(verdicts["a"], Verdict::Ok);
        assert_eq!(verdicts["b"], Verdict::Failed);
        assert_eq!(verdicts["c"], Verdict::Ignored);
        assert_eq!(verdicts["d"], Verdict::Ignored);
        assert_eq!(verdicts["e"], Verdict::Failed);
        assert_eq!(verdicts["f"], Verdict::Failed, "two verdicts that disagree");
        assert_eq!(verdicts.get("missing"), None);
    }

    #[test]
    fn ignored_with_a_reason_is_still_ignored() {
        let run = parse_run("test slow ... ignored, takes a minute\n");
        assert_eq!(run.verdict("slow"), Some(Verdict::Ignored));
    }

    #[test]
    fn leaked_lines_and_unfinished_output_do_not_confuse_the_parser() {
        // A crash mid-run: one test reported, another started and never ended,
        // with text the test wrote straight to the terminal in between.
        let output = "running 2 tests\nsomething a child process printed\n\
                      test first ... ok\ntest second has been running for over 60 seconds\n";
        let run = parse_run(output);
        assert_eq!(run.verdicts, [("first".to_owned(), Verdict::Ok)]);
        assert!(run.failure_output.is_empty());
    }

    #[test]
    fn a_failure_that_printed_nothing_has_an_empty_block() {
        let output = "test quiet ... FAILED\n\nfailures:\n\n---- quiet stdout ----\n\n\
                      failures:\n    quiet\n";
        assert_eq!(parse_run(output).failure_output["quiet"], "");
    }
}
