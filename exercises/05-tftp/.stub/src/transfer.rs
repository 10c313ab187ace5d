//! What can go wrong in a transfer, for the client and the server alike.
//!
//! Both sides of a transfer follow the same few rules (book: "A transfer,
//! block by block"); the client (steps 2–4, 7, 8) and the server (steps 5,
//! 6) are where you write them. When a loop appears twice, this module is
//! a good home for it.

use std::io;

use crate::packet::ErrorCode;

/// Why a transfer failed.
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The socket failed.
    #[error("network error: {0}")]
    Network(#[source] io::Error),
    /// Reading or writing the local file failed.
    #[error("file error: {0}")]
    File(#[source] io::Error),
    /// No answer after the configured number of retries.
    #[error("timed out: no answer after {0} retries")]
    TimedOut(u32),
    /// The peer ended the transfer with an ERROR packet.
    #[error("{message} (error {})", .code.as_u16())]
    Remote {
        /// The peer's error code.
        code: ErrorCode,
        /// The peer's message (or the code's standard wording if the peer
        /// sent none).
        message: String,
    },
    /// The peer broke the protocol (a malformed or unexpected packet).
    #[error("protocol error: {0}")]
    Protocol(String),
    /// The server's OACK was not acceptable (the client sent ERROR 8).
    #[error("option negotiation failed: {0}")]
    Options(#[from] crate::options::OptionError),
}

impl TransferError {
    /// The error a peer sent, as a `TransferError`.
    pub fn remote(code: ErrorCode, message: &str) -> TransferError {
        let message = if message.is_empty() {
            code.default_message().to_string()
        } else {
            message.to_string()
        };
        TransferError::Remote { code, message }
    }
}
