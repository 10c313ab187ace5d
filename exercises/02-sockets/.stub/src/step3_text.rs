//! Step 3: bytes and text — UTF-8, GBK, and what happens when two sides disagree.
//!
//! A socket carries bytes. Text becomes bytes through an *encoding*, and both
//! ends must use the same one: "你好" is `e4 bd a0 e5 a5 bd` in UTF-8 and
//! `c4 e3 ba c3` in GBK. The `encoding_rs` crate knows GBK (`encoding_rs::GBK`);
//! Rust's own `str` is always UTF-8.
//!
//! Book: "Bytes and text" in chapter 2.

use std::fmt;

/// The two encodings this step knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8: every Unicode character, ASCII unchanged; the default of the web,
    /// of Rust's `str`, and of every protocol written this century.
    Utf8,
    /// GBK: simplified Chinese in two bytes a character, ASCII unchanged; what
    /// Windows in China and many older tools send.
    Gbk,
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GBK",
        })
    }
}

/// Why text could not be turned into bytes or back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    /// The bytes are not valid in `encoding`; the first `valid_up_to` bytes are.
    Malformed {
        /// The encoding the bytes were decoded as.
        encoding: Encoding,
        /// How many bytes from the start decode cleanly.
        valid_up_to: usize,
    },
    /// `encoding` has no bytes for `character` (GBK has no emoji, for one).
    Unmappable {
        /// The encoding the text was encoded into.
        encoding: Encoding,
        /// The first character it could not represent.
        character: char,
    },
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Malformed {
                encoding,
                valid_up_to,
            } => write!(
                f,
                "the bytes are not valid {encoding} from byte {valid_up_to} on"
            ),
            TextError::Unmappable {
                encoding,
                character,
            } => write!(
                f,
                "{encoding} has no bytes for {character:?} (U+{:04X})",
                *character as u32
            ),
        }
    }
}

impl std::error::Error for TextError {}

/// The bytes of `text` in `encoding`.
///
/// Book: "Bytes and text" (encoding with `encoding_rs`).
///
/// # Errors
/// [`TextError::Unmappable`] with the first character GBK cannot represent,
/// such as an emoji. (UTF-8 represents every character: never an error.)
pub fn encode(text: &str, encoding: Encoding) -> Result<Vec<u8>, TextError> {
    // TODO: UTF-8 is `text.as_bytes()`. For GBK, `GBK.new_encoder()` and
    // `encode_from_utf8_to_vec_without_replacement`, which stops at the first
    // unmappable character instead of writing a replacement.
    todo!("step 3: encode text as UTF-8 or GBK")
}

/// The text that `bytes` spell in `encoding`, decoded *strictly*: anything
/// malformed is an error, never a replacement character.
///
/// Book: "Bytes and text" (strict and lenient decoding; decoding as the bytes
/// arrive, for where a malformed sequence starts).
///
/// # Errors
/// [`TextError::Malformed`] with `valid_up_to` = how many bytes from the start
/// decode cleanly (so the bad sequence starts at that index).
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, TextError> {
    // TODO: UTF-8: `std::str::from_utf8` (its error has `valid_up_to()`). GBK:
    // `GBK.new_decoder_without_bom_handling()` and
    // `decode_to_string_without_replacement`, which reports `Malformed`.
    todo!("step 3: decode bytes strictly")
}

/// Which encoding `bytes` are most likely in: `Some(Utf8)` if they are valid
/// UTF-8 (plain ASCII included), else `Some(Gbk)` if they are valid GBK, else
/// `None`.
///
/// UTF-8 goes first because its rules are strict: Chinese text in GBK is
/// almost never valid UTF-8 by accident, while most pairs of high bytes are
/// "valid" GBK.
///
/// Book: "Bytes and text" (guessing an encoding).
pub fn guess_encoding(bytes: &[u8]) -> Option<Encoding> {
    // TODO: try `decode` with each encoding, in that order.
    todo!("step 3: guess the encoding")
}

/// What a reader who expects `read_as` sees when the writer sent `text` in
/// `written_in`: encode strictly, then decode *leniently*, as most software
/// does — every malformed sequence becomes one U+FFFD (�).
///
/// `misread("你好", Utf8, Gbk)` is "浣犲ソ"; `misread("你好", Gbk, Utf8)` is "���".
///
/// Book: "Bytes and text" (mojibake).
///
/// # Errors
/// [`TextError::Unmappable`] if `text` cannot be written in `written_in`.
pub fn misread(
    text: &str,
    written_in: Encoding,
    read_as: Encoding,
) -> Result<String, TextError> {
    // TODO: `encode`, then `String::from_utf8_lossy` for UTF-8 or
    // `GBK.decode_without_bom_handling` for GBK.
    todo!("step 3: show the mojibake")
}
