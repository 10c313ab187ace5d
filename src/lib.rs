//! netlab: the workbook's command line and book preprocessor.
//!
//! - [`workbook`] finds the workbook on disk and reads each exercise's
//!   `[package.metadata.netlab]`: the one source of truth for chapters,
//!   steps, hints and points, shared by `cargo lab` and the book.
//! - [`probe`] checks a live server from the outside (`cargo lab probe`).

pub mod probe;
pub mod workbook;
