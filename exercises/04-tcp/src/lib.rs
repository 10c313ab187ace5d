//! Chapter 4, TCP: the exercise.
//!
//! You build, step by step, the programs TCP is used for: a client, echo
//! servers, readers of lines and frames, servers for many clients at once,
//! a chat room and a small web server. The book's chapter "TCP" teaches
//! each one; `cargo lab check tcp` runs the tests and tells you which step
//! is next. Work in this order:
//!
//! 1. [`step1_client`]: connect with a timeout, send a request, read the
//!    reply until the server closes.
//! 2. [`step2_echo`]: `accept` a client and echo it; then serve clients in
//!    turn.
//! 3. [`step3_exact`]: a byte stream has no message boundaries — read
//!    exactly one record, however the bytes arrive.
//! 4. [`step4_lines`]: a line protocol, with a limit on the line.
//! 5. [`step5_frames`]: length-prefixed frames, with a limit checked
//!    before anything is allocated.
//! 6. [`step6_many_clients`]: a thread per connection, then a bounded pool
//!    that shuts down gracefully.
//! 7. [`step7_chat`]: a chat room where a slow client never stalls the
//!    others.
//! 8. [`step8_http`]: an HTTP/1.1 file server that keeps to its root.
//! 9. [`step9_half_close`]: `shutdown(Write)`, and writing while reading.
//!
//! Each task is a function whose body is `todo!()`; its doc comment is the
//! whole task. The types are given complete: only behaviour is missing.

// The stubs do not use their arguments and fields yet. Once every step is
// done, these allowances can go.
#![allow(unused_variables, unused_mut, unused_imports, dead_code)]

pub mod step1_client;
pub mod step2_echo;
pub mod step3_exact;
pub mod step4_lines;
pub mod step5_frames;
pub mod step6_many_clients;
pub mod step7_chat;
pub mod step8_http;
pub mod step9_half_close;
