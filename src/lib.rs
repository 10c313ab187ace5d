//! netlab: the workbook's command line and book preprocessor.
//!
//! - [`workbook`] finds the workbook on disk and reads each exercise's
//!   `[package.metadata.netlab]`: the one source of truth for chapters,
//!   steps, hints and points, shared by `cargo lab` and the book.
//! - [`runner`] builds an exercise and runs its step tests, one binary per
//!   step under a time limit, into a per-test [`runner::Report`]: the heart
//!   of `cargo lab check`, reusable by the grader. Start reading here.
//! - [`progress`] keeps which steps passed and how many hints were shown in
//!   `.netlab/progress.json`.
//! - [`commands`] holds the verbs of `cargo lab` (`list`, `check`, `watch`,
//!   `hint`, `solution`, `reset`, `probe`); `src/main.rs` only parses flags.
//! - [`grade`] grades a class: each student's `src/` in fresh copies of the
//!   pristine exercises, one shared build, the same runner; and writes the
//!   GitHub Classroom workflow (`cargo lab grade`, `cargo lab classroom`).
//! - [`quiz`] reads a chapter's quiz (mdbook-quiz's TOML) for `cargo lab quiz`.
//! - [`output`] prints for people: marks, colour only on a terminal.
//! - [`probe`] checks a live server from the outside (`cargo lab probe`).
//! - [`book`] is the book's preprocessor: `{{#exercise …}}` boxes from the
//!   same metadata (the `netlab-book` binary).
//! - [`snippets`] moves code included from compiled files to the left margin
//!   (the same binary, run after mdBook's includes).

pub mod book;
pub mod commands;
pub mod grade;
pub mod output;
pub mod probe;
pub mod progress;
pub mod quiz;
pub mod runner;
pub mod snippets;
pub mod workbook;
