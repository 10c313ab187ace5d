//! Chapter 4, TCP: the model answer.
//!
//! The exercise builds, step by step, the programs TCP is used for, from a
//! one-shot client to a chat room and a web server. Each module is one
//! step, and each reads on its own:
//!
//! - [`step1_client`]: connect with a timeout, send, read until EOF;
//! - [`step2_echo`]: `accept`, and an echo server for clients in turn;
//! - [`step3_exact`]: a byte stream has no boundaries — reading exactly
//!   one record however the bytes arrive;
//! - [`step4_lines`]: a line protocol, with a limit on the line;
//! - [`step5_frames`]: length-prefixed frames, the mini-redis way, with a
//!   limit checked before anything is allocated;
//! - [`step6_many_clients`]: a thread per connection, then a bounded pool
//!   with a graceful shutdown;
//! - [`step7_chat`]: a chat room where a slow client never stalls the rest;
//! - [`step8_http`]: an HTTP/1.1 file server that keeps to its root;
//! - [`step9_half_close`]: `shutdown(Write)`, and writing while reading.
//!
//! [`report`] is not a step: it is what the lab's reference servers
//! (`tcp-echo-server`, `chat-server`, `http-server`, in `src/bin/`) log.
//! Start with [`step1_client`]; the book's chapter "TCP" teaches each step.

pub mod report;
pub mod step1_client;
pub mod step2_echo;
pub mod step3_exact;
pub mod step4_lines;
pub mod step5_frames;
pub mod step6_many_clients;
pub mod step7_chat;
pub mod step8_http;
pub mod step9_half_close;
