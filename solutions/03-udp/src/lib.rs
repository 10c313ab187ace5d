//! Chapter 3, UDP: the model answer.
//!
//! The exercise builds, step by step, the pieces every UDP program is made
//! of. Each module is one step, and each reads on its own:
//!
//! - [`step1_datagrams`]: one datagram there and one back — `send_to`,
//!   `recv_from`, a port chosen by the OS, a timeout that is an error of its
//!   own;
//! - [`step2_echo_server`]: a server that answers many clients from one
//!   socket and stops when told;
//! - [`step3_retry`]: a client that survives loss with timeouts, retries and
//!   exponential backoff, and ignores datagrams from strangers;
//! - [`step4_boundaries`]: one send is one receive, the largest datagram,
//!   and how to notice a datagram cut short by a small buffer;
//! - [`step5_chat_threads`]: what the two threads of a chat peer run, one
//!   receiving and one sending, with channels to the rest of the program;
//! - [`step6_chat_peer`]: a chat peer that sends and receives at the same
//!   time, both threads on one socket;
//! - [`step7_request_ids`]: many requests in flight at once, replies matched
//!   by id whatever order (and however often) they arrive in.
//!
//! Start with [`step1_datagrams`]; the book's chapter "UDP" teaches each step.

pub mod step1_datagrams;
pub mod step2_echo_server;
pub mod step3_retry;
pub mod step4_boundaries;
pub mod step5_chat_threads;
pub mod step6_chat_peer;
pub mod step7_request_ids;
