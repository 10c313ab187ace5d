//! Step 3: bytes and text — UTF-8, GBK, and what happens when two sides disagree.
//!
//! A socket carries bytes. Text becomes bytes through an *encoding*, and both
//! ends must use the same one: "你好" is `e4 bd a0 e5 a5 bd` in UTF-8 and
//! `c4 e3 ba c3` in GBK, the encoding older Chinese software still sends. Read
//! UTF-8 bytes as GBK and you get "浣犲ソ"; read GBK bytes as UTF-8 and you get
//! "���". Decoding strictly — an error instead of a replacement character — is
//! how a program notices instead of passing the garbage on.
//!
//! Book: "Bytes and text" in chapter 2.

use std::fmt;

use encoding_rs::{DecoderResult, EncoderResult, GBK};

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
/// # Errors
/// [`TextError::Unmappable`] for the first character GBK cannot represent
/// (UTF-8 represents every character, so encoding to it never fails).
pub fn encode(text: &str, encoding: Encoding) -> Result<Vec<u8>, TextError> {
    match encoding {
        // A Rust `str` already *is* UTF-8: its bytes are the answer.
        Encoding::Utf8 => Ok(text.as_bytes().to_vec()),
        Encoding::Gbk => encode_gbk(text),
    }
}

/// The text that `bytes` spell in `encoding`, refusing anything malformed.
///
/// # Errors
/// [`TextError::Malformed`] at the first byte sequence that is not valid in
/// `encoding`, with how far the bytes were valid.
pub fn decode(bytes: &[u8], encoding: Encoding) -> Result<String, TextError> {
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(text) => Ok(text.to_string()),
            Err(e) => Err(TextError::Malformed {
                encoding,
                valid_up_to: e.valid_up_to(),
            }),
        },
        Encoding::Gbk => decode_gbk(bytes),
    }
}

/// Which encoding `bytes` are most likely in: `Some(Utf8)` if they are valid
/// UTF-8 (that includes plain ASCII), else `Some(Gbk)` if they are valid GBK,
/// else `None`.
///
/// UTF-8 is tried first because its rules are strict: Chinese text in GBK is
/// almost never valid UTF-8 by accident, while nearly any byte string with
/// pairs of high bytes is "valid" GBK. A guess is still a guess — a protocol
/// that says which encoding it uses is always better.
pub fn guess_encoding(bytes: &[u8]) -> Option<Encoding> {
    [Encoding::Utf8, Encoding::Gbk]
        .into_iter()
        .find(|&encoding| decode(bytes, encoding).is_ok())
}

/// What a reader who expects `read_as` sees when the writer sent `text` in
/// `written_in`: mojibake, with U+FFFD (�) for bytes that make no sense.
///
/// # Errors
/// [`TextError::Unmappable`] if `text` cannot be written in `written_in` at all.
pub fn misread(
    text: &str,
    written_in: Encoding,
    read_as: Encoding,
) -> Result<String, TextError> {
    let bytes = encode(text, written_in)?;
    // The reader decodes *leniently*, as most software does: every malformed
    // sequence becomes one replacement character instead of an error.
    let seen = match read_as {
        Encoding::Utf8 => String::from_utf8_lossy(&bytes).into_owned(),
        Encoding::Gbk => GBK.decode_without_bom_handling(&bytes).0.into_owned(),
    };
    Ok(seen)
}

/// Encodes into GBK, stopping at the first character GBK has no bytes for.
fn encode_gbk(text: &str) -> Result<Vec<u8>, TextError> {
    let mut encoder = GBK.new_encoder();
    // GBK never needs more bytes than UTF-8 for the same text, but encoding_rs
    // writes only into spare capacity and says `OutputFull` when it wants more:
    // then we make room and carry on where it stopped.
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text;
    loop {
        let (result, read) = encoder
            .encode_from_utf8_to_vec_without_replacement(rest, &mut bytes, true);
        rest = &rest[read..];
        match result {
            EncoderResult::InputEmpty => return Ok(bytes),
            EncoderResult::OutputFull => bytes.reserve(rest.len() + 4),
            EncoderResult::Unmappable(character) => {
                return Err(TextError::Unmappable {
                    encoding: Encoding::Gbk,
                    character,
                });
            }
        }
    }
}

/// Decodes GBK, stopping at the first malformed byte sequence.
fn decode_gbk(bytes: &[u8]) -> Result<String, TextError> {
    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut text = String::with_capacity(bytes.len());
    let mut consumed = 0;
    loop {
        let (result, read) = decoder.decode_to_string_without_replacement(
            &bytes[consumed..],
            &mut text,
            true,
        );
        consumed += read;
        match result {
            DecoderResult::InputEmpty => return Ok(text),
            // Two GBK bytes can become three UTF-8 bytes: make room, go on.
            DecoderResult::OutputFull => {
                text.reserve(2 * (bytes.len() - consumed) + 4)
            }
            // `consumed` counts the malformed sequence and the bytes read after
            // it, so step back over both to find where the trouble began.
            DecoderResult::Malformed(bad, after) => {
                return Err(TextError::Malformed {
                    encoding: Encoding::Gbk,
                    valid_up_to: consumed - usize::from(bad) - usize::from(after),
                });
            }
        }
    }
}
