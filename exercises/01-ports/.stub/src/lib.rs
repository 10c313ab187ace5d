//! Addresses and ports: the exercise of chapter 1 of the netlab workbook.
//!
//! You will build a small toolbox for the two numbers every network program
//! needs before it sends a byte: the IP address that finds a machine and the
//! port that finds a program on it. The chapter *Addresses and ports* teaches
//! everything here; each step names the page to read first.
//!
//! Work through the steps in order. Each is one module of this crate and one
//! test file in `tests/` with the same name; run a step's tests with
//! `cargo test -p ports --test step1_host_port` (or all of them with
//! `cargo lab check ports`). Replace every `todo!()`; the types are given.
//!
//! 1. [`step1_host_port`]: parse `127.0.0.1:80` and `[::1]:8080` into a
//!    `SocketAddr`, with an error that names the mistake.
//! 2. [`step2_ipv4_forms`]: IPv4 as dotted decimal, 32-bit number and
//!    dotted binary.
//! 3. [`step3_classify`]: loopback, private, link-local, multicast, …; and
//!    the historic classes A to E.
//! 4. [`step4_subnets`]: netmask, network, broadcast and usable hosts of
//!    `192.168.1.77/24`.
//! 5. [`step5_ports`]: the three port ranges, well-known services, the
//!    Linux ephemeral range.
//! 6. [`step6_os_ports`]: ask the OS for a free port, report a port in use,
//!    resolve `localhost`.

// The stubs do not use their arguments yet; this goes once you are done.
#![allow(unused_variables)]

pub mod step1_host_port;
pub mod step2_ipv4_forms;
pub mod step3_classify;
pub mod step4_subnets;
pub mod step5_ports;
pub mod step6_os_ports;
