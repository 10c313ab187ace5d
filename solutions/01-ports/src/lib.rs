//! Addresses and ports: the model answer to chapter 1 of the netlab workbook.
//!
//! Before a program can send a single byte it must say *where* to: which
//! machine (an IP address) and which program on that machine (a port). This
//! crate is the small toolbox that reads, checks and explains those two
//! numbers. Each module is one step of the exercise and one idea of the
//! chapter; read them in order.
//!
//! - [`step1_host_port`]: read `127.0.0.1:80` and `[::1]:8080` into a
//!   [`std::net::SocketAddr`], with an error that names the mistake.
//! - [`step2_ipv4_forms`]: an IPv4 address is a 32-bit number; convert
//!   between dotted decimal, that number and dotted binary.
//! - [`step3_classify`]: which addresses are special (loopback, private,
//!   link-local, multicast, …), and the historic classes A to E.
//! - [`step4_subnets`]: `192.168.1.77/24`: netmask, network, broadcast and
//!   how many hosts fit.
//! - [`step5_ports`]: the three port ranges, the well-known services, and
//!   the range Linux hands out to clients.
//! - [`step6_os_ports`]: ask the operating system: a free port, a port that
//!   is taken, what `localhost` resolves to.
//!
//! Start with [`step1_host_port::parse_host_port`]: it is the first thing
//! every networked program does with what a user typed.

pub mod step1_host_port;
pub mod step2_ipv4_forms;
pub mod step3_classify;
pub mod step4_subnets;
pub mod step5_ports;
pub mod step6_os_ports;
