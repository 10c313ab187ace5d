//! # Sockets: the model answer
//!
//! Chapter 2 of the netlab book ("Sockets", `book/02-sockets/`) explains what a
//! socket is; this crate is the set of small tools every later chapter leans on.
//! Each module is one step of the exercise, and each can be read on its own:
//!
//! - [`step1_create`]: make a socket with `socket2` — family, type, options set
//!   *before* `bind` — and hand it to `std`, which does the reading and writing.
//! - [`step2_options`]: ask the kernel for buffer sizes, a read timeout and
//!   non-blocking mode, and read back what it actually granted.
//! - [`step3_text`]: sockets carry bytes, people read text: UTF-8 and GBK, strict
//!   decoding, guessing which one arrived, and the mojibake of guessing wrong.
//! - [`step4_receive`]: one receive that tells "here is data" from "nothing came in
//!   time" from "the peer has gone".
//! - [`step5_unix_pair`] (Unix only): two ends of a socket pair on one machine,
//!   sending and receiving at once so that a large message cannot deadlock.
//! - [`step6_unix_datagram`] (Unix only): datagram sockets with a path in the
//!   file system, and who can be answered.
//! - [`step7_diagnose`]: turn an `io::Error` into one sentence a person can act on.
//!
//! Start with [`step1_create`]: it shows the life of a socket one system call at
//! a time, and everything after it assumes that picture.

pub mod step1_create;
pub mod step2_options;
pub mod step3_text;
pub mod step4_receive;
#[cfg(unix)]
pub mod step5_unix_pair;
#[cfg(unix)]
pub mod step6_unix_datagram;
pub mod step7_diagnose;
