//! Test helpers that every exercise and solution of the workbook shares.
//!
//! A test that touches the network must never hang, whatever the code under
//! test does, and its failure must say what went over the wire. This crate
//! gives the tests the few tools they need for that:
//!
//! - [`deadline`] runs a test body on its own thread and fails the test with a
//!   clear message when the body does not finish in time;
//! - [`loopback`] binds sockets on 127.0.0.1 with a port chosen by the OS,
//!   connects and receives with timeouts, and shows bytes readably;
//! - [`proxy`] puts a lossy network between a client and a server: it drops,
//!   duplicates, reorders and delays datagrams by a seeded plan, and counts;
//! - [`tftp_script`] plays a fixed TFTP exchange as a fake server or client
//!   and says which packet was wrong ("expected ACK 3, got ACK 2").
//!
//! Start with [`deadline`]: every socket test wraps its body in it.

pub mod deadline;
pub mod loopback;
pub mod proxy;
pub mod tftp_script;

pub use deadline::deadline;
