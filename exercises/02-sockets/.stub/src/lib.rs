//! # Chapter 2, Sockets: the exercise
//!
//! Before a program speaks any protocol it has to get the plumbing right: make a
//! socket of the right family and type, set the options that matter, turn text
//! into bytes and back, tell silence from a closed peer, talk to a process on the
//! same machine, and explain an error to the person who sees it. In this crate you
//! build each of those as a small function. The chapter "Sockets" of the book
//! (`book/02-sockets/`, or `mdbook serve --open` from the repository root)
//! teaches everything you need; each function's doc comment says which page.
//!
//! The steps, in order (each has its test file in `tests/`, of the same name):
//!
//! 1. [`step1_create`]: make sockets with `socket2`, options before `bind`, and
//!    hand them to `std`.
//! 2. [`step2_options`]: set buffer sizes, a read timeout and non-blocking mode,
//!    and read back what the kernel granted.
//! 3. [`step3_text`]: UTF-8 and GBK, strict decoding, guessing, and mojibake.
//! 4. [`step4_receive`]: a receive that tells data from silence from a closed peer.
//! 5. [`step5_unix_pair`]: a Unix socket pair, sending and receiving at once.
//! 6. [`step6_unix_datagram`]: Unix datagram sockets on a path, and answering one.
//! 7. [`step7_diagnose`]: turn an `io::Error` into a sentence a person can act on.
//!
//! Run `cargo lab check sockets` to see which steps pass, and `cargo lab hint
//! sockets` when you are stuck. Steps 5 and 6 need Linux or macOS (WSL counts).

// The stubs ignore their arguments until you write the bodies.
#![allow(unused_variables)]

pub mod step1_create;
pub mod step2_options;
pub mod step3_text;
pub mod step4_receive;
#[cfg(unix)]
pub mod step5_unix_pair;
#[cfg(unix)]
pub mod step6_unix_datagram;
pub mod step7_diagnose;
