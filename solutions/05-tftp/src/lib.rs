//! A complete TFTP library: the client and server of the `tftp` and `tftpd`
//! binaries, and the model answer to chapter 5 of the workbook.
//!
//! TFTP (RFC 1350) moves a file over UDP in numbered blocks. Every block is
//! acknowledged, a lost datagram is sent again after a timeout, and a block
//! shorter than the block size ends the transfer. The extensions of RFC 2347
//! to 2349 and RFC 7440 let the two sides agree on bigger blocks, a timeout,
//! the file's size and a window of blocks sent before waiting for an ACK.
//!
//! # Map
//!
//! Read the modules in this order; each builds on the ones before it.
//!
//! - [`packet`]: the six packets (RRQ, WRQ, DATA, ACK, ERROR, OACK) and how
//!   they look on the wire. Start here.
//! - [`options`]: option negotiation: what a client may ask for, what a
//!   server grants, how a client checks the answer.
//! - [`netascii`]: the text mode's line-ending translation, as streaming
//!   reader and writer adapters.
//! - [`transfer`]: the heart of it: the sending and the receiving state
//!   machines (windows, timeouts, retries, block-number rollover, the end
//!   rule), written against a small [`transfer::Channel`] trait so that tests
//!   can drive them without a network.
//! - [`timer`]: the two clocks of a transfer, "fast retransmission, slow
//!   surrender": the adaptive retransmission timeout, and the silence
//!   budget after which a transfer gives up (25 s by default).
//! - [`net`]: the socket layer: one UDP socket per transfer, talking to one
//!   peer (its transfer ID) and turning strangers away with ERROR 5.
//! - [`path`]: how the server keeps every file name inside its root.
//! - [`client`]: `get` and `put` as library calls.
//! - [`server`]: the listener that hands each request to its own thread,
//!   socket and port.
//!
//! The binaries `src/bin/tftp.rs` and `src/bin/tftpd.rs` only parse flags
//! and call [`client`] and [`server`].

pub mod client;
pub mod net;
pub mod netascii;
pub mod options;
pub mod packet;
pub mod path;
pub mod server;
pub mod timer;
pub mod transfer;

pub use client::{ClientOptions, Progress};
pub use options::Options;
pub use packet::{DecodeError, ErrorCode, Mode, Packet, Request};
pub use server::{RunningServer, Server, ServerConfig};
pub use transfer::{Shutdown, TransferError, TransferSettings, TransferStats};
